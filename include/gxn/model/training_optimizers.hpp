#pragma once
// The optimisers of a training run: the shared Adam that every path's summed loss steps (the
// encoders, the projections, RNN_Dec, the conditioning augmentation and G), and, with the t2i
// path, D's own Adam (beta1 0.5, as DCGAN) that D's loss steps. With generative_lr_scale other
// than 1, the shared Adam has a second group: RNN_Dec, the conditioning augmentation and G, at
// that times the rate of the first.
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "gxn/model/gxn_model.hpp"
#include "gxn/model/train_config.hpp"

namespace gxn {

struct TrainingOptimizers {
  // For `model`'s trainable parameters, split by owner (D's come from the module itself).
  TrainingOptimizers(GxnModel& model, const TrainConfig& config, double learning_rate);

  // The shared optimiser's: `learning_rate` for the encoders, times generative_lr_scale for the
  // second group (D's stays as configured).
  void set_learning_rate(double learning_rate);

  double generative_lr_scale;
  std::vector<torch::Tensor> shared_parameters, discriminator_parameters;
  std::unique_ptr<torch::optim::Adam> shared;
  std::unique_ptr<torch::optim::Adam> discriminator;  // null without the t2i path
};

}  // namespace gxn
