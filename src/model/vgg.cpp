#include "gxn/model/vgg.hpp"

namespace gxn {

namespace nn = torch::nn;

Vgg19Impl::Vgg19Impl() {
  // Configuration "E": channels per conv, 0 for a 2x2 max pool.
  const std::int64_t layout[] = {64,  64,  0,   128, 128, 0,   256, 256, 256, 256, 0,
                                 512, 512, 512, 512, 0,   512, 512, 512, 512, 0};
  features = nn::Sequential();
  std::int64_t channels = 3;
  for (std::int64_t c : layout) {
    if (c == 0) {
      features->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
    } else {
      features->push_back(nn::Conv2d(nn::Conv2dOptions(channels, c, 3).padding(1)));
      features->push_back(nn::ReLU(nn::ReLUOptions(true)));
      channels = c;
    }
  }
  register_module("features", features);
  classifier = register_module(
      "classifier", nn::Sequential(nn::Linear(512 * 7 * 7, 4096), nn::ReLU(nn::ReLUOptions(true)), nn::Dropout(0.5),
                                   nn::Linear(4096, 4096), nn::ReLU(nn::ReLUOptions(true))));
  // torchvision's initialisation, for training from scratch.
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0, torch::kFanOut, torch::kReLU);
      nn::init::zeros_(conv->bias);
    } else if (auto* fc = m->as<nn::Linear>()) {
      nn::init::normal_(fc->weight, 0, 0.01);
      nn::init::zeros_(fc->bias);
    }
  }
}

torch::Tensor Vgg19Impl::forward(const torch::Tensor& x) {
  auto y = torch::adaptive_avg_pool2d(features->forward(x), {7, 7});
  return classifier->forward(y.flatten(1));
}

}  // namespace gxn
