#pragma once
// A small CNN trained from scratch: four 3x3 conv + batch-norm + ReLU stages (32, 64, 128,
// 256 channels, 2x2 max pool between them) and a global average pool. About 60 M multiply-adds
// for a 64x64 image, so the demo trains on a CPU.
#include <torch/torch.h>

namespace gxn {

struct SmallCnnImpl : torch::nn::Module {
  SmallCnnImpl();
  // (B, 3, H, W), H and W >= 8 -> (B, kCnnSmallFeatureDim).
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Sequential features{nullptr};
};
TORCH_MODULE(SmallCnn);

}  // namespace gxn
