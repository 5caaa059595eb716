#include "gxn/model/image_discriminator.hpp"

#include "gan_weights.hpp"
#include "gxn/model/image_generator.hpp"
#include "tensor_checks.hpp"

namespace gxn {

namespace nn = torch::nn;

namespace {

nn::LeakyReLU leaky_relu() { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true)); }

}  // namespace

ImageDiscriminatorImpl::ImageDiscriminatorImpl(const ImageDiscriminatorOptions& opts) : options(opts) {
  const std::string where = "image discriminator";
  detail::check_at_least(options.embed_dim(), 1, where, "embed_dim");
  detail::check_at_least(options.channels(), 1, where, "channels");
  detail::check_at_least(options.text_dim(), 1, where, "text_dim");
  const std::int64_t c = options.channels();
  encode_image = nn::Sequential();
  std::int64_t in = 3;
  for (std::int64_t out : {c, 2 * c, 4 * c, 8 * c}) {  // 64 -> 32 -> 16 -> 8 -> 4 pixels
    encode_image->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(2).padding(1).bias(false)));
    // No batch norm on the first layer (DCGAN): it would normalise away the image's own statistics.
    if (in != 3) encode_image->push_back(nn::BatchNorm2d(out));
    encode_image->push_back(leaky_relu());
    in = out;
  }
  register_module("encode_image", encode_image);
  compress_text = register_module("compress_text", nn::Linear(options.embed_dim(), options.text_dim()));
  joint = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(8 * c + options.text_dim(), 8 * c, 3).padding(1).bias(false)),
                         nn::BatchNorm2d(8 * c), leaky_relu(), nn::Conv2d(nn::Conv2dOptions(8 * c, 1, 4)));
  register_module("joint", joint);
  detail::init_gan_weights(*this);
}

torch::Tensor ImageDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& t_l) {
  const std::string where = "image discriminator";
  detail::check_images(images, where, "images", 3, kImagineImageSize);
  detail::check_matrix(t_l, where, "t_l", options.embed_dim(), images.size(0));
  const auto features = encode_image->forward(images);
  const auto text =
      nn::functional::leaky_relu(compress_text(t_l), nn::functional::LeakyReLUFuncOptions().negative_slope(0.2));
  const auto tiled = text.view({text.size(0), text.size(1), 1, 1}).expand({-1, -1, 4, 4});
  return joint->forward(torch::cat({features, tiled}, 1)).view({images.size(0)});
}

}  // namespace gxn
