#pragma once
// DCGAN / StackGAN initialisation for the generator and the discriminator (private to
// gxn::model): conv weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02), their shifts 0.
// Small weights keep both networks near-linear at the start, which steadies early GAN steps.
#include <torch/torch.h>

namespace gxn::detail {

inline void init_gan_weights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* conv = m->as<torch::nn::Conv2d>()) {
      conv->weight.normal_(0.0, 0.02);
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* norm = m->as<torch::nn::BatchNorm2d>()) {
      norm->weight.normal_(1.0, 0.02);
      norm->bias.zero_();
    }
  }
}

}  // namespace gxn::detail
