#include "gxn/model/ranking_loss.hpp"

#include "gxn/error.hpp"

namespace gxn {

RankingLossOptions ranking_loss_options(const ModelConfig& config) {
  return RankingLossOptions().lambda(config.lambda).margin(config.margin).max_violation(config.max_violation);
}

torch::Tensor RankingLossImpl::forward(const Embeddings& texts, const Embeddings& images,
                                       const torch::Tensor& image_ids) {
  const std::int64_t batch = texts.abstract.size(0);
  for (const auto* t : {&texts.abstract, &texts.grounded, &images.abstract, &images.grounded})
    if (t->dim() != 2 || t->size(0) != batch)
      throw Error(ErrorCode::Shape,
                  "ranking loss: texts and images must be (B, E) with the same B = " + std::to_string(batch));
  if (batch == 0) return torch::zeros({}, texts.abstract.options());
  const auto scores = blended_similarity(texts, images, options.lambda());  // [caption i][image j]
  const auto positives = scores.diagonal();
  torch::Tensor same_image;
  if (image_ids.defined()) {
    if (image_ids.dim() != 1 || image_ids.size(0) != batch || image_ids.is_floating_point())
      throw Error(ErrorCode::Shape, "ranking loss: image_ids must hold " + std::to_string(batch) + " integers");
    const auto ids = image_ids.to(scores.device());
    same_image = ids.unsqueeze(1).eq(ids.unsqueeze(0));
  } else {
    same_image = torch::eye(batch, scores.options().dtype(torch::kBool));
  }
  const double margin = options.margin();
  auto cost_images = (margin - positives.unsqueeze(1) + scores).clamp_min(0).masked_fill(same_image, 0);
  auto cost_captions = (margin - positives.unsqueeze(0) + scores).clamp_min(0).masked_fill(same_image, 0);
  if (options.max_violation()) {
    cost_images = std::get<0>(cost_images.max(1));
    cost_captions = std::get<0>(cost_captions.max(0));
  }
  return cost_images.sum() + cost_captions.sum();
}

}  // namespace gxn
