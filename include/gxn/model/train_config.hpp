#pragma once
// TrainConfig: how a GXN model is trained -- the model (with the paths it is trained on), the
// data, the optimiser and its schedule, each path's loss -- and the run's settings (RunSettings:
// where the data and the run folder are, how many epochs, threads, device). Everything outside
// RunSettings fixes the trajectory of the weights, so a resumed run must keep it; the run's
// settings may change on resume.
//
// JSON (the run's config.json, a checkpoint's copy, `gxn train --config`): one flat object whose
// keys are the field names below, run settings included, with the model under "model" (see
// config.hpp). All keys are optional: a missing key keeps the default below. An unknown key, a
// wrong type or an out-of-range value is a gxn::Error naming the file and the key.
// `gxn train --list-config` prints every key with its type, default and allowed values.
#include <cstdint>
#include <optional>
#include <string>

#include "gxn/engine/data/captions_per_image.hpp"
#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/config.hpp"

namespace gxn {

// How an epoch is cut into batches.
enum class BatchSampling {
  Captions,  // every caption once, in a shuffled order (VSE++)
  Images,    // every image once, in a shuffled order, with captions_per_image of its captions:
             // each image's CNN runs once for all its captions in the batch
};
const char* to_string(BatchSampling sampling);                // "captions", "images"
BatchSampling parse_batch_sampling(const std::string& name);  // gxn::Error listing the names

// The reward of self-critical training, against the image's reference captions.
enum class CaptionRewardKind { CiderD, Bleu4 };
const char* to_string(CaptionRewardKind reward);                  // "cider", "bleu4"
CaptionRewardKind parse_caption_reward(const std::string& name);  // gxn::Error listing the names

// Settings that do not change what a run computes; a resumed run may change them.
struct RunSettings {
  std::string data_dir;   // the dataset folder (precomp files, or dataset.json + images/)
  std::string image_dir;  // the images' folder; "" = data_dir/images
  // The run folder: config.json (this config, vocab_size filled in), vocab.txt, checkpoint.gxn
  // (everything needed to resume, see checkpoint.hpp), best.gxn (the model with the best
  // validation rsum) and log.csv (one row per epoch, see run_folder.hpp).
  std::string out_dir;
  std::int64_t epochs = 30;  // the run's length in epochs (a resumed run may extend it)
  // LibTorch's threads and OpenBLAS's (process-wide); 0 = every core. Small models (the demo)
  // train fastest on 1: their many tiny ops gain nothing from threads.
  int threads = 0;
  std::string device = "cpu";          // "cpu", "cuda" or "cuda:N" (cuda needs a LibTorch with CUDA)
  std::int64_t image_cache_mb = 2048;  // decoded-image cache (caption_dataset.hpp)
  std::int64_t checkpoint_steps = 0;   // also checkpoint every N steps inside an epoch; 0 = at epoch ends only
  bool quiet = false;                  // no progress line, no per-epoch lines
};

struct TrainConfig {
  ModelConfig model;  // "model": what is trained, and on which paths (config.hpp)

  // The data.
  std::optional<DataKind> data_kind;    // nullopt ("auto"): detect_data_kind(data_dir)
  std::int64_t min_word_count = 4;      // vocabulary threshold (training captions only)
  std::int64_t max_caption_tokens = 0;  // captions cut to this many tokens, <start> and <end> counted; 0 = no limit
  std::int64_t val_max_images = 0;      // validate each epoch on the first N images; 0 = all

