#pragma once
// D, the matching-aware discriminator of the text->image path (GAN-INT-CLS, StackGAN stage I):
// it scores an (image, caption) pair, so it learns to reject generated images and also real
// images shown with a caption of another image.
#include <torch/torch.h>

#include <cstdint>

namespace gxn {

struct ImageDiscriminatorOptions {
  ImageDiscriminatorOptions(std::int64_t embed_dim) : embed_dim_(embed_dim) {}
  TORCH_ARG(std::int64_t, embed_dim);       // width of t_l
  TORCH_ARG(std::int64_t, channels) = 64;   // c: the encoder widths are c, 2c, 4c, 8c
  TORCH_ARG(std::int64_t, text_dim) = 128;  // t_l is compressed to this width before tiling
};

struct ImageDiscriminatorImpl : torch::nn::Module {
  // Throws gxn::Error naming an option out of range.
  explicit ImageDiscriminatorImpl(const ImageDiscriminatorOptions& options);

  // images: (B, 3, 64, 64), scaled to [-1, 1]; t_l: (B, embed_dim) -> one logit per pair, (B).
  // sigmoid(logit) is D(i, t_l), the probability that the image is real and matches the caption.
  // Layers: four 4x4 stride-2 convs (64 -> 4 pixels; LeakyReLU 0.2, batch norm after all but
  // the first); t_l -> Linear + LeakyReLU to text_dim, tiled over the 4x4 map and concatenated;
  // a 3x3 conv + batch norm + LeakyReLU back to 8c channels; a 4x4 conv to one logit.
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& t_l);

  ImageDiscriminatorOptions options;
  torch::nn::Sequential encode_image{nullptr};  // (B, 3, 64, 64) -> (B, 8c, 4, 4)
  torch::nn::Linear compress_text{nullptr};     // t_l -> (B, text_dim)
  torch::nn::Sequential joint{nullptr};         // (B, 8c + text_dim, 4, 4) -> (B, 1, 1, 1)
};
TORCH_MODULE(ImageDiscriminator);

}  // namespace gxn
