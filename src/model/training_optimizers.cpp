#include "gxn/model/training_optimizers.hpp"

#include <set>

namespace gxn {

TrainingOptimizers::TrainingOptimizers(GxnModel& model, const TrainConfig& config, double learning_rate) {
  std::set<const void*> of_discriminator;
  if (model->has_generator())
    for (const auto& p : model->image_discriminator->parameters()) of_discriminator.insert(p.unsafeGetTensorImpl());
  for (const auto& p : model->parameters()) {
    if (!p.requires_grad()) continue;
    (of_discriminator.count(p.unsafeGetTensorImpl()) ? discriminator_parameters : shared_parameters).push_back(p);
  }
  shared = std::make_unique<torch::optim::Adam>(shared_parameters, torch::optim::AdamOptions(learning_rate));
  if (config.model.paths.t2i)
    discriminator = std::make_unique<torch::optim::Adam>(
        discriminator_parameters,
        torch::optim::AdamOptions(config.discriminator_learning_rate).betas(std::make_tuple(0.5, 0.999)));
}

void TrainingOptimizers::set_learning_rate(double learning_rate) {
  for (auto& group : shared->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);
}

}  // namespace gxn
