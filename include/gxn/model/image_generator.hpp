#pragma once
// G, the decoder of the text->image path (CNN_Dec): noise z and the augmented condition t_c
// (see conditioning_augmentation.hpp) -> a 64x64 RGB image in [-1, 1], shaped as StackGAN's
// stage-I generator.
#include <torch/torch.h>

#include <optional>

#include <cstdint>

namespace gxn {

// Side of the square RGB images the text->image path generates and discriminates.
constexpr std::int64_t kImagineImageSize = 64;

struct ImageGeneratorOptions {
  ImageGeneratorOptions(std::int64_t condition_dim) : condition_dim_(condition_dim) {}
  TORCH_ARG(std::int64_t, condition_dim);    // width of t_c
  TORCH_ARG(std::int64_t, noise_dim) = 100;  // width of z
  // Base width c: the 4x4 map has 8c channels, halved by each of the four upsampling blocks
  // (4c, 2c, c, c/2 at 8, 16, 32, 64 pixels). Even, >= 2.
  TORCH_ARG(std::int64_t, channels) = 64;
};

struct ImageGeneratorImpl : torch::nn::Module {
  // Throws gxn::Error naming an option out of range.
  explicit ImageGeneratorImpl(const ImageGeneratorOptions& options);

  // noise: (B, noise_dim), condition: (B, condition_dim) -> (B, 3, 64, 64) in [-1, 1] (tanh).
  // Layers: a linear to 4x4x8c, batch norm + ReLU; four blocks of nearest x2 upsampling,
  // 3x3 conv, batch norm, ReLU; a 3x3 conv to RGB and tanh. Batch norm runs on the 4x4 map
  // (BatchNorm2d, not 1d over the linear's output) so one row (B = 1) works in train mode too.
  torch::Tensor forward(const torch::Tensor& noise, const torch::Tensor& condition);

  ImageGeneratorOptions options;
  torch::nn::Linear project{nullptr};  // [z, t_c] -> 8c x 4 x 4
  torch::nn::BatchNorm2d project_norm{nullptr};
  torch::nn::Sequential upsample{nullptr};  // the four blocks, the RGB conv and tanh
};
TORCH_MODULE(ImageGenerator);

// z ~ N(0, I): (batch, noise_dim) in `options`' type and device, drawn from `generator` (a CPU
// generator, whatever the device) or without one from the default generator of the device.
// batch >= 1, noise_dim >= 1.
torch::Tensor sample_noise(std::int64_t batch, std::int64_t noise_dim, const torch::TensorOptions& options = {},
                           const std::optional<at::Generator>& generator = std::nullopt);

}  // namespace gxn
