#include "gxn/model/config.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gxn/engine/io/preprocess.hpp"
#include "gxn/error.hpp"
#include "common/checksum.hpp"
#include "json_object_reader.hpp"

namespace gxn {
namespace {

using nlohmann::json;
using detail::check_range;
using detail::ObjectReader;

constexpr std::int64_t kMaxDim = 1 << 16;
constexpr std::int64_t kMaxFeatureDim = 1 << 20;
constexpr std::int64_t kMaxVocab = (std::int64_t{1} << 31) - 1;

template <typename Enum>
Enum parse_enum(const std::string& name, const char* what, std::initializer_list<Enum> values) {
  std::string allowed;
  for (Enum v : values) {
    if (name == to_string(v)) return v;
    allowed += allowed.empty() ? "" : ", ";
    allowed += to_string(v);
  }
  throw Error(ErrorCode::InvalidArgument, std::string("unknown ") + what + " '" + name + "': allowed " + allowed);
}

bool has_own_feature_dim(Backbone b) { return b == Backbone::Precomp || b == Backbone::TorchScript; }

}  // namespace

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

Backbone parse_backbone(const std::string& name) {
  return parse_enum(name, "image backbone",
                    {Backbone::Precomp, Backbone::CnnSmall, Backbone::ResNet152, Backbone::Vgg19, Backbone::TorchScript});
}

RegionPooling parse_region_pooling(const std::string& name) {
  return parse_enum(name, "region pooling", {RegionPooling::Mean, RegionPooling::Max});
}

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
  if (has_own_feature_dim(c.image.backbone)) check_range("image.feature_dim", c.image.feature_dim, 1, kMaxFeatureDim);
  if (c.image.backbone == Backbone::TorchScript && c.image.backbone_file.empty())
    throw Error(ErrorCode::InvalidArgument, "image.backbone_file: the torchscript backbone needs a module file");
  if (c.image.crop != 0) check_range("image.crop", std::int64_t{c.image.crop}, 8, 4096);
  if (c.image.resize != 0) check_range("image.resize", std::int64_t{c.image.resize}, image_input_size(c.image).second, 8192);
  if (c.text.vocab_size != 0) check_range("text.vocab_size", c.text.vocab_size, 2, kMaxVocab);
  check_range("text.word_dim", c.text.word_dim, 1, kMaxDim);
  check_range("text.hidden_dim", c.text.hidden_dim, 1, kMaxDim);
  check_range("embed_dim", c.embed_dim, 1, kMaxDim);
  check_range("lambda", c.lambda, 0.0, 1.0);
  check_range("margin", c.margin, 0.0, 100.0);
  if (c.decoder.enabled) {
    check_range("decoder.word_dim", c.decoder.word_dim, 1, kMaxDim);
    check_range("decoder.hidden_dim", c.decoder.hidden_dim, 1, kMaxDim);
    check_range("decoder.max_length", c.decoder.max_length, 1, 1000);
  }
  if (c.generator.enabled) {
    check_range("generator.condition_dim", c.generator.condition_dim, 1, kMaxDim);
    check_range("generator.noise_dim", c.generator.noise_dim, 1, kMaxDim);
    // G's width c ends at c/2 channels: an even c.
    check_range("generator.generator_channels", c.generator.generator_channels, 2, 4096);
    if (c.generator.generator_channels % 2 != 0)
      throw Error(ErrorCode::InvalidArgument, "generator.generator_channels = " +
                                                  std::to_string(c.generator.generator_channels) + " must be even");
    check_range("generator.discriminator_channels", c.generator.discriminator_channels, 1, 1024);
    check_range("generator.discriminator_text_dim", c.generator.discriminator_text_dim, 1, kMaxDim);
  }
}

nlohmann::json detail::model_config_to_json_value(const ModelConfig& c) {
  json image = {{"backbone", to_string(c.image.backbone)},
                {"region_pooling", to_string(c.image.region_pooling)},
                {"fine_tune", c.image.fine_tune},
                {"backbone_file", c.image.backbone_file},
                {"resize", c.image.resize},
                {"crop", c.image.crop}};
  if (has_own_feature_dim(c.image.backbone)) image["feature_dim"] = c.image.feature_dim;
  json text = {{"vocab_size", c.text.vocab_size},
               {"word_dim", c.text.word_dim},
               {"hidden_dim", c.text.hidden_dim},
               {"word_vectors", c.text.word_vectors}};
  json decoder = {{"enabled", c.decoder.enabled},
                  {"word_dim", c.decoder.word_dim},
                  {"hidden_dim", c.decoder.hidden_dim},
                  {"max_length", c.decoder.max_length}};
  json generator = {{"enabled", c.generator.enabled},
                    {"condition_dim", c.generator.condition_dim},
                    {"noise_dim", c.generator.noise_dim},
                    {"generator_channels", c.generator.generator_channels},
                    {"discriminator_channels", c.generator.discriminator_channels},
                    {"discriminator_text_dim", c.generator.discriminator_text_dim}};
  json j = {{"image", image}, {"text", text}, {"decoder", decoder}, {"generator", generator}, {"embed_dim", c.embed_dim},
            {"l2_normalize", c.l2_normalize}, {"non_negative", c.non_negative}, {"lambda", c.lambda},
            {"margin", c.margin},        {"max_violation", c.max_violation}};
  return j;
}

