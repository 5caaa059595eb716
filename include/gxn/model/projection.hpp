#pragma once
// P: a linear map into the common space, then optionally L2-normalised and made
// non-negative (absolute value), as order embeddings need.
#include <torch/torch.h>

namespace gxn {

struct ProjectionOptions {
  ProjectionOptions(std::int64_t in_dim, std::int64_t out_dim) : in_dim_(in_dim), out_dim_(out_dim) {}
  TORCH_ARG(std::int64_t, in_dim);
  TORCH_ARG(std::int64_t, out_dim);
  TORCH_ARG(bool, l2_normalize) = true;
  TORCH_ARG(bool, non_negative) = true;
};

struct ProjectionImpl : torch::nn::Module {
  explicit ProjectionImpl(const ProjectionOptions& options);
  torch::Tensor forward(const torch::Tensor& x);  // (B, in_dim) -> (B, out_dim)

  ProjectionOptions options;
  torch::nn::Linear linear{nullptr};
};
TORCH_MODULE(Projection);

}  // namespace gxn
