#include "gxn/model/resnet.hpp"

namespace gxn {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

}  // namespace

BottleneckImpl::BottleneckImpl(std::int64_t in_channels, std::int64_t width, std::int64_t stride) {
  const std::int64_t out_channels = width * kExpansion;
  conv1 = register_module("conv1", conv(in_channels, width, 1, 1, 0));
  bn1 = register_module("bn1", nn::BatchNorm2d(width));
  conv2 = register_module("conv2", conv(width, width, 3, stride, 1));
  bn2 = register_module("bn2", nn::BatchNorm2d(width));
  conv3 = register_module("conv3", conv(width, out_channels, 1, 1, 0));
  bn3 = register_module("bn3", nn::BatchNorm2d(out_channels));
  if (stride != 1 || in_channels != out_channels)
    downsample = register_module(
        "downsample", nn::Sequential(conv(in_channels, out_channels, 1, stride, 0), nn::BatchNorm2d(out_channels)));
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(bn1(conv1(x)));
  y = torch::relu(bn2(conv2(y)));
  y = bn3(conv3(y));
  return torch::relu(y + (downsample ? downsample->forward(x) : x));
}

ResNetImpl::ResNetImpl(std::array<std::int64_t, 4> blocks) {
  conv1 = register_module("conv1", conv(3, 64, 7, 2, 3));
  bn1 = register_module("bn1", nn::BatchNorm2d(64));
  std::int64_t channels = 64;
  auto stage = [&](std::int64_t width, std::int64_t count, std::int64_t stride) {
    nn::Sequential s;
    for (std::int64_t i = 0; i < count; ++i) {
      s->push_back(Bottleneck(channels, width, i == 0 ? stride : 1));
      channels = width * BottleneckImpl::kExpansion;
    }
    return s;
  };
  layer1 = register_module("layer1", stage(64, blocks[0], 1));
  layer2 = register_module("layer2", stage(128, blocks[1], 2));
  layer3 = register_module("layer3", stage(256, blocks[2], 2));
  layer4 = register_module("layer4", stage(512, blocks[3], 2));
  // torchvision's initialisation, for training from scratch.
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2d>()) nn::init::kaiming_normal_(c->weight, 0, torch::kFanOut, torch::kReLU);
  }
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(bn1(conv1(x)));
  y = torch::max_pool2d(y, 3, 2, 1);
  y = layer4->forward(layer3->forward(layer2->forward(layer1->forward(y))));
  return y.mean({2, 3});
}

ResNet resnet152() { return ResNet(std::array<std::int64_t, 4>{3, 8, 36, 3}); }

}  // namespace gxn
