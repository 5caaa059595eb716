#include "gxn/model/config.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/checksum.hpp"
#include "config_fields.hpp"
#include "gxn/engine/io/preprocess.hpp"
#include "gxn/error.hpp"

namespace gxn {
namespace {

constexpr std::int64_t kMaxDim = 1 << 16;
constexpr std::int64_t kMaxFeatureDim = 1 << 20;
constexpr std::int64_t kMaxVocab = (std::int64_t{1} << 31) - 1;

}  // namespace

namespace detail {

// The fields of the model config (see config_fields.hpp).
template <typename C, typename F>
Describes<C, ImageEncoderConfig> describe(C& c, F& f) {
  f(field("backbone", c.backbone));
  f(field("region_pooling", c.region_pooling));
  f(field("fine_tune", c.fine_tune));
  f(field("backbone_file", c.backbone_file).initial_weights());
  f(field("resize", c.resize).range(image_input_size(c).second, 8192).or_zero());
  f(field("crop", c.crop).range(8, 4096).or_zero());
  f(field("feature_dim", c.feature_dim)
        .range(1, kMaxFeatureDim)
        .only_if(has_own_feature_dim(c.backbone), std::string("is only for the precomp and torchscript backbones (") +
                                                      to_string(c.backbone) + " gives " +
                                                      std::to_string(image_feature_dim(c)) + ")"));
}

template <typename C, typename F>
Describes<C, TextEncoderConfig> describe(C& c, F& f) {
  f(field("vocab_size", c.vocab_size).range(2, kMaxVocab).or_zero());
  f(field("word_dim", c.word_dim).range(1, kMaxDim));
  f(field("hidden_dim", c.hidden_dim).range(1, kMaxDim));
  f(field("word_vectors", c.word_vectors).initial_weights());
  f(field("grounded_bidirectional", c.grounded_bidirectional));
}

template <typename C, typename F>
Describes<C, CaptionDecoderConfig> describe(C& c, F& f) {
  f(field("word_dim", c.word_dim).range(1, kMaxDim));
  f(field("hidden_dim", c.hidden_dim).range(1, kMaxDim));
  f(field("max_length", c.max_length).range(1, 1000).or_zero());
}

template <typename C, typename F>
Describes<C, ImageGeneratorConfig> describe(C& c, F& f) {
  f(field("condition_dim", c.condition_dim).range(1, kMaxDim));
  f(field("noise_dim", c.noise_dim).range(1, kMaxDim));
  f(field("generator_channels", c.generator_channels).range(2, 4096));
  f(field("discriminator_channels", c.discriminator_channels).range(1, 1024));
  f(field("discriminator_text_dim", c.discriminator_text_dim).range(1, kMaxDim));
}

template <typename C, typename F>
Describes<C, ModelConfig> describe(C& c, F& f) {
  f(field("paths", c.paths));
  f.object("image", c.image);
  f.object("text", c.text);
  f.object("decoder", c.decoder, c.paths.i2t);
  f.object("generator", c.generator, c.paths.t2i);
  f(field("embed_dim", c.embed_dim).range(1, kMaxDim));
  f(field("l2_normalize", c.l2_normalize));
  f(field("non_negative", c.non_negative));
  f(field("lambda", c.lambda).range(0, 1));
  f(field("margin", c.margin).range(0, 100));
  f(field("max_violation", c.max_violation));
}

template void describe(ModelConfig&, JsonReader&);
template void describe(const ModelConfig&, JsonWriter&);
template void describe(const ModelConfig&, FieldValidator&);
template void describe(const ModelConfig&, KeyLister&);

}  // namespace detail

const char* to_string(Backbone backbone) {
  switch (backbone) {
    case Backbone::Precomp: return "precomp";
    case Backbone::CnnSmall: return "cnn-small";
    case Backbone::ResNet152: return "resnet152";
    case Backbone::Vgg19: return "vgg19";
    case Backbone::TorchScript: return "torchscript";
  }
  return "?";
}

const char* to_string(RegionPooling pooling) { return pooling == RegionPooling::Mean ? "mean" : "max"; }

Backbone parse_backbone(const std::string& name) { return detail::parse_enum<Backbone>(name); }
RegionPooling parse_region_pooling(const std::string& name) { return detail::parse_enum<RegionPooling>(name); }

std::string to_string(const TrainingPaths& paths) {
  std::string text;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    text += text.empty() ? "" : ",";
    text += name;
  };
  add(paths.embedding, "embedding");
  add(paths.i2t, "i2t");
  add(paths.t2i, "t2i");
  return text;
}

