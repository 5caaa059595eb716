#pragma once
// L_R+: the bidirectional hinge ranking loss over in-batch negatives, scored with s*.
#include <torch/torch.h>

#include "gxn/model/config.hpp"
#include "gxn/model/order_similarity.hpp"

namespace gxn {

struct RankingLossOptions {
  TORCH_ARG(double, lambda) = 0.5;         // weight of the abstract level in s*
  TORCH_ARG(double, margin) = 0.2;         // alpha
  TORCH_ARG(bool, max_violation) = false;  // hardest negative only (VSE++), else all negatives
};

// The loss a model's config asks for (lambda, margin, max_violation).
RankingLossOptions ranking_loss_options(const ModelConfig& config);

// A batch scored once, so the loss and the recall below share one s* pass: scores[i][j] is
// s*(caption i, image j), same_image[i][j] whether rows i and j show one image.
struct BatchScores {
  torch::Tensor scores;      // (B, B)
  torch::Tensor same_image;  // (B, B) bool
};

// texts, images: (B, E) each; image_ids: (B) integers, or undefined when every row shows a
// different image. Throws gxn::Error (Shape) when they disagree.
BatchScores score_batch(const Embeddings& texts, const Embeddings& images, const torch::Tensor& image_ids,
                        double lambda);

// Row i of `texts` and row i of `images` are a matching pair; image_ids[i] says which image
// row i shows, so pairs sharing an image (several captions of it in one batch) are never
// each other's negatives. With d_i = s*(t_i, v_i):
//   L = sum_i sum_j [alpha - d_i + s*(t_i, v_j)]_+  (images v_j as negatives of caption t_i)
//     + sum_j sum_i [alpha - d_j + s*(t_i, v_j)]_+  (captions t_i as negatives of image v_j)
// over pairs (i, j) with image_ids[i] != image_ids[j]; with max_violation each inner sum is
// its largest term. The loss is summed, not averaged, over the batch (as VSE++).
struct RankingLossImpl : torch::nn::Module {
  explicit RankingLossImpl(const RankingLossOptions& options = {}) : options(options) {}
  // Inputs as score_batch takes them, scored with options.lambda. Returns a scalar.
  torch::Tensor forward(const Embeddings& texts, const Embeddings& images, const torch::Tensor& image_ids = {});
  // The same on a batch score_batch has scored (with options.lambda).
  torch::Tensor from_scores(const BatchScores& batch);

  RankingLossOptions options;
};
TORCH_MODULE(RankingLoss);

// How well s* (with this lambda) separates the batch: the share of captions whose own image
// scores highest among the batch's images, and of images whose own caption scores highest
// among the batch's captions, averaged (in [0, 1]). A tie with a negative counts as a miss, so
// a batch whose embeddings all coincide scores 0. Pairs sharing an image are not negatives, as
// in the loss. No gradient.
double batch_recall_at_1(const BatchScores& batch);
double batch_recall_at_1(const Embeddings& texts, const Embeddings& images, const torch::Tensor& image_ids,
                         double lambda);

}  // namespace gxn