std::string to_json(const ModelConfig& c, int indent) { return detail::model_config_to_json_value(c).dump(indent); }

ModelConfig detail::model_config_from_json_value(const json& j, const std::string& path, const std::string& source) {
  ModelConfig c;
  ObjectReader top(j, path, source);
  const std::string image_path = top.qualified("image"), text_path = top.qualified("text");
  if (const json* image = top.object("image")) {
    ObjectReader r(*image, image_path, source);
    std::string backbone = to_string(c.image.backbone), pooling = to_string(c.image.region_pooling);
    r.read("backbone", backbone);
    r.read("region_pooling", pooling);
    try {
      c.image.backbone = parse_backbone(backbone);
      c.image.region_pooling = parse_region_pooling(pooling);
    } catch (const Error& e) {
      throw Error(ErrorCode::InvalidArgument, source + ": '" + image_path + "': " + e.what());
    }
    if (image->contains("feature_dim") && !has_own_feature_dim(c.image.backbone))
      r.fail(r.qualified("feature_dim"), std::string("is only for the precomp and torchscript backbones (") +
                                      to_string(c.image.backbone) + " gives " +
                                      std::to_string(image_feature_dim(c.image)) + ")");
    r.read("feature_dim", c.image.feature_dim);
    r.read("fine_tune", c.image.fine_tune);
    r.read("backbone_file", c.image.backbone_file);
    r.read("resize", c.image.resize);
    r.read("crop", c.image.crop);
    r.reject_unknown_keys();
  }
  if (const json* text = top.object("text")) {
    ObjectReader r(*text, text_path, source);
    r.read("vocab_size", c.text.vocab_size);
    r.read("word_dim", c.text.word_dim);
    r.read("hidden_dim", c.text.hidden_dim);
    r.read("word_vectors", c.text.word_vectors);
    r.reject_unknown_keys();
  }
  if (const json* decoder = top.object("decoder")) {
    ObjectReader r(*decoder, top.qualified("decoder"), source);
    r.read("enabled", c.decoder.enabled);
    r.read("word_dim", c.decoder.word_dim);
    r.read("hidden_dim", c.decoder.hidden_dim);
    r.read("max_length", c.decoder.max_length);
    r.reject_unknown_keys();
  }
  if (const json* generator = top.object("generator")) {
    ObjectReader r(*generator, top.qualified("generator"), source);
    r.read("enabled", c.generator.enabled);
    r.read("condition_dim", c.generator.condition_dim);
    r.read("noise_dim", c.generator.noise_dim);
    r.read("generator_channels", c.generator.generator_channels);
    r.read("discriminator_channels", c.generator.discriminator_channels);
    r.read("discriminator_text_dim", c.generator.discriminator_text_dim);
    r.reject_unknown_keys();
  }
  top.read("embed_dim", c.embed_dim);
  top.read("l2_normalize", c.l2_normalize);
  top.read("non_negative", c.non_negative);
  top.read("lambda", c.lambda);
  top.read("margin", c.margin);
  top.read("max_violation", c.max_violation);
  top.reject_unknown_keys();
  try {
    validate(c);
  } catch (const Error& e) {
    // validate() names fields from the model config's top level.
    throw Error(e.code(), source + ": " + (path.empty() ? "" : path + ".") + e.what());
  }
  return c;
}

ModelConfig model_config_from_json(const std::string& json_text, const std::string& source) {
  return detail::model_config_from_json_value(detail::parse_json(json_text, source), "", source);
}

std::uint64_t model_fingerprint(const ModelConfig& c) {
  // A canonical text of the fingerprinted fields; "gxn-model-1" versions the recipe itself.
  std::ostringstream os;
  os.precision(17);
  os << "gxn-model-1|" << to_string(c.image.backbone) << '|' << image_feature_dim(c.image) << '|'
     << (c.image.backbone == Backbone::Precomp ? to_string(c.image.region_pooling) : "-") << '|' << c.text.vocab_size << '|' << c.text.word_dim << '|'
     << c.text.hidden_dim << '|' << c.embed_dim << '|' << c.l2_normalize << '|' << c.non_negative << '|'
     << c.lambda;
  return fnv1a64(os.str());
}

std::string fingerprint_hex(std::uint64_t fingerprint) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fingerprint));
  return buf;
}

}  // namespace gxn
