#include "imagine_path_loss.hpp"

#include "gxn/model/gan_loss.hpp"

namespace gxn {

GeneratorPass generator_pass(GxnModel& model, const TrainConfig& config, const torch::Tensor& caption_grounded,
                             const CaptionBatch& batch, const at::Generator& random) {
  const auto device = caption_grounded.device();
  // G and D see each distinct image once, with its first caption in the batch.
  std::vector<std::int64_t> first_caption(batch.distinct_images.size(), -1);
  const auto rows = batch.image_rows.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < rows.size(0); ++i)
    if (first_caption[static_cast<std::size_t>(rows[i])] < 0) first_caption[static_cast<std::size_t>(rows[i])] = i;
  const torch::Tensor t_l = caption_grounded.index_select(0, torch::tensor(first_caption, torch::kInt64).to(device));
  const auto condition = model->conditioning(t_l, random);
  const torch::Tensor noise = sample_noise(t_l.size(0), config.model.generator.noise_dim, t_l.options(), random);
  const torch::Tensor fake = model->image_generator(noise, condition.condition);
  const torch::Tensor wrong_rows = mismatched_rows(torch::tensor(batch.distinct_images, torch::kInt64)).to(device);
  const GeneratorLoss loss =
      generator_loss(*model->image_discriminator, fake, t_l, condition.mean, condition.log_variance, config.kl_weight);
  return {loss.loss, fake.detach(), t_l.detach(), t_l.index_select(0, wrong_rows).detach()};
}

torch::Tensor discriminator_pass(GxnModel& model, const TrainConfig& config, const GeneratorPass& generator,
                                 const torch::Tensor& real_images) {
  return discriminator_loss(*model->image_discriminator, real_images, generator.fake, generator.t_l,
                            generator.wrong_t_l, config.fake_weight, config.wrong_weight)
      .loss;
}

}  // namespace gxn
