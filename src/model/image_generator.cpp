#include "gxn/model/image_generator.hpp"

#include "gan_weights.hpp"
#include "random_draws.hpp"
#include "tensor_checks.hpp"

namespace gxn {

namespace nn = torch::nn;

ImageGeneratorImpl::ImageGeneratorImpl(const ImageGeneratorOptions& opts) : options(opts) {
  const std::string where = "image generator";
  detail::check_at_least(options.condition_dim(), 1, where, "condition_dim");
  detail::check_at_least(options.noise_dim(), 1, where, "noise_dim");
  detail::check_at_least(options.channels(), 2, where, "channels");
  if (options.channels() % 2 != 0)
    throw Error(ErrorCode::InvalidArgument, where + ": channels must be even (the last block has channels / 2), got " +
                                                std::to_string(options.channels()));
  std::int64_t width = 8 * options.channels();
  project = register_module(
      "project",
      nn::Linear(nn::LinearOptions(options.noise_dim() + options.condition_dim(), width * 4 * 4).bias(false)));
  project_norm = register_module("project_norm", nn::BatchNorm2d(width));
  upsample = nn::Sequential();
  for (int block = 0; block < 4; ++block) {  // 4 -> 8 -> 16 -> 32 -> 64 pixels
    upsample->push_back(
        nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest)));
    upsample->push_back(nn::Conv2d(nn::Conv2dOptions(width, width / 2, 3).padding(1).bias(false)));
    upsample->push_back(nn::BatchNorm2d(width / 2));
    upsample->push_back(nn::ReLU(nn::ReLUOptions(true)));
    width /= 2;
  }
  upsample->push_back(nn::Conv2d(nn::Conv2dOptions(width, 3, 3).padding(1)));
  upsample->push_back(nn::Tanh());
  register_module("upsample", upsample);
  detail::init_gan_weights(*this);
}

torch::Tensor ImageGeneratorImpl::forward(const torch::Tensor& noise, const torch::Tensor& condition) {
  const std::string where = "image generator";
  detail::check_matrix(noise, where, "z", options.noise_dim());
  detail::check_matrix(condition, where, "t_c", options.condition_dim(), noise.size(0));
  const auto x = project(torch::cat({noise, condition}, 1)).view({noise.size(0), 8 * options.channels(), 4, 4});
  return upsample->forward(torch::relu(project_norm(x)));
}

torch::Tensor sample_noise(std::int64_t batch, std::int64_t noise_dim, const torch::TensorOptions& options,
                           const std::optional<at::Generator>& generator) {
  detail::check_at_least(batch, 1, "sample_noise", "batch");
  detail::check_at_least(noise_dim, 1, "sample_noise", "noise_dim");
  return detail::standard_normal({batch, noise_dim}, options, generator);
}

}  // namespace gxn
