#include "caption_path_loss.hpp"

#include "gxn/model/self_critical.hpp"

namespace gxn {

CaptionPathLoss::CaptionPathLoss(const TrainConfig& config, const CaptionDataset& train, const Vocabulary& vocabulary)
    : config_(config), vocabulary_(vocabulary), references_(train.reference_tokens()) {
  if (config.reward == CaptionRewardKind::CiderD) cider_ = std::make_unique<CiderD>(references_);
}

torch::Tensor CaptionPathLoss::operator()(GxnModel& model, const torch::Tensor& distinct_grounded,
                                          const torch::Tensor& caption_grounded, const CaptionBatch& batch,
                                          const torch::Tensor& ids, bool self_critical,
                                          const at::Generator& generator) const {
  const torch::Tensor xe = model->caption_decoder->xe_loss(caption_grounded, ids, batch.captions.lengths);
  if (!self_critical) return xe;
  DecodeOptions sampling = greedy_decoding(config_.model);
  sampling.mode = DecodeMode::Sample;
  sampling.temperature = config_.sample_temperature;
  sampling.generator = generator;
  // rl_samples rows per image (row r is image r % U), each sampled on its own.
  const auto images = static_cast<std::int64_t>(batch.distinct_images.size());
  const CaptionReward reward = [&](const std::vector<std::int64_t>& word_ids, std::int64_t item) {
    const auto image = static_cast<std::size_t>(batch.distinct_images[static_cast<std::size_t>(item % images)]);
    const Tokens words = vocabulary_.decode(word_ids);
    if (cider_) return cider_->score(words, image);
    return sentence_bleu(words, references_[image]).bleu[3];
  };
  const SelfCriticalResult rl =
      self_critical_loss(model->caption_decoder, distinct_grounded.repeat({config_.rl_samples, 1}), reward, sampling);
  return (1 - config_.rl_weight) * xe + config_.rl_weight * rl.loss;
}

}  // namespace gxn
