#pragma once
// Trainer: the training loop. It trains a GXN model on the paths config.model.paths names,
// alone or jointly, with Adam, gradient clipping and a step learning rate schedule, on batches
// of shuffled captions or of shuffled images with their captions (BatchSampler):
//   embedding  L_R+ over the batch (ranking_loss.hpp);
//   i2t        RNN_Dec's cross-entropy, after xe_epochs mixed with self-critical L_rl;
//   t2i        G's loss into the shared optimiser, D's loss into D's own (gan_loss.hpp).
// The losses of the paths are added (caption_weight, imagine_weight; each per caption and
// summed over the batch) and update the shared encoders together in one step. Every epoch
// validates retrieval (plus CIDEr-D of greedy captions with i2t, validation.hpp), keeps the
// best model by rsum, logs the epoch and checkpoints, so that a killed run resumes exactly
// (run_folder.hpp, checkpoint.hpp, train_log.hpp).
// Determinism: the same config (seed, thread count, device) gives bit-identical weights, and
// a resumed run gives the weights the uninterrupted run would have had (on the CPU).
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/batch_sampler.hpp"
#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/checkpoint.hpp"
#include "gxn/model/gxn_model.hpp"
#include "gxn/model/ranking_loss.hpp"
#include "gxn/model/run_folder.hpp"
#include "gxn/model/train_config.hpp"
#include "gxn/model/train_log.hpp"
#include "gxn/model/training_optimizers.hpp"
#include "gxn/model/validation.hpp"

namespace gxn {

class CaptionPathLoss;
namespace detail {
class ParallelLanes;
}

struct TrainSummary {
  std::int64_t epochs_done = 0;     // epochs finished, this call and before it (resumed runs)
  bool finished = false;            // epochs_done == config.run.epochs
  std::int64_t best_epoch = 0;      // 0: no epoch finished yet
  RetrievalMetrics best;            // validation metrics of best.gxn
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

  // Fresh: reads the data (config.run.data_dir), builds the vocabulary from the training split,
  // the model (seeded with config.seed) and its optimisers; writes config.json and vocab.txt
  // into the run folder (created if missing). Refuses a folder that already holds a checkpoint.
  // Resume: restores model, optimisers, vocabulary, position and random state from the run
  // folder's checkpoint. Everything outside config.run must equal the checkpoint's; the run
  // settings may change.
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

  // Writes the run folder's checkpoint now (train() does it after every epoch).
  void save_checkpoint();

  GxnModel& model() { return model_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  const TrainConfig& config() const { return config_; }
  CaptionDataset& train_data() { return *train_data_; }
  CaptionDataset& val_data() { return *val_data_; }
  const torch::Device& device() const { return device_; }
  std::int64_t epochs_done() const { return state_.epoch; }
  std::int64_t steps_done() const { return state_.step; }
  double learning_rate() const { return state_.learning_rate; }
  double best_score() const { return state_.best_score; }  // see selection_score
  // The first step (0-based) whose L_R+ took the hardest negative alone once
  // max_violation_batch_r1 gated it; -1 before that, or when the gate is off.
  std::int64_t max_violation_step() const { return state_.max_violation_step; }

 private:
  void start_fresh();
  void resume();
  void open_data();
  void encode_captions();  // of both splits, with the run's vocabulary
  void build_path_losses();
  // One epoch's batches from where the state stands; false when a hook stopped the run.
  bool run_batches(const TrainHooks& hooks, double seconds_before);
  EpochReport finish_epoch(double seconds);
  // Whether this step's L_R+ takes the hardest negative only (model.max_violation after the
  // warm-up, gated by max_violation_batch_r1); the first such step is kept in the state.
  bool use_max_violation();
  [[noreturn]] void diverged(const std::string& what, double value) const;

  TrainConfig config_;
  torch::Device device_{torch::kCPU};
  Vocabulary vocabulary_;
  std::unique_ptr<CaptionDataset> train_data_, val_data_;
  std::unique_ptr<BatchSampler> sampler_;
  GxnModel model_{nullptr};
  RankingLoss ranking_loss_{nullptr};
  std::unique_ptr<CaptionPathLoss> caption_loss_;  // i2t only
  std::unique_ptr<TrainingOptimizers> optimizers_;
  std::unique_ptr<detail::ParallelLanes> lanes_;  // the caption side and the image side of a step
  TrainingState state_;
  TrainLog log_;
  StepLosses last_step_;
  std::string checkpoint_position_;  // where the last checkpoint was taken ("" = none yet)
};

}  // namespace gxn
