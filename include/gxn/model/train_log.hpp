#pragma once
// What training reports: each step's losses, each epoch's figures, and the run's log.csv that
// keeps one row per finished epoch:
//   epoch,lr,train_loss,i2t_r1,i2t_r5,i2t_r10,t2i_r1,t2i_r5,t2i_r10,rsum,seconds,best,
//   ranking_loss,caption_loss,generator_loss,discriminator_loss,val_cider,batch_r1
// train_loss is the mean over the epoch's batches of the total loss / batch size, the *_loss
// columns the means of each path's loss (0 for a path not trained); val_cider is CIDEr-D of
// greedy captions of the validation images (i2t only); batch_r1 the mean over the epoch's
// batches of batch_recall_at_1 (embedding path only); seconds covers training and validation.
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/model/config.hpp"

namespace gxn {

// One step's losses: the total the shared optimiser minimised and each path's part of it
// (means per caption, before the path weights; 0 for a path not trained).
struct StepLosses {
  double total = 0;          // summed over the batch
  double ranking = 0;        // L_R+ / batch size
  double caption = 0;        // L_xe, or (1 - gamma) L_xe + gamma L_rl
  double generator = 0;      // G's loss (with beta_s KL)
  double discriminator = 0;  // D's loss (D's own optimiser)
  double batch_r1 = 0;       // batch_recall_at_1 of the step's embeddings before the update (not a loss)

  // Adds a step of `batch_size` captions to a running sum (the total as total / batch_size).
  void add_step(const StepLosses& step, double batch_size);
  // The sum over `batches` steps as means.
  StepLosses mean_over(double batches) const;
};

// What one epoch did.
struct EpochReport {
  std::int64_t epoch = 0;  // 1-based
  double learning_rate = 0;
  double train_loss = 0;  // mean of the total loss / batch size over the epoch's batches
  StepLosses losses;      // means over the epoch's batches
  RetrievalMetrics val;   // on the validation split (val_max_images of it)
  double val_cider = 0;   // CIDEr-D of greedy captions on the same images (i2t only)
  double seconds = 0;     // training and validation
  bool best = false;      // the best selection_score so far: written to best.gxn
};

// What picks best.gxn: the validation rsum when the embedding path trains. Without it retrieval
// is chance, so the greedy captions' CIDEr-D when the decoder trains, else the latest epoch.
double selection_score(const TrainingPaths& paths, const EpochReport& report);

// The rows of log.csv.
class TrainLog {
 public:
  TrainLog() = default;
  // The rows of a log's text (as text() gives it), the header line left out. Rows written
  // before the last columns existed get them empty.
  explicit TrainLog(const std::string& rows);

  void add(const EpochReport& report);
  // The CSV rows without the header, as a checkpoint keeps them.
  std::string rows() const;
  // The whole file: the header and the rows.
  std::string text() const;

 private:
  std::vector<std::string> rows_;
};

}  // namespace gxn
