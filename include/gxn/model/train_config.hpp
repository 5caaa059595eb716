#pragma once
// TrainConfig: how the embedding path is trained -- the model, the data, the optimiser and its
// schedule, and where the run's files go. Read from and written to JSON (the run's
// config.json, and a checkpoint's own copy).
//
// JSON keys (all optional; a missing key keeps the default below; an unknown key, a wrong
// type or an out-of-range value is a gxn::Error naming the file and the key):
//   "model"              object: the ModelConfig (config.hpp), e.g. {"image": {"backbone": "cnn-small"},
//                        "text": {"word_dim": 300, "hidden_dim": 1024}, "embed_dim": 1024,
//                        "lambda": 0.5, "margin": 0.2, "max_violation": false}
//   "data_dir"           string: the dataset folder (precomp files or dataset.json + images/)
//   "data_kind"          "precomp" | "images" | "auto" (default: detected from data_dir)
//   "image_dir"          string: images' folder; "" = data_dir/images
//   "epochs"             integer 1..100000, default 30
//   "batch_size"         integer 2..65536, default 128 (captions per step)
//   "sampling"           "captions" (default) | "images": how an epoch makes its batches.
//                        captions: every caption once, in a shuffled order (VSE++);
//                        images: every image once, in a shuffled order, with captions_per_image
//                        of its captions (batch_size / captions_per_image images a step): each
//                        image's CNN runs once for all its captions in the batch.
//   "captions_per_image" integer 1..5, default 5: with sampling = images, how many of an image's
//                        five captions an epoch uses (a different draw every epoch; fewer make
//                        an epoch cheaper where the caption encoder dominates its cost)
//   "learning_rate"      number (0, 10], default 2e-4 (Adam)
//   "lr_decay"           number (0, 1], default 0.1: the rate is multiplied by it ...
//   "lr_decay_epochs"    integer 0..100000, default 15: ... every this many epochs (0 = constant)
//   "grad_clip"          number 0..1e6, default 2.0: clip the gradients' global L2 norm (0 = off)
//   "seed"               unsigned integer, default 1: weights' initialisation and caption order
//   "threads"            integer 0..4096, default 0 = every core: LibTorch's threads (torch::set_num_threads)
//                        and OpenBLAS's, when LibTorch uses it (process-wide settings). Small models
//                        (the demo) train fastest on 1: their many tiny ops gain nothing from threads,
//                        and OpenMP's spinning threads slow to a crawl on a busy machine.
//   "device"             "cpu" | "cuda" | "cuda:N", default "cpu" (cuda needs a LibTorch with CUDA)
//   "min_word_count"     integer 1..1e9, default 4: vocabulary threshold (training captions only)
//   "max_caption_tokens" integer 0 or 3..100000, default 0 = no limit (<start> and <end> counted)
//   "val_max_images"     integer >= 0, default 0 = all: validate each epoch on the first N images
//   "image_cache_mb"     integer >= 0, default 2048: decoded-image cache (caption_dataset.hpp)
//   "checkpoint_steps"   integer >= 0, default 0: also checkpoint every N steps inside an epoch
//   "quiet"              bool, default false: no progress line, no per-epoch lines
//   "paths"              string, default "embedding": the training paths, comma-separated, of
//                        embedding (L_R+), i2t (the caption decoder: L_xe, then with L_rl) and
//                        t2i (the conditional GAN). They decide model.decoder.enabled (i2t)
//                        and model.generator.enabled (t2i). Every path's loss updates the
//                        shared encoders.
//   "caption_weight"     number 0..1e6, default 1: weight of the i2t loss in the encoders' loss
//   "imagine_weight"     number 0..1e6, default 1: weight of G's loss in the encoders' loss
//                        (both are per caption and summed over the batch, as L_R+ is)
//   "xe_epochs"          integer 0..100000, default 5: i2t trains on cross-entropy alone for this
//                        many epochs, then on (1 - rl_weight) L_xe + rl_weight L_rl
//   "rl_weight"          number 0..1, default 0.5: gamma, the self-critical share of the i2t loss
//   "reward"             "cider" (default) | "bleu4": r(c) of self-critical training, against the
//                        image's reference captions
//   "sample_temperature" number (0, 100], default 1: sampling temperature of self-critical training
//   "rl_samples"         integer 1..100, default 5: captions sampled per image in a self-critical step
//                        (several keep the policy gradient's variance down)
//   "kl_weight"          number 0..1e6, default 2: beta_s, weight of KL(N(mu, sigma) || N(0, 1)) in G's loss
//   "fake_weight"        number 0..1e6, default 0.5: beta_f, D's weight on generated images
//   "wrong_weight"       number 0..1e6, default 0.5: beta_w, D's weight on real images with a wrong caption
//   "discriminator_learning_rate" number (0, 10], default 2e-4: D's own Adam (beta1 0.5, as DCGAN)
//   "out_dir"            string: the run folder, which receives
//                          config.json     this config (vocab_size filled in)
//                          vocab.txt       the vocabulary, built from the training split
//                          checkpoint.gxn  everything needed to resume (see trainer.hpp)
//                          best.gxn        the model with the best validation rsum (model_file.hpp)
//                          log.csv         one row per epoch (see trainer.hpp)
#include <cstdint>
#include <optional>
#include <string>