TrainingPaths parse_training_paths(const std::string& text) {
  TrainingPaths paths;
  paths.embedding = false;
  std::stringstream in(text);
  for (std::string name; std::getline(in, name, ',');) {
    if (name == "embedding")
      paths.embedding = true;
    else if (name == "i2t")
      paths.i2t = true;
    else if (name == "t2i")
      paths.t2i = true;
    else
      throw Error(ErrorCode::InvalidArgument, "unknown training path '" + name + "' in '" + text +
                                                  "': allowed embedding, i2t, t2i (comma-separated)");
  }
  if (!paths.embedding && !paths.i2t && !paths.t2i)
    throw Error(ErrorCode::InvalidArgument, "paths '" + text + "' names no training path: allowed embedding, i2t, t2i");
  return paths;
}

bool has_own_feature_dim(Backbone b) { return b == Backbone::Precomp || b == Backbone::TorchScript; }

std::int64_t image_feature_dim(const ImageEncoderConfig& config) {
  switch (config.backbone) {
    case Backbone::CnnSmall: return kCnnSmallFeatureDim;
    case Backbone::ResNet152: return kResNet152FeatureDim;
    case Backbone::Vgg19: return kVgg19FeatureDim;
    default: return config.feature_dim;
  }
}

std::pair<int, int> image_input_size(const ImageEncoderConfig& config) {
  const bool small = config.backbone == Backbone::CnnSmall;
  const int crop = config.crop > 0 ? config.crop : (small ? 64 : 224);
  const int resize = config.resize > 0 ? config.resize : (small ? crop : preprocess_options_for_size(crop).resize);
  return {resize, crop};
}

void validate(const ModelConfig& c) {
  detail::FieldValidator fields;
  detail::describe(c, fields);
  if (!c.paths.embedding && !c.paths.i2t && !c.paths.t2i)
    throw Error(ErrorCode::InvalidArgument, "paths: no training path (allowed embedding, i2t, t2i)");
  if (c.image.backbone == Backbone::TorchScript && c.image.backbone_file.empty())
    throw Error(ErrorCode::InvalidArgument, "image.backbone_file: the torchscript backbone needs a module file");
  // G's width c ends at c/2 channels: an even c.
  if (c.paths.t2i && c.generator.generator_channels % 2 != 0)
    throw Error(ErrorCode::InvalidArgument,
                "generator.generator_channels = " + std::to_string(c.generator.generator_channels) + " must be even");
}

std::string to_json(const ModelConfig& c, int indent) { return detail::config_to_json(c, indent); }

ModelConfig model_config_from_json(const std::string& json_text, const std::string& source) {
  return detail::config_from_json<ModelConfig>(json_text, source);
}

std::uint64_t model_fingerprint(const ModelConfig& c) {
  // A canonical text of the fingerprinted fields; "gxn-model-1" versions the recipe itself.
  std::ostringstream os;
  os.precision(17);
  os << "gxn-model-1|" << to_string(c.image.backbone) << '|' << image_feature_dim(c.image) << '|'
     << (c.image.backbone == Backbone::Precomp ? to_string(c.image.region_pooling) : "-") << '|' << c.text.vocab_size
     << '|' << c.text.word_dim << '|' << c.text.hidden_dim << '|' << c.embed_dim << '|' << c.l2_normalize << '|'
     << c.non_negative << '|' << c.lambda;
  // Appended only when on, so that the fingerprints of earlier models stay as they were.
  if (c.text.grounded_bidirectional) os << "|grounded-bidirectional";
  return fnv1a64(os.str());
}

std::string fingerprint_hex(std::uint64_t fingerprint) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fingerprint));
  return buf;
}

}  // namespace gxn
