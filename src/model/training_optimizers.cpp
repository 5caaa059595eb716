#include "gxn/model/training_optimizers.hpp"

#include <set>

namespace gxn {

namespace {

void add_owner(std::set<const void*>& owned, const torch::nn::Module& module) {
  for (const auto& p : module.parameters()) owned.insert(p.unsafeGetTensorImpl());
}

}  // namespace

TrainingOptimizers::TrainingOptimizers(GxnModel& model, const TrainConfig& config, double learning_rate)
    : generative_lr_scale(config.generative_lr_scale) {
  std::set<const void*> of_discriminator, of_generative_paths;
  if (model->has_generator()) {
    add_owner(of_discriminator, *model->image_discriminator);
    add_owner(of_generative_paths, *model->conditioning);
    add_owner(of_generative_paths, *model->image_generator);
  }
  if (model->has_decoder()) add_owner(of_generative_paths, *model->caption_decoder);
  const bool own_group = generative_lr_scale != 1.0;
  std::vector<torch::Tensor> encoders, generative;
  for (const auto& p : model->parameters()) {
    if (!p.requires_grad()) continue;
    const void* impl = p.unsafeGetTensorImpl();
    if (of_discriminator.count(impl)) {
      discriminator_parameters.push_back(p);
      continue;
    }
    shared_parameters.push_back(p);
    (own_group && of_generative_paths.count(impl) ? generative : encoders).push_back(p);
  }
  // One group unless the scale differs, so checkpoints of one-rate runs keep their layout.
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(encoders, std::make_unique<torch::optim::AdamOptions>(learning_rate));
  if (!generative.empty())
    groups.emplace_back(generative, std::make_unique<torch::optim::AdamOptions>(learning_rate * generative_lr_scale));
  shared = std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(learning_rate));
  if (config.model.paths.t2i)
    discriminator = std::make_unique<torch::optim::Adam>(
        discriminator_parameters,
        torch::optim::AdamOptions(config.discriminator_learning_rate).betas(std::make_tuple(0.5, 0.999)));
}

void TrainingOptimizers::set_learning_rate(double learning_rate) {
  auto& groups = shared->param_groups();
  for (std::size_t g = 0; g < groups.size(); ++g)
    static_cast<torch::optim::AdamOptions&>(groups[g].options())
        .lr(g == 0 ? learning_rate : learning_rate * generative_lr_scale);
}

}  // namespace gxn
