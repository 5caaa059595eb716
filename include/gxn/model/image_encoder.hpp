#pragma once
// CNN_Enc: one feature vector per image, from the backbone the configuration selects.
#include <torch/torch.h>

#include <optional>

#include "gxn/model/config.hpp"

namespace gxn {

struct ScriptedBackboneImpl;

// (B, 3, H, W) RGB in [0, 1] -> normalised with ImageNet's mean and std, the input
// resnet152, vgg19 and torchvision exports expect (cnn-small is trained on it too).
torch::Tensor imagenet_normalize(const torch::Tensor& rgb);

struct ImageEncoderImpl : torch::nn::Module {
  // Builds the backbone with random weights; torchscript loads config.backbone_file, unless
  // `scripted` is given (a model file carries its module). Throws gxn::Error on a bad config.
  explicit ImageEncoderImpl(const ImageEncoderConfig& config,
                            std::optional<torch::jit::Module> scripted = std::nullopt);

  // precomp: (B, D) or (B, R, D) features, regions pooled; the CNNs: (B, 3, H, W) from
  // imagenet_normalize. Returns (B, feature_dim()). A frozen backbone runs without gradients.
  torch::Tensor forward(const torch::Tensor& images);

  // Keeps a frozen backbone in eval mode (batch-norm statistics fixed) whatever `on` is.
  void train(bool on = true) override;

  // Copies weights exported by scripts/export_backbone.py into a native backbone (cnn-small,
  // resnet152, vgg19) by name; gxn::Error on a missing, unexpected or mis-shaped name.
  void load_backbone_weights(const std::string& path);

  std::int64_t feature_dim() const { return image_feature_dim(config_); }
  // Whether the backbone's weights are trained (cnn-small always; the others if fine_tune).
  bool trains_backbone() const;
  const ImageEncoderConfig& config() const { return config_; }
  // The TorchScript module of a torchscript backbone, else nullptr.
  const torch::jit::Module* scripted_module() const;

 private:
  ImageEncoderConfig config_;
  torch::nn::AnyModule backbone_;  // empty for precomp
  std::shared_ptr<torch::nn::Module> backbone_module_;
  std::shared_ptr<ScriptedBackboneImpl> scripted_;
};
TORCH_MODULE(ImageEncoder);

}  // namespace gxn
