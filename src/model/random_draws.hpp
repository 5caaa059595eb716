#pragma once
// Private to gxn::model: random draws from a given generator, or from the default one. A given
// generator is a CPU generator whatever the device: the draws are made on the CPU and moved to
// where they are used, so the same generator gives the same numbers on every device, and two
// threads with generators of their own draw independently of each other and of the default one.
#include <torch/torch.h>

#include <optional>

namespace gxn::detail {

// N(0, 1) draws of `sizes`, in `options`' type and device.
inline torch::Tensor standard_normal(torch::IntArrayRef sizes, const torch::TensorOptions& options,
                                     const std::optional<at::Generator>& generator) {
  if (!generator) return torch::randn(sizes, options);
  return torch::randn(sizes, *generator, options.device(torch::kCPU)).to(options.device());
}

// One index per row of `probabilities` (N, K), drawn with those probabilities.
inline torch::Tensor draw_categorical(const torch::Tensor& probabilities,
                                      const std::optional<at::Generator>& generator) {
  if (!generator) return torch::multinomial(probabilities, 1).squeeze(1);
  return torch::multinomial(probabilities.to(torch::kCPU), 1, false, *generator).squeeze(1).to(probabilities.device());
}

}  // namespace gxn::detail