  // Batches, Adam, its schedule.
  std::int64_t batch_size = 128;  // captions per step
  BatchSampling sampling = BatchSampling::Captions;
  // With sampling = images: how many of an image's captions an epoch uses (a different draw
  // every epoch; fewer make an epoch cheaper where the caption encoder dominates its cost).
  std::int64_t captions_per_image = kCaptionsPerImage;
  double learning_rate = 2e-4;
  double lr_decay = 0.1;              // the rate is multiplied by this ...
  std::int64_t lr_decay_epochs = 15;  // ... every this many epochs (0 = constant)
  double grad_clip = 2.0;             // clip the gradients' global L2 norm; 0 = off
  // RNN_Dec, the conditioning augmentation and G learn at this times the rate above (on the
  // same schedule); only the generative paths train them, so they may learn faster than the
  // shared encoders, whose rate max-violation retrieval needs low. 1 = one rate for all.
  double generative_lr_scale = 1.0;
  std::uint64_t seed = 1;  // weights' initialisation and the order of the data
  // With model.max_violation: this many epochs of the sum over negatives first (VSE++'s
  // warm-up; from random weights the hardest negative alone can collapse every embedding onto one).
  std::int64_t max_violation_warmup_epochs = 0;
  // ... and after them, until the batch is separated: the hardest negative starts once a moving
  // average of batch_recall_at_1 (ranking_loss.hpp; each step weighs 0.1) has reached this. A
  // fixed warm-up can end before the batch is separated, and then L_R+ can sit at 2 x margin
  // (the hardest negative as high as the positive) for the rest of the run. 0 = at the
  // warm-up's end.
  double max_violation_batch_r1 = 0;

  // The generative paths' losses (each per caption and summed over the batch, as L_R+ is).
  double caption_weight = 1.0;  // weight of the i2t loss in the encoders' loss
  double imagine_weight = 1.0;  // weight of G's loss in the encoders' loss
  std::int64_t xe_epochs = 5;   // i2t: cross-entropy alone for this many epochs, then the mix
  double rl_weight = 0.5;       // gamma: (1 - gamma) L_xe + gamma L_rl after xe_epochs
  CaptionRewardKind reward = CaptionRewardKind::CiderD;
  double sample_temperature = 1.0;  // sampling temperature of self-critical training
  std::int64_t rl_samples = 5;      // captions sampled per image in a self-critical step
  double kl_weight = 2.0;           // beta_s: KL(N(mu, sigma) || N(0, 1)) in G's loss
  // G's loss also takes this times the mean squared difference between G's image and the real
  // one (pixels in [-1, 1]; reconstruction_loss): 0 is the design's adversarial G alone; a
  // reconstruction term (as pix2pix adds) puts the caption's shapes in their places long before
  // the adversarial game settles.
  double reconstruction_weight = 0;
  // Images of each batch the t2i path imagines (its first distinct ones); 0 = all. G and D at
  // 64x64 cost more per image than the rest of the step: fewer keep a step cheap.
  std::int64_t imagine_images = 0;
  double fake_weight = 0.5;                   // beta_f: D's weight on generated images
  double wrong_weight = 0.5;                  // beta_w: D's weight on real images with a wrong caption
  double discriminator_learning_rate = 2e-4;  // D's own Adam (beta1 0.5, as DCGAN)

  RunSettings run;
};

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

// What a resumed run must keep: the first setting outside RunSettings where `given` differs
// from `stored`, as "KEY = STORED, not GIVEN"; empty when they agree. Files that only
// initialised the weights (a backbone's, word vectors) are not compared.
std::string trajectory_difference(const TrainConfig& stored, const TrainConfig& given);
// The keys of RunSettings, the settings a resumed run may change: "data_dir, image_dir, ...".
std::string run_setting_keys();

// Every key with its type, default and allowed values, one per line.
std::string train_config_keys();

// For a run no config file describes: the image backbone follows the data in
// config.run.data_dir (detect_data_kind): image files train cnn-small, features precomp.
void choose_backbone_for_data(TrainConfig& config);

// The settings `gxn demo` trains the shapes data (`gxn data shapes`, 12000 images) with: a
// cnn-small model small enough to train in a few minutes on 2 CPU cores. data_dir and out_dir
// are left for the caller.
TrainConfig demo_train_config();

}  // namespace gxn
