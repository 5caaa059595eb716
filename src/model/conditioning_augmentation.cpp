#include "gxn/model/conditioning_augmentation.hpp"

#include <cmath>

#include "gxn/error.hpp"
#include "random_draws.hpp"
#include "tensor_checks.hpp"

namespace gxn {

namespace nn = torch::nn;

constexpr double kInitialLogVariance = -6.0;  // sigma = 0.05

ConditioningAugmentationImpl::ConditioningAugmentationImpl(std::int64_t embed_dim, std::int64_t condition_dim)
    : embed_dim_(embed_dim), condition_dim_(condition_dim) {
  detail::check_at_least(embed_dim, 1, "conditioning augmentation", "embed_dim");
  detail::check_at_least(condition_dim, 1, "conditioning augmentation", "condition_dim");
  phi = register_module("phi", nn::Linear(embed_dim, 4 * condition_dim));
  // With its default init phi gives unit-length t_l means about 0.02 apart (per dimension)
  // against a sigma of 1: t_c was noise, G learnt to ignore it, and two captions under one seed
  // gave the same images. Start with the means about 0.2 apart and sigma at 0.05, so that the
  // caption reaches G from the first step; the KL term then decides how much noise to keep. The
  // GLU's value rows [0, C) give mu and [C, 2C) log sigma^2, each times a gate near 0.5.
  torch::NoGradGuard no_grad;
  const std::int64_t c = condition_dim;
  phi->weight.narrow(0, 0, c).mul_(std::sqrt(static_cast<double>(embed_dim)));
  phi->bias.narrow(0, c, c).fill_(2 * kInitialLogVariance);
}

ConditioningAugmentationImpl::Output ConditioningAugmentationImpl::forward(
    const torch::Tensor& t_l, const std::optional<at::Generator>& generator) {
  detail::check_matrix(t_l, "conditioning augmentation", "t_l", embed_dim_);
  const auto gated = nn::functional::glu(phi(t_l), nn::functional::GLUFuncOptions(1));
  auto mean = gated.narrow(1, 0, condition_dim_);
  auto log_variance = gated.narrow(1, condition_dim_, condition_dim_);
  // Reparameterisation: the sample is a differentiable function of mu and sigma.
  auto condition = mean + (0.5 * log_variance).exp() * detail::standard_normal(mean.sizes(), mean.options(), generator);
  return {condition, mean, log_variance};
}

torch::Tensor kl_to_standard_normal(const torch::Tensor& mean, const torch::Tensor& log_variance) {
  const std::int64_t dim = detail::check_matrix_width(mean, "kl_to_standard_normal", "mean");
  detail::check_matrix(log_variance, "kl_to_standard_normal", "log_variance", dim, mean.size(0));
  return 0.5 * (mean.pow(2) + log_variance.exp() - 1 - log_variance).sum(1).mean();
}

}  // namespace gxn
