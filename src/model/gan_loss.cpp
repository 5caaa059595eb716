#include "gxn/model/gan_loss.hpp"

#include <algorithm>
#include <vector>

#include "gxn/model/conditioning_augmentation.hpp"
#include "gxn/model/image_generator.hpp"
#include "tensor_checks.hpp"

namespace gxn {

namespace {

// -E[log sigmoid(x)] and -E[log(1 - sigmoid(x))] over a batch of logits.
torch::Tensor minus_log_d(const torch::Tensor& logits) { return torch::nn::functional::softplus(-logits).mean(); }
torch::Tensor minus_log_one_minus_d(const torch::Tensor& logits) {
  return torch::nn::functional::softplus(logits).mean();
}

}  // namespace

DiscriminatorLoss discriminator_loss(ImageDiscriminatorImpl& discriminator, const torch::Tensor& real_images,
                                     const torch::Tensor& fake_images, const torch::Tensor& t_l,
                                     const torch::Tensor& wrong_t_l, double beta_f, double beta_w) {
  const std::string where = "discriminator_loss";
  detail::check_weight(beta_f, where, "beta_f");
  detail::check_weight(beta_w, where, "beta_w");
  const std::int64_t embed_dim = discriminator.options.embed_dim();
  detail::check_images(real_images, where, "real_images", 3, kImagineImageSize);
  const std::int64_t batch = real_images.size(0);
  detail::check_images(fake_images, where, "fake_images", 3, kImagineImageSize, batch);
  detail::check_matrix(t_l, where, "t_l", embed_dim, batch);
  detail::check_matrix(wrong_t_l, where, "wrong_t_l", embed_dim, batch);
  const auto text = t_l.detach(), wrong_text = wrong_t_l.detach();
  const auto real = minus_log_d(discriminator.forward(real_images, text));
  const auto fake = minus_log_one_minus_d(discriminator.forward(fake_images.detach(), text));
  const auto wrong = minus_log_one_minus_d(discriminator.forward(real_images, wrong_text));
  return {real + beta_f * fake + beta_w * wrong, real.item<double>(), fake.item<double>(), wrong.item<double>()};
}

GeneratorLoss generator_loss(ImageDiscriminatorImpl& discriminator, const torch::Tensor& fake_images,
                             const torch::Tensor& t_l, const torch::Tensor& mean, const torch::Tensor& log_variance,
                             double beta_s) {
  const std::string where = "generator_loss";
  detail::check_weight(beta_s, where, "beta_s");
  detail::check_images(fake_images, where, "fake_images", 3, kImagineImageSize);
  const std::int64_t batch = fake_images.size(0);
  detail::check_matrix(t_l, where, "t_l", discriminator.options.embed_dim(), batch);
  const std::int64_t condition_dim = detail::check_matrix_width(mean, where, "mean", batch);
  detail::check_matrix(log_variance, where, "log_variance", condition_dim, batch);
  const auto adversarial = minus_log_d(discriminator.forward(fake_images, t_l));
  const auto kl = kl_to_standard_normal(mean, log_variance);
  return {adversarial + beta_s * kl, adversarial.item<double>(), kl.item<double>()};
}

torch::Tensor reconstruction_loss(const torch::Tensor& fake_images, const torch::Tensor& real_images) {
  const std::string where = "reconstruction_loss";
  detail::check_images(fake_images, where, "fake_images", 3, kImagineImageSize);
  detail::check_images(real_images, where, "real_images", 3, kImagineImageSize, fake_images.size(0));
  return (fake_images - real_images).pow(2).mean();
}

torch::Tensor mismatched_rows(const torch::Tensor& image_ids) {
  if (!image_ids.defined() || image_ids.dim() != 1 || image_ids.is_floating_point() ||
      image_ids.scalar_type() == torch::kBool)
    throw Error(ErrorCode::Shape,
                "mismatched_rows: image_ids must be a (B) tensor of integers, got " +
                    (image_ids.defined() ? std::string(c10::toString(image_ids.scalar_type())) + " " : "") +
                    detail::shape_string(image_ids));
  const auto ids_tensor = image_ids.to(torch::kCPU, torch::kInt64).contiguous();
  const std::int64_t* ids = ids_tensor.data_ptr<std::int64_t>();
  const std::int64_t n = ids_tensor.size(0);
  if (n == 0 || std::all_of(ids, ids + n, [&](std::int64_t id) { return id == ids[0]; }))
    throw Error(ErrorCode::InvalidArgument,
                "mismatched_rows: image_ids must name at least two different images "
                "(a wrong caption comes from another image of the batch), got " +
                    std::to_string(n) + (n == 0 ? " rows" : " row(s) of one image"));
  std::vector<std::int64_t> rows(n);
  const auto from = [n](std::int64_t k, std::int64_t shift) { return ((k - shift) % n + n) % n; };
  const auto lands_elsewhere = [&](std::int64_t shift) {
    for (std::int64_t k = 0; k < n; ++k)
      if (ids[from(k, shift)] == ids[k]) return false;
    return true;
  };
  std::int64_t shift = 1;
  while (shift < n && !lands_elsewhere(shift)) ++shift;
  if (shift < n) {
    for (std::int64_t k = 0; k < n; ++k) rows[k] = from(k, shift);
  } else {
    for (std::int64_t k = 0; k < n; ++k) {
      std::int64_t j = 1;
      while (ids[(k + j) % n] == ids[k]) ++j;  // ends: another image is in the batch
      rows[k] = (k + j) % n;
    }
  }
  return torch::tensor(rows, torch::kInt64).to(image_ids.device());
}

}  // namespace gxn
