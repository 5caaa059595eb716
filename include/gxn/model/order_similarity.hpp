#pragma once
// The order-violation similarity of the common space and its two-level blend s*.
#include <torch/torch.h>

namespace gxn {

// A batch in the common space: (B, embed_dim) each. For images {v_h, v_l}, for captions
// {t_h, t_l}. The grounded pair (v_l, t_l) is what the caption decoder and the generator
// condition on.
struct Embeddings {
  torch::Tensor abstract;  // v_h / t_h
  torch::Tensor grounded;  // v_l / t_l
};

// s(t, v) = -||max(0, v - t)||^2 for every pair: texts (Bt, E), images (Bv, E) -> (Bt, Bv).
// 0 when the caption t is above the image v in the partial order, negative otherwise.
torch::Tensor order_violation(const torch::Tensor& texts, const torch::Tensor& images);

// s* = lambda s(t_h, v_h) + (1 - lambda) s(t_l, v_l): (Bt, Bv).
torch::Tensor blended_similarity(const Embeddings& texts, const Embeddings& images, double lambda);

}  // namespace gxn
