#pragma once
// torchvision's VGG-19 (no batch norm) with its parameter names (features.N, classifier.N),
// so weights exported from PyTorch load by name. The classifier stops at its second ReLU:
// forward gives the 4096-d penultimate features (its dropout is active only in training).
#include <torch/torch.h>

namespace gxn {

struct Vgg19Impl : torch::nn::Module {
  Vgg19Impl();
  // (B, 3, H, W) ImageNet-normalised, H and W >= 32 -> (B, 4096).
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Sequential features{nullptr};
  torch::nn::Sequential classifier{nullptr};  // Linear, ReLU, Dropout, Linear, ReLU
};
TORCH_MODULE(Vgg19);

}  // namespace gxn