#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/config.hpp"

namespace gxn {

// How an epoch is cut into batches (see "sampling" above).
enum class BatchSampling { Captions, Images };

// The training paths a run uses (see "paths" above).
struct TrainingPaths {
  bool embedding = true;  // look & match: L_R+
  bool i2t = false;       // image->text: the caption decoder
  bool t2i = false;       // text->image: the conditional GAN
};
std::string to_string(const TrainingPaths& paths);         // "embedding,i2t,t2i"
TrainingPaths parse_training_paths(const std::string& text);  // gxn::Error naming an unknown or missing path

// The reward of self-critical training.
enum class CaptionRewardKind { CiderD, Bleu4 };
const char* to_string(CaptionRewardKind reward);                    // "cider", "bleu4"
CaptionRewardKind parse_caption_reward(const std::string& name);  // gxn::Error listing the names
const char* to_string(BatchSampling sampling);               // "captions", "images"
BatchSampling parse_batch_sampling(const std::string& name);  // gxn::Error listing the names

struct TrainConfig {
  ModelConfig model;
  std::string data_dir;
  std::optional<DataKind> data_kind;  // nullopt: detect_data_kind(data_dir)
  std::string image_dir;
  std::int64_t epochs = 30;
  std::int64_t batch_size = 128;
  BatchSampling sampling = BatchSampling::Captions;
  std::int64_t captions_per_image = kCaptionsPerImage;
  double learning_rate = 2e-4;
  double lr_decay = 0.1;
  std::int64_t lr_decay_epochs = 15;
  double grad_clip = 2.0;
  std::uint64_t seed = 1;
  int threads = 0;
  std::string device = "cpu";
  std::int64_t min_word_count = 4;
  std::int64_t max_caption_tokens = 0;
  std::int64_t val_max_images = 0;
  std::int64_t image_cache_mb = 2048;
  std::int64_t checkpoint_steps = 0;
  bool quiet = false;
  std::string out_dir;
  TrainingPaths paths;
  double caption_weight = 1.0;
  double imagine_weight = 1.0;
  std::int64_t xe_epochs = 5;
  double rl_weight = 0.5;
  CaptionRewardKind reward = CaptionRewardKind::CiderD;
  double sample_temperature = 1.0;
  std::int64_t rl_samples = 5;
  double kl_weight = 2.0;
  double fake_weight = 0.5;
  double wrong_weight = 0.5;
  double discriminator_learning_rate = 2e-4;
};

// Gives the model the modules its paths train, and only those: model.decoder.enabled = i2t,
// model.generator.enabled = t2i (an untrained decoder or generator would only mislead).
void set_path_modules(TrainConfig& config);

// The learning rate of epoch `epoch` (0-based): learning_rate * lr_decay^(epoch / lr_decay_epochs).
double learning_rate_at(const TrainConfig& config, std::int64_t epoch);

// gxn::Error(InvalidArgument) naming the first field out of range (model fields as "model.X").
void validate(const TrainConfig& config);

// JSON with the keys above; enums as their names, data_kind "auto" for nullopt.
std::string to_json(const TrainConfig& config, int indent = 2);
// Parses and validates; errors name `source` and the key.
TrainConfig train_config_from_json(const std::string& json_text, const std::string& source);
// The same, from a file; gxn::Error(NotFound) naming a missing file.
TrainConfig read_train_config(const std::string& path);

// The settings `gxn demo` trains the shapes data (`gxn data shapes`, 3000 images) with: a
// cnn-small model small enough to train in a few minutes on 2 CPU cores. data_dir and out_dir
// are left for the caller.
TrainConfig demo_train_config();

}  // namespace gxn
