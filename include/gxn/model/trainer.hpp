#pragma once
// Trainer: trains a GXN model on the paths TrainConfig::paths names, alone or jointly, with
// Adam, gradient clipping and a step learning rate schedule, on batches of shuffled captions or
// of shuffled images with their five captions (TrainConfig::sampling):
//   embedding  L_R+ over the batch (ranking_loss.hpp);
//   i2t        RNN_Dec's cross-entropy on every caption of the batch from its image's v_l, and
//              after xe_epochs the mix (1 - gamma) L_xe + gamma L_rl with self-critical L_rl on
//              the batch's distinct images (self_critical.hpp; reward CIDEr-D or BLEU-4 against
//              the image's training captions);
//   t2i        per distinct image of the batch and its first caption: G's loss (non-saturating,
//              plus beta_s KL) into the shared optimiser, and D's loss into D's own Adam
//              (gan_loss.hpp), G and D alternating every batch.
// The losses of the paths are added (caption_weight, imagine_weight; each per caption and
// summed over the batch) and update the shared encoders together in one step. Every epoch
// validates retrieval with the engine's metrics (plus CIDEr-D of greedy captions with i2t),
// keeps the best model by rsum, and checkpoints so that a killed run resumes exactly.
//
// Files in config.out_dir (see train_config.hpp):
//   checkpoint.gxn  a section file (magic "GXNCHKPT", version 2, the model fingerprint): the
//                   model's sections as in a model file (config, vocabulary, weights), then
//                   "train_config" (JSON), "optimizer" (torch::serialize of Adam), "state"
//                   (JSON: epoch, step, position in the epoch, learning rate, best rsum ...),
//                   "discriminator_optimizer" (D's Adam; t2i only),
//                   "torch_rng" (torch's default generator state) and "log" (log.csv so far).
//                   Written atomically after every epoch (and every checkpoint_steps steps).
//   log.csv         header "epoch,lr,train_loss,i2t_r1,i2t_r5,i2t_r10,t2i_r1,t2i_r5,t2i_r10,rsum,seconds,best,
//                   ranking_loss,caption_loss,generator_loss,discriminator_loss,val_cider",
//                   one row per finished epoch; train_loss is the mean over the epoch's batches
//                   of the total loss / batch size, the *_loss columns the means of each path's
//                   loss (0 for a path not trained); val_cider is CIDEr-D of greedy captions of
//                   the validation images (i2t only); seconds covers training and validation.
//   best.gxn        save_model of the epoch with the highest validation rsum so far.
// Determinism: the same config (seed, thread count, device) gives bit-identical weights, and
// a resumed run gives the weights the uninterrupted run would have had (on the CPU).
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/gxn_model.hpp"
#include "gxn/model/ranking_loss.hpp"
#include "gxn/model/train_config.hpp"

namespace gxn {

constexpr char kCheckpointMagic[] = "GXNCHKPT";
constexpr std::uint32_t kCheckpointVersion = 2;  // 2: per-path loss sums, D's optimiser

// The run's file names inside out_dir.
std::string checkpoint_path(const std::string& out_dir);  // out_dir/checkpoint.gxn
std::string best_model_path(const std::string& out_dir);  // out_dir/best.gxn
std::string train_log_path(const std::string& out_dir);   // out_dir/log.csv

// The training config stored in a checkpoint (to resume with the settings a run started with).
// gxn::Error naming `path` for a missing, truncated or damaged checkpoint.
TrainConfig read_checkpoint_config(const std::string& path);

// The retrieval metrics (protocol "all") of `model` on `data`, whose captions must be encoded
// with the model's vocabulary: its images and captions are encoded in inference mode on
// `device` (eval(), no gradients; the model's mode is restored after), then scored by the
// engine's evaluate_embeddings with the model's lambda on `threads` threads (0 = OpenMP's default).
RetrievalMetrics evaluate_retrieval(GxnModel& model, CaptionDataset& data, const torch::Device& device = torch::kCPU,
                                    int threads = 0);

// BLEU and CIDEr-D of `model`'s captions (decoded with `decode`, in inference mode on `device`)
// for the images of `data`, against each image's reference captions. gxn::Error when the model
// has no caption decoder.
CaptionMetrics evaluate_captioning(GxnModel& model, CaptionDataset& data, const Vocabulary& vocabulary,
                                   const DecodeOptions& decode, const torch::Device& device = torch::kCPU);

// One step's losses: the total the shared optimiser minimised and each path's part of it
// (means per caption, before the path weights; 0 for a path not trained).
struct StepLosses {
  double total = 0;          // summed over the batch
  double ranking = 0;        // L_R+ / batch size
  double caption = 0;        // L_xe, or (1 - gamma) L_xe + gamma L_rl
  double generator = 0;      // G's loss (with beta_s KL)
  double discriminator = 0;  // D's loss (D's own optimiser)
};

// What one epoch did.
struct EpochReport {
  std::int64_t epoch = 0;  // 1-based
  double learning_rate = 0;
  double train_loss = 0;   // mean of the total loss / batch size over the epoch's batches
  StepLosses losses;       // means over the epoch's batches
  RetrievalMetrics val;    // on the validation split (val_max_images of it)
  double val_cider = 0;    // CIDEr-D of greedy captions on the same images (i2t only)
  double seconds = 0;      // training and validation
  bool best = false;       // the best rsum so far: written to best.gxn
};

struct TrainSummary {
  std::int64_t epochs_done = 0;  // epochs finished, this call and before it (resumed runs)
  bool finished = false;         // epochs_done == config.epochs
  std::int64_t best_epoch = 0;   // 0: no epoch finished yet
  RetrievalMetrics best;         // validation metrics of best.gxn
  std::vector<EpochReport> epochs;  // the epochs this call ran
};

// Callbacks of a training run (each may be empty).
struct TrainHooks {
  // After each epoch, its files written; return false to stop there (the run can be resumed).
  std::function<bool(const EpochReport&)> on_epoch;
  // After each step (its 1-based number in the run and its loss); return false to stop at
  // once, as a killed run would: progress since the last checkpoint is not saved.
  std::function<bool(std::int64_t step, double loss)> on_step;
};

class Trainer {
 public:
  enum class Start { Fresh, Resume };

