#pragma once
// Private to gxn::model: the image->text path's loss in a training step. RNN_Dec's
// cross-entropy on every caption of the batch from its image's v_l; once self-critical training
// has started, (1 - gamma) L_xe + gamma L_rl with L_rl on the batch's distinct images, each
// sampled rl_samples times (self_critical.hpp), rewarded by CIDEr-D or BLEU-4 against the
// image's training captions.
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/gxn_model.hpp"
#include "gxn/model/train_config.hpp"

namespace gxn {

class CaptionPathLoss {
 public:
  // The rewards are computed against `train`'s captions (kept as metric tokens).
  CaptionPathLoss(const TrainConfig& config, const CaptionDataset& train, const Vocabulary& vocabulary);

  // distinct_grounded: v_l of the batch's distinct images (U, E); caption_grounded: v_l of each
  // caption's image (B, E); ids: the captions (B, L) on the model's device. Self-critical
  // training samples its captions from `generator`.
  torch::Tensor operator()(GxnModel& model, const torch::Tensor& distinct_grounded,
                           const torch::Tensor& caption_grounded, const CaptionBatch& batch, const torch::Tensor& ids,
                           bool self_critical, const at::Generator& generator) const;

 private:
  const TrainConfig& config_;
  const Vocabulary& vocabulary_;
  std::vector<std::vector<Tokens>> references_;  // each training image's captions
  std::unique_ptr<CiderD> cider_;                // reward cider: over the training captions
};

}  // namespace gxn
