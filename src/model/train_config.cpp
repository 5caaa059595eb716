#include "gxn/model/train_config.hpp"

#include <cmath>

#include "config_fields.hpp"
#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/error.hpp"

namespace gxn {
namespace {

constexpr std::int64_t kMaxEpochs = 100000;

bool valid_device(const std::string& device) {
  if (device == "cpu" || device == "cuda") return true;
  if (device.rfind("cuda:", 0) != 0 || device.size() == 5 || device.size() > 8) return false;
  return device.find_first_not_of("0123456789", 5) == std::string::npos;
}

}  // namespace

namespace detail {

// The fields of the training config (see config_fields.hpp).
template <typename C, typename F>
Describes<C, RunSettings> describe(C& c, F& f) {
  f(field("data_dir", c.data_dir));
  f(field("image_dir", c.image_dir));
  f(field("out_dir", c.out_dir));
  f(field("epochs", c.epochs).range(1, kMaxEpochs));
  f(field("threads", c.threads).range(0, 4096));
  f(field("device", c.device).one_of(valid_device, "cpu, cuda, cuda:N"));
  f(field("image_cache_mb", c.image_cache_mb).range(0, double(std::int64_t{1} << 30)));
  f(field("checkpoint_steps", c.checkpoint_steps).range(0, double(std::int64_t{1} << 40)));
  f(field("quiet", c.quiet));
}

template <typename C, typename F>
Describes<C, TrainConfig> describe(C& c, F& f) {
  f.object("model", c.model);
  f(field("data_kind", c.data_kind));
  f(field("min_word_count", c.min_word_count).range(1, 1e9));
  f(field("max_caption_tokens", c.max_caption_tokens).range(3, 100000).or_zero());
  f(field("val_max_images", c.val_max_images).range(0, double(std::int64_t{1} << 40)));
  f(field("batch_size", c.batch_size).range(2, 65536));
  f(field("sampling", c.sampling));
  f(field("captions_per_image", c.captions_per_image).range(1, kCaptionsPerImage));
  f(field("learning_rate", c.learning_rate).above_zero(10));
  f(field("lr_decay", c.lr_decay).above_zero(1));
  f(field("lr_decay_epochs", c.lr_decay_epochs).range(0, kMaxEpochs));
  f(field("grad_clip", c.grad_clip).range(0, 1e6));
  f(field("generative_lr_scale", c.generative_lr_scale).above_zero(1000));
  f(field("seed", c.seed));
  f(field("max_violation_warmup_epochs", c.max_violation_warmup_epochs).range(0, kMaxEpochs));
  f(field("max_violation_batch_r1", c.max_violation_batch_r1).range(0, 1));
  f(field("caption_weight", c.caption_weight).range(0, 1e6));
  f(field("imagine_weight", c.imagine_weight).range(0, 1e6));
  f(field("xe_epochs", c.xe_epochs).range(0, kMaxEpochs));
  f(field("rl_weight", c.rl_weight).range(0, 1));
  f(field("reward", c.reward));
  f(field("sample_temperature", c.sample_temperature).above_zero(100));
  f(field("rl_samples", c.rl_samples).range(1, 100));
  f(field("kl_weight", c.kl_weight).range(0, 1e6));
  f(field("reconstruction_weight", c.reconstruction_weight).range(0, 1e6));
  f(field("imagine_images", c.imagine_images).range(2, 65536).or_zero());
  f(field("fake_weight", c.fake_weight).range(0, 1e6));
  f(field("wrong_weight", c.wrong_weight).range(0, 1e6));
  f(field("discriminator_learning_rate", c.discriminator_learning_rate).above_zero(10));
  f.run_settings(c.run);
}

}  // namespace detail

const char* to_string(BatchSampling sampling) { return sampling == BatchSampling::Captions ? "captions" : "images"; }
BatchSampling parse_batch_sampling(const std::string& name) { return detail::parse_enum<BatchSampling>(name); }

const char* to_string(CaptionRewardKind reward) { return reward == CaptionRewardKind::CiderD ? "cider" : "bleu4"; }
CaptionRewardKind parse_caption_reward(const std::string& name) { return detail::parse_enum<CaptionRewardKind>(name); }

double learning_rate_at(const TrainConfig& config, std::int64_t epoch) {
  if (config.lr_decay_epochs <= 0) return config.learning_rate;
  return config.learning_rate * std::pow(config.lr_decay, static_cast<double>(epoch / config.lr_decay_epochs));
}

void validate(const TrainConfig& c) {
  try {
    validate(c.model);
  } catch (const Error& e) {
    throw Error(e.code(), std::string("model.") + e.what());
  }
  detail::FieldValidator fields;
  detail::describe(c, fields);
  if (c.sampling == BatchSampling::Captions && c.captions_per_image != kCaptionsPerImage)
    throw Error(ErrorCode::InvalidArgument, "captions_per_image = " + std::to_string(c.captions_per_image) +
                                                " needs sampling = images (sampling = captions visits every caption)");
  if (c.sampling == BatchSampling::Images && c.batch_size < 2 * c.captions_per_image)
    throw Error(ErrorCode::InvalidArgument, "batch_size = " + std::to_string(c.batch_size) +
                                                " is too small for sampling = images: at least " +
                                                std::to_string(2 * c.captions_per_image) + " (two images' captions)");
}

std::string to_json(const TrainConfig& c, int indent) { return detail::config_to_json(c, indent); }

TrainConfig train_config_from_json(const std::string& json_text, const std::string& source) {
  return detail::config_from_json<TrainConfig>(json_text, source);
}

TrainConfig read_train_config(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  return train_config_from_json(std::string(bytes.begin(), bytes.end()), path);
}

std::string trajectory_difference(const TrainConfig& stored, const TrainConfig& given) {
  const auto trajectory = [](const TrainConfig& c) {
    detail::JsonWriter writer(/*trajectory_only=*/true);
    detail::describe(c, writer);
    return writer.out;
  };
  const nlohmann::json before = trajectory(stored), after = trajectory(given);
  const nlohmann::json patch = nlohmann::json::diff(before, after);
  if (patch.empty()) return "";
  const std::string pointer = patch[0].at("path").get<std::string>();
  const nlohmann::json::json_pointer at(pointer);
  std::string key;  // "/model/text/word_dim" -> "model.text.word_dim"
  for (char ch : pointer.substr(1)) key += ch == '/' ? '.' : ch;
  return key + " = " + (before.contains(at) ? before.at(at).dump() : "(unset)") + ", not " +
         (after.contains(at) ? after.at(at).dump() : "(unset)");
}

std::string run_setting_keys() {
  const RunSettings defaults;
  detail::KeyLister lister;
  detail::describe(defaults, lister);
  std::string keys;
  for (const auto& line : lister.lines) keys += (keys.empty() ? "" : ", ") + line.key;
  return keys;
}

std::string train_config_keys() {
  const TrainConfig defaults;
  detail::KeyLister lister;
  detail::describe(defaults, lister);
  return lister.text();
}

void choose_backbone_for_data(TrainConfig& config) {
  const DataKind kind = config.data_kind ? *config.data_kind : detect_data_kind(config.run.data_dir);
  config.model.image.backbone = kind == DataKind::Images ? Backbone::CnnSmall : Backbone::Precomp;
}

TrainConfig demo_train_config() {
  // Chosen by measurement on the shapes data (validation split), 2-core CPU. Retrieval: one
  // caption per scene and 128 distinct scenes a batch, the hardest negative (max violation)
  // after a one-epoch warm-up that the sum of violations gives (from epoch 0 it collapses):
  // validation R@1 ~97% both ways after 8 epochs on 12k scenes, where five captions a scene
  // and the summed loss stalled near 40%. Shapes stay recognisable at 32x32.
  TrainConfig c;
  c.model.image.backbone = Backbone::CnnSmall;
  c.model.image.crop = 32;
  c.model.text.word_dim = 32;
  // 256, not 128: G finds more of each shape's colour in t_l (validation, all three paths: the
  // named colour at its place 12% against 8%, R@1 95 / 94 against 93 / 92).
  c.model.text.hidden_dim = 256;
  // 256, not 128: the caption decoder reads the scene from v_l alone, and at 128 it could not
  // keep each shape's colour with its place (i2t alone, validation: caption F1 0.10 at 128, 0.19
  // at 512, 0.36 at 512 with decoder GRU 256; 256 learns as fast as 512 at half the ranking cost).
  c.model.embed_dim = 256;
  c.model.max_violation = true;
  c.max_violation_warmup_epochs = 1;
  c.run.epochs = 12;  // 16 took 10 min 26 s with the widths below, over the demo's 10
  c.run.threads = 2;  // the caption side and the image side of a step, one core each
  c.batch_size = 128;
  c.captions_per_image = 1;
  c.learning_rate = 2e-3;
  c.lr_decay = 0.5;
  c.lr_decay_epochs = 5;
  c.sampling = BatchSampling::Images;
  c.seed = 1;
  // All three paths. G and D see the batch's first 32 scenes: on all 128 they tripled an epoch.
  c.model.paths.i2t = c.model.paths.t2i = true;
  c.model.decoder.word_dim = 32;
  c.model.decoder.hidden_dim = 256;
  c.model.generator.condition_dim = 32;
  c.model.generator.noise_dim = 32;
  c.model.generator.generator_channels = 16;
  c.model.generator.discriminator_channels = 16;
  c.model.generator.discriminator_text_dim = 32;
  c.imagine_images = 32;
  c.xe_epochs = c.run.epochs;  // self-critical decoding costs more than the demo's clock allows
  // At 0.1 the ranking loss shaped the CNN almost alone: captions named the right kind at a
  // shape's place 19% of the time, against 48% with the decoder's gradient alone (embed 512).
  // Validation, all three paths: kind right 20% at 1, 28% at 3 (caption F1 0.094 and 0.158).
  c.caption_weight = 3.0;
  // G's loss: the adversarial term, the pixel term and the KL term. The pixel term must lead
  // within the demo's ~900 steps. t2i alone: at weight 50 G learnt from D alone and drew the same
  // image for every caption; at 1000 it puts the caption's shapes at their places (unnamed
  // places left background 87%, against 58% at 10).
  c.reconstruction_weight = 1000;
  // That pixel term, passed on to the text encoder at the previous 0.1, outweighed the ranking
  // loss there (validation R@1 59 / 64 against 93 / 92 at 0.001).
  c.imagine_weight = 0.001;
  // G must hear the caption: t_c at its initial sigma of 0.05 is about 80 nats from N(0, I) over
  // 32 dimensions. In a PyTorch copy of G trained by the pixel term (bench/imagine_pixel_loss.py),
  // a KL weight of 0.01 pressed t_c back to noise (under 1 nat) before G learnt to read it; at
  // 0.001 t_c kept about 20 nats.
  c.kl_weight = 0.001;
  return c;
}

}  // namespace gxn
