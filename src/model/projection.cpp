#include "gxn/model/projection.hpp"

namespace gxn {

namespace nn = torch::nn;

ProjectionImpl::ProjectionImpl(const ProjectionOptions& opts) : options(opts) {
  linear = register_module("linear", nn::Linear(options.in_dim(), options.out_dim()));
  // Xavier uniform, as VSE++ and order embeddings initialise their projections.
  nn::init::xavier_uniform_(linear->weight);
  nn::init::zeros_(linear->bias);
}

torch::Tensor ProjectionImpl::forward(const torch::Tensor& x) {
  auto y = linear(x);
  if (options.l2_normalize()) y = nn::functional::normalize(y, nn::functional::NormalizeFuncOptions().dim(1));
  return options.non_negative() ? y.abs() : y;
}

}  // namespace gxn
