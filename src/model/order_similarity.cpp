#include "gxn/model/order_similarity.hpp"

#include "gxn/error.hpp"
#include "tensor_checks.hpp"

namespace gxn {

torch::Tensor order_violation(const torch::Tensor& texts, const torch::Tensor& images) {
  if (texts.dim() != 2 || images.dim() != 2 || texts.size(1) != images.size(1))
    throw Error(ErrorCode::Shape, "order_violation: expected texts (Bt, E) and images (Bv, E), got " +
                                      detail::shape_string(texts) + " and " + detail::shape_string(images));
  // (1, Bv, E) - (Bt, 1, E): the (Bt, Bv, E) intermediate is what autograd keeps.
  return -torch::relu(images.unsqueeze(0) - texts.unsqueeze(1)).pow(2).sum(2);
}

torch::Tensor blended_similarity(const Embeddings& texts, const Embeddings& images, double lambda) {
  return lambda * order_violation(texts.abstract, images.abstract) +
         (1.0 - lambda) * order_violation(texts.grounded, images.grounded);
}

}  // namespace gxn
