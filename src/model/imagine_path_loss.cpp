#include "imagine_path_loss.hpp"

#include "gxn/model/gan_loss.hpp"

namespace gxn {

GeneratorPass generator_pass(GxnModel& model, const TrainConfig& config, const torch::Tensor& caption_grounded,
                             const CaptionBatch& batch, const torch::Tensor& real_images, const at::Generator& random) {
  const auto device = caption_grounded.device();
  // G and D see each of the first real_images.size(0) distinct images once, with its first
  // caption in the batch.
  const auto distinct = static_cast<std::int64_t>(batch.distinct_images.size());
  const std::int64_t images = real_images.size(0);
  std::vector<std::int64_t> first_caption(static_cast<std::size_t>(distinct), -1);
  const auto rows = batch.image_rows.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < rows.size(0); ++i)
    if (first_caption[static_cast<std::size_t>(rows[i])] < 0) first_caption[static_cast<std::size_t>(rows[i])] = i;
  first_caption.resize(static_cast<std::size_t>(images));
  const torch::Tensor t_l = caption_grounded.index_select(0, torch::tensor(first_caption, torch::kInt64).to(device));
  const auto condition = model->conditioning(t_l, random);
  const torch::Tensor noise = sample_noise(t_l.size(0), config.model.generator.noise_dim, t_l.options(), random);
  const torch::Tensor fake = model->image_generator(noise, condition.condition);
  const std::vector<std::int64_t> shown(batch.distinct_images.begin(), batch.distinct_images.begin() + images);
  const torch::Tensor wrong_rows = mismatched_rows(torch::tensor(shown, torch::kInt64)).to(device);
  const GeneratorLoss adversarial =
      generator_loss(*model->image_discriminator, fake, t_l, condition.mean, condition.log_variance, config.kl_weight);
  torch::Tensor loss = adversarial.loss;
  if (config.reconstruction_weight > 0)
    loss = loss + config.reconstruction_weight * reconstruction_loss(fake, real_images);
  return {loss, real_images, fake.detach(), t_l.detach(), t_l.index_select(0, wrong_rows).detach()};
}

torch::Tensor discriminator_pass(GxnModel& model, const TrainConfig& config, const GeneratorPass& generator) {
  return discriminator_loss(*model->image_discriminator, generator.real, generator.fake, generator.t_l,
                            generator.wrong_t_l, config.fake_weight, config.wrong_weight)
      .loss;
}

}  // namespace gxn
