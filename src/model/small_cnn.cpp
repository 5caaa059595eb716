#include "gxn/model/small_cnn.hpp"

#include "gxn/model/config.hpp"

namespace gxn {

namespace nn = torch::nn;

SmallCnnImpl::SmallCnnImpl() {
  features = nn::Sequential();
  std::int64_t in = 3;
  for (std::int64_t out : {std::int64_t{32}, std::int64_t{64}, std::int64_t{128}, kCnnSmallChannels}) {
    if (in != 3) features->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
    features->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
    features->push_back(nn::BatchNorm2d(out));
    features->push_back(nn::ReLU(nn::ReLUOptions(true)));
    in = out;
  }
  register_module("features", features);
  for (auto& m : modules(/*include_self=*/false))
    if (auto* conv = m->as<nn::Conv2d>()) nn::init::kaiming_normal_(conv->weight, 0, torch::kFanOut, torch::kReLU);
}

torch::Tensor SmallCnnImpl::forward(const torch::Tensor& x) {
  return torch::adaptive_avg_pool2d(features->forward(x), {3, 3}).flatten(1);
}

}  // namespace gxn
