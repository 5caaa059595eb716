#include "gxn/model/ranking_loss.hpp"

#include <limits>
#include <string>

#include "gxn/error.hpp"

namespace gxn {

RankingLossOptions ranking_loss_options(const ModelConfig& config) {
  return RankingLossOptions().lambda(config.lambda).margin(config.margin).max_violation(config.max_violation);
}

BatchScores score_batch(const Embeddings& texts, const Embeddings& images, const torch::Tensor& image_ids,
                        double lambda) {
  const std::int64_t batch = texts.abstract.size(0);
  for (const auto* t : {&texts.abstract, &texts.grounded, &images.abstract, &images.grounded})
    if (t->dim() != 2 || t->size(0) != batch)
      throw Error(ErrorCode::Shape,
                  "scoring a batch: texts and images must be (B, E) with the same B = " + std::to_string(batch));
  BatchScores b;
  b.scores = blended_similarity(texts, images, lambda);
  if (image_ids.defined()) {
    if (image_ids.dim() != 1 || image_ids.size(0) != batch || image_ids.is_floating_point())
      throw Error(ErrorCode::Shape, "scoring a batch: image_ids must hold " + std::to_string(batch) + " integers");
    const auto ids = image_ids.to(b.scores.device());
    b.same_image = ids.unsqueeze(1).eq(ids.unsqueeze(0));
  } else {
    b.same_image = torch::eye(batch, b.scores.options().dtype(torch::kBool));
  }
  return b;
}

torch::Tensor RankingLossImpl::forward(const Embeddings& texts, const Embeddings& images,
                                       const torch::Tensor& image_ids) {
  return from_scores(score_batch(texts, images, image_ids, options.lambda()));
}

torch::Tensor RankingLossImpl::from_scores(const BatchScores& batch) {
  const auto& [scores, same_image] = batch;
  if (scores.size(0) == 0) return torch::zeros({}, scores.options());
  const auto positives = scores.diagonal();
  const double margin = options.margin();
  auto cost_images = (margin - positives.unsqueeze(1) + scores).clamp_min(0).masked_fill(same_image, 0);
  auto cost_captions = (margin - positives.unsqueeze(0) + scores).clamp_min(0).masked_fill(same_image, 0);
  if (options.max_violation()) {
    cost_images = std::get<0>(cost_images.max(1));
    cost_captions = std::get<0>(cost_captions.max(0));
  }
  return cost_images.sum() + cost_captions.sum();
}

double batch_recall_at_1(const BatchScores& batch) {
  torch::NoGradGuard no_grad;  // the loss's scores carry a graph; nothing here joins it
  const auto& [scores, same_image] = batch;
  if (scores.size(0) == 0) return 0;
  const auto negatives = scores.masked_fill(same_image, -std::numeric_limits<float>::infinity());
  const auto positives = scores.diagonal();
  // A batch of one image has no negative: its pairs rank first.
  const auto caption_hits = positives.gt(std::get<0>(negatives.max(1)));
  const auto image_hits = positives.gt(std::get<0>(negatives.max(0)));
  return 0.5 *
         (caption_hits.to(torch::kDouble).mean().item<double>() + image_hits.to(torch::kDouble).mean().item<double>());
}

double batch_recall_at_1(const Embeddings& texts, const Embeddings& images, const torch::Tensor& image_ids,
                         double lambda) {
  torch::NoGradGuard no_grad;
  return batch_recall_at_1(score_batch(texts, images, image_ids, lambda));
}

}  // namespace gxn
