#pragma once
// Conditioning augmentation (StackGAN): the grounded caption embedding t_l is compressed by
// phi into the mean mu and log-variance log sigma^2 of a diagonal Gaussian, and the generator
// is conditioned on a sample t_c ~ N(mu, sigma^2). Sampling gives many plausible conditions per
// caption (smoother conditioning manifold from few captions); the KL term below keeps the
// Gaussian near N(0, I) so it does not collapse to a point.
#include <torch/torch.h>

#include <cstdint>
#include <optional>

namespace gxn {

struct ConditioningAugmentationImpl : torch::nn::Module {
  // phi = Linear(embed_dim, 4 * condition_dim) followed by a gated linear unit (as StackGAN++
  // and AttnGAN), giving 2 * condition_dim values: mu, then log sigma^2. The gate keeps both
  // signs, so mu = 0, sigma = 1 is reachable (StackGAN-v1's ReLU would pin sigma >= 1).
  ConditioningAugmentationImpl(std::int64_t embed_dim, std::int64_t condition_dim);

  struct Output {
    torch::Tensor condition;     // t_c = mu + sigma * eps, (B, condition_dim)
    torch::Tensor mean;          // mu, (B, condition_dim)
    torch::Tensor log_variance;  // log sigma^2, (B, condition_dim)
  };

  // t_l: (B, embed_dim). eps ~ N(0, I) is drawn from `generator` (a CPU generator, whatever
  // t_l's device), or without one from the default generator of t_l's device. Sampling happens
  // in eval() mode too: imagining several images for one caption wants the variety; a caller
  // wanting the mode uses Output::mean.
  Output forward(const torch::Tensor& t_l, const std::optional<at::Generator>& generator = std::nullopt);

  std::int64_t embed_dim() const { return embed_dim_; }
  std::int64_t condition_dim() const { return condition_dim_; }

  torch::nn::Linear phi{nullptr};

 private:
  std::int64_t embed_dim_, condition_dim_;
};
TORCH_MODULE(ConditioningAugmentation);

// KL(N(mu, sigma^2) || N(0, I)) = 1/2 sum_k (mu_k^2 + sigma_k^2 - 1 - log sigma_k^2), summed over
// the condition dimensions and averaged over the batch: a scalar, exactly 0 at mu = 0,
// log sigma^2 = 0. mean and log_variance: (B, D) each, B >= 1.
torch::Tensor kl_to_standard_normal(const torch::Tensor& mean, const torch::Tensor& log_variance);

}  // namespace gxn
