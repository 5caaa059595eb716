#pragma once
// torchvision's ResNet (v1.5: stride in the 3x3 conv) with its module and parameter names
// (conv1, bn1, layer1.0.conv1, ..., layer4.2.downsample.0/1), so weights exported from
// PyTorch load by name. The classifier is left out: forward gives the pooled features.
#include <torch/torch.h>

#include <array>

namespace gxn {

struct BottleneckImpl : torch::nn::Module {
  static constexpr std::int64_t kExpansion = 4;
  BottleneckImpl(std::int64_t in_channels, std::int64_t width, std::int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};  // 1x1 conv + BN when the shape changes, else empty
};
TORCH_MODULE(Bottleneck);

struct ResNetImpl : torch::nn::Module {
  // Blocks per stage: {3, 8, 36, 3} is resnet152, {3, 4, 23, 3} resnet101, {3, 4, 6, 3} resnet50.
  explicit ResNetImpl(std::array<std::int64_t, 4> blocks);
  // (B, 3, H, W) ImageNet-normalised -> (B, 2048), the global average of the last stage.
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
};
TORCH_MODULE(ResNet);

ResNet resnet152();

}  // namespace gxn
