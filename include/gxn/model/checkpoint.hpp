#pragma once
// The training checkpoint (RUN/checkpoint.gxn): everything a killed run needs to continue
// exactly. A section file (magic "GXNCHKPT", version kCheckpointVersion, the model's
// fingerprint) with the model's sections as in a model file (config, vocabulary, weights),
// then "train_config" (JSON), "optimizer" (torch::serialize of the shared Adam),
// "discriminator_optimizer" (D's Adam; t2i only), "state" (JSON: TrainingState),
// "torch_rng" (torch's default CPU generator) and "log" (log.csv's rows so far).
// Written atomically: a crash leaves the previous checkpoint.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/gxn_model.hpp"
#include "gxn/model/model_file.hpp"
#include "gxn/model/train_config.hpp"
#include "gxn/model/train_log.hpp"
#include "gxn/model/training_optimizers.hpp"

namespace gxn {

// 3: the paths moved into the model config; 2: per-path loss sums, D's optimiser.
constexpr std::uint32_t kCheckpointVersion = 3;

// Where a run stands.
struct TrainingState {
  std::int64_t epoch = 0;           // epochs finished
  std::int64_t step = 0;            // steps taken in all
  std::int64_t batch_in_epoch = 0;  // batches of the current epoch done
  StepLosses epoch_sums;            // the current epoch's step losses summed (StepLosses::add_step)
  double epoch_seconds = 0;         // time spent in the current epoch before a resume
  double learning_rate = 0;
  double best_score = -1;       // what chose best.gxn (selection_score in train_log.hpp)
  std::int64_t best_epoch = 0;  // 0: none yet
  RetrievalMetrics best;        // validation metrics of best.gxn
  // Moving average of the steps' batch_recall_at_1 (each step weighs 0.1), and the step from
  // which the hardest negative is used when max_violation_batch_r1 gates it (-1: not yet).
  double batch_r1_average = 0;
  std::int64_t max_violation_step = -1;

  // "after epoch 3", or "epoch 4 after batch 17": where a checkpoint of this state was taken.
  std::string position() const;
};

class Checkpoint {
 public:
  // Writes `path` atomically.
  static void write(const std::string& path, const TrainConfig& config, GxnModel& model, const Vocabulary& vocabulary,
                    const TrainingOptimizers& optimizers, const TrainingState& state, const TrainLog& log);

  // Reads `path` and checks it: gxn::Error naming it when it is missing, not a checkpoint, of
  // another version, truncated or damaged.
  explicit Checkpoint(const std::string& path);

  const TrainConfig& config() const { return config_; }
  LoadedModel model() const;  // on the CPU
  TrainingState state() const;
  TrainLog log() const;
  // Puts the saved optimiser states into optimisers built for the checkpoint's model.
  void restore(TrainingOptimizers& optimizers, const torch::Device& device) const;
  // Puts torch's default CPU generator where the run left it.
  void restore_random_state() const;

 private:
  struct Sections;
  std::string path_;
  std::shared_ptr<const Sections> sections_;
  TrainConfig config_;
};

// The training config a checkpoint holds (to resume with the settings a run started with).
TrainConfig read_checkpoint_config(const std::string& path);

}  // namespace gxn