  // Fresh: reads the data (config.data_dir), builds the vocabulary from the training split,
  // the model (seeded with config.seed) and Adam; writes config.json and vocab.txt into
  // config.out_dir (created if missing). Refuses an out_dir that already holds a checkpoint.
  // Resume: restores model, optimiser, vocabulary, position and RNG state from
  // out_dir/checkpoint.gxn. Settings that shape the trajectory (model, data kind, batch size,
  // learning rate and schedule, grad_clip, seed, min_word_count, max_caption_tokens,
  // val_max_images) must equal the checkpoint's; epochs, threads, device, quiet, data_dir,
  // image_dir, image_cache_mb and checkpoint_steps may change.
  // gxn::Error naming the file or field at fault (device "cuda" without CUDA included).
  explicit Trainer(const TrainConfig& config, Start start = Start::Fresh);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Runs the remaining epochs. A non-finite loss or gradient stops training with
  // gxn::Error(NonFinite) naming the epoch and step; the last checkpoint is left as it was.
  TrainSummary train(const TrainHooks& hooks = {});

  // One optimisation step on `batch`: every path's loss forward, backward, gradient clipping,
  // Adam updates at the current learning rate (and D's). Returns the total loss (summed over
  // the batch, as RankingLoss gives L_R+); last_step() has its parts. Throws
  // gxn::Error(NonFinite) before updating when a loss or a gradient norm is NaN/Inf, so the
  // weights stay as they were.
  double train_step(const CaptionBatch& batch);
  const StepLosses& last_step() const { return last_step_; }

  // evaluate_retrieval of the current weights on `data` (its captions encoded with the run's
  // vocabulary first if they are not).
  RetrievalMetrics evaluate(CaptionDataset& data);

  // Writes out_dir/checkpoint.gxn now (train() does it after every epoch).
  void save_checkpoint();

  GxnModel& model() { return model_; }
  torch::optim::Adam& optimizer() { return *optimizer_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  const TrainConfig& config() const { return config_; }
  CaptionDataset& train_data() { return *train_data_; }
  CaptionDataset& val_data() { return *val_data_; }
  const torch::Device& device() const { return device_; }
  std::int64_t epochs_done() const { return epoch_; }
  std::int64_t steps_done() const { return step_; }
  double learning_rate() const { return learning_rate_; }
  double best_rsum() const { return best_rsum_; }

 private:
  void open_data();
  void start_fresh();
  void resume();
  void set_learning_rate(double lr);
  void write_log() const;
  std::string position_text() const;
  std::int64_t units_per_batch() const;  // captions, or images (sampling = images), per batch
  std::int64_t batches_per_epoch() const;
  // The captions of batch `batch` of an epoch visiting `order`.
  std::vector<std::int64_t> batch_captions(const std::vector<std::int64_t>& order, std::int64_t batch) const;
  [[noreturn]] void diverged(const std::string& what, double value) const;
  void build_optimizers();
  void build_reward();
  bool self_critical_now() const;  // i2t past its cross-entropy-only epochs
  // The i2t loss: (B) captions from their images' v_l, self-critical on the U distinct images.
  torch::Tensor caption_loss(const torch::Tensor& distinct_grounded, const torch::Tensor& caption_grounded,
                             const CaptionBatch& batch, const torch::Tensor& ids);

  TrainConfig config_;
  torch::Device device_{torch::kCPU};
  Vocabulary vocabulary_;
  std::unique_ptr<CaptionDataset> train_data_, val_data_;
  GxnModel model_{nullptr};
  RankingLoss loss_{nullptr};
  std::vector<torch::Tensor> trainable_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::vector<torch::Tensor> discriminator_params_;
  std::unique_ptr<torch::optim::Adam> discriminator_optimizer_;
  std::unique_ptr<CiderD> cider_;                     // i2t with reward cider: over the training captions
  std::vector<std::vector<Tokens>> train_references_;  // i2t: each training image's captions as metric tokens
  StepLosses last_step_;
  StepLosses epoch_sums_;  // the current epoch's step losses summed (total as loss / batch size)

  // Position: epochs finished, steps taken in all, and inside the current epoch.
  std::int64_t epoch_ = 0;
  std::int64_t step_ = 0;
  std::int64_t batch_in_epoch_ = 0;
  double epoch_seconds_ = 0;      // time spent in the current epoch before a resume
  double learning_rate_ = 0;
  double best_rsum_ = -1;
  std::int64_t best_epoch_ = 0;
  RetrievalMetrics best_metrics_;
  std::vector<std::string> log_rows_;
  std::string checkpoint_position_;  // where the last checkpoint was taken ("" = none yet)
};

}  // namespace gxn
