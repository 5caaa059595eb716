#include "gxn/model/image_encoder.hpp"

#include "gxn/error.hpp"
#include "gxn/model/resnet.hpp"
#include "gxn/model/scripted_backbone.hpp"
#include "gxn/model/small_cnn.hpp"
#include "gxn/model/vgg.hpp"
#include "tensor_checks.hpp"

namespace gxn {
using detail::shape_string;

torch::Tensor imagenet_normalize(const torch::Tensor& rgb) {
  if (rgb.dim() != 4 || rgb.size(1) != 3)
    throw Error(ErrorCode::Shape, "imagenet_normalize: expected (B, 3, H, W), got " + shape_string(rgb));
  auto opts = rgb.options().dtype(torch::kFloat32);
  auto mean = torch::tensor({0.485f, 0.456f, 0.406f}, opts).view({1, 3, 1, 1});
  auto std = torch::tensor({0.229f, 0.224f, 0.225f}, opts).view({1, 3, 1, 1});
  return (rgb.to(torch::kFloat32) - mean) / std;
}

ImageEncoderImpl::ImageEncoderImpl(const ImageEncoderConfig& config, std::optional<torch::jit::Module> scripted)
    : config_(config) {
  switch (config_.backbone) {
    case Backbone::Precomp:
      if (config_.feature_dim < 1)
        throw Error(ErrorCode::InvalidArgument, "image.feature_dim must be at least 1 for precomputed features");
      return;
    case Backbone::CnnSmall: backbone_ = torch::nn::AnyModule(SmallCnn()); break;
    case Backbone::ResNet152: backbone_ = torch::nn::AnyModule(resnet152()); break;
    case Backbone::Vgg19: backbone_ = torch::nn::AnyModule(Vgg19()); break;
    case Backbone::TorchScript: {
      if (!scripted && config_.backbone_file.empty())
        throw Error(ErrorCode::InvalidArgument, "image.backbone_file: the torchscript backbone needs a module file");
      const std::string origin = scripted ? "the model's TorchScript backbone" : config_.backbone_file;
      auto module = scripted ? std::move(*scripted) : load_torchscript(config_.backbone_file);
      ScriptedBackbone holder(std::move(module), config_.feature_dim, origin);
      scripted_ = holder.ptr();
      backbone_ = torch::nn::AnyModule(holder);
      break;
    }
  }
  backbone_module_ = register_module("backbone", backbone_.ptr());
  // Exports may come with gradients switched either way: the config decides.
  for (auto& p : backbone_module_->parameters()) p.requires_grad_(trains_backbone());
  if (!trains_backbone()) backbone_module_->eval();
}

bool ImageEncoderImpl::trains_backbone() const {
  return config_.backbone == Backbone::CnnSmall || (backbone_module_ && config_.fine_tune);
}

const torch::jit::Module* ImageEncoderImpl::scripted_module() const {
  return scripted_ ? &scripted_->module() : nullptr;
}

void ImageEncoderImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (backbone_module_ && !trains_backbone()) backbone_module_->eval();
}

void ImageEncoderImpl::load_backbone_weights(const std::string& path) {
  if (!backbone_module_ || scripted_)
    throw Error(ErrorCode::InvalidArgument, path +
                                                ": weights can only be loaded into a cnn-small, resnet152 or vgg19 "
                                                "backbone, not " +
                                                to_string(config_.backbone));
  copy_weights_by_name(*backbone_module_, load_torchscript(path), path);
}

torch::Tensor ImageEncoderImpl::forward(const torch::Tensor& images) {
  if (!images.is_floating_point())
    throw Error(ErrorCode::InvalidArgument,
                "images: expected floating-point values, got " + std::string(c10::toString(images.scalar_type())));
  if (config_.backbone == Backbone::Precomp) {
    if ((images.dim() != 2 && images.dim() != 3) || images.size(-1) != config_.feature_dim)
      throw Error(ErrorCode::Shape, "precomputed image features: expected (B, " + std::to_string(config_.feature_dim) +
                                        ") or (B, R, " + std::to_string(config_.feature_dim) + "), got " +
                                        shape_string(images) + " (image.feature_dim)");
    const auto features = images.to(torch::kFloat32);
    if (features.dim() == 2) return features;
    if (features.size(1) == 0) throw Error(ErrorCode::Shape, "precomputed image features: no regions (R = 0)");
    return config_.region_pooling == RegionPooling::Mean ? features.mean(1) : std::get<0>(features.max(1));
  }
  const std::int64_t min_side = config_.backbone == Backbone::CnnSmall ? 8 : 32;
  if (images.dim() != 4 || images.size(1) != 3 ||
      (!scripted_ && (images.size(2) < min_side || images.size(3) < min_side)))
    throw Error(ErrorCode::Shape, std::string("images for the ") + to_string(config_.backbone) +
                                      " backbone: expected (B, 3, H, W) with H, W >= " + std::to_string(min_side) +
                                      ", got " + shape_string(images));
  if (trains_backbone()) return backbone_.forward(images);
  torch::NoGradGuard no_grad;
  return backbone_.forward(images);
}

}  // namespace gxn
