#pragma once
// The losses of the text->image path (design page, model paragraph), on discriminator logits
// x with D = sigmoid(x): -log D = softplus(-x) and -log(1 - D) = softplus(x), both stable for
// any logit. The two steps alternate: discriminator_loss updates D, generator_loss updates G,
// the conditioning augmentation and (through t_l) the text encoder.
#include <torch/torch.h>

#include "gxn/model/image_discriminator.hpp"

namespace gxn {

struct DiscriminatorLoss {
  torch::Tensor loss;  // scalar: real + beta_f * fake + beta_w * wrong (= -L_D of the design page)
  double real = 0;     // -E[log D(i, t_l)]        (real image, its caption)
  double fake = 0;     // -E[log(1 - D(i^, t_l))]  (generated image, its caption)
  double wrong = 0;    // -E[log(1 - D(i, t_l'))]  (real image, another image's caption)
};

// The loss D minimises: -(E[log D(i,t_l)] + beta_f E[log(1 - D(i^,t_l))] + beta_w E[log(1 - D(i,t_l'))]).
// fake_images, t_l and wrong_t_l are detached: the D step trains D only, so neither G nor the
// text encoder learns to help D (the text encoder is shaped by the ranking loss and by G's
// step instead). real_images, fake_images: (B, 3, 64, 64); t_l, wrong_t_l: (B, embed_dim) with
// wrong_t_l[k] a caption of another image than real_images[k] (see mismatched_rows).
// beta_f, beta_w >= 0. Throws gxn::Error naming the argument at fault.
DiscriminatorLoss discriminator_loss(ImageDiscriminatorImpl& discriminator, const torch::Tensor& real_images,
                                     const torch::Tensor& fake_images, const torch::Tensor& t_l,
                                     const torch::Tensor& wrong_t_l, double beta_f, double beta_w);

struct GeneratorLoss {
  torch::Tensor loss;      // scalar: adversarial + beta_s * kl
  double adversarial = 0;  // -E[log D(i^, t_l)]
  double kl = 0;           // KL(N(mu, sigma^2) || N(0, I)), see kl_to_standard_normal
};

// The loss G minimises, in the non-saturating form: -E[log D(i^, t_l)] + beta_s KL instead of
// the design page's E[log(1 - D(i^, t_l))] + beta_s KL. Both push D(i^, t_l) up; the
// non-saturating one keeps strong gradients while D still rejects G's images easily (early
// training), where log(1 - D) is flat. Nothing is detached: gradients reach G through
// fake_images, the conditioning augmentation through fake_images, mean and log_variance, and
// t_l (so the text encoder) both through them and directly through D. D's parameters get
// gradients too: step only G's optimiser here and zero D's gradients before its own step.
// fake_images: (B, 3, 64, 64) = G(z, t_c); t_l: (B, embed_dim); mean, log_variance: the
// conditioning augmentation's output for t_l, (B, condition_dim). beta_s >= 0.
GeneratorLoss generator_loss(ImageDiscriminatorImpl& discriminator, const torch::Tensor& fake_images,
                             const torch::Tensor& t_l, const torch::Tensor& mean, const torch::Tensor& log_variance,
                             double beta_s);

// The pixel term G's loss may add (TrainConfig::reconstruction_weight): the mean squared
// difference of G's images and the real ones, (B, 3, 64, 64) each. Squared, not absolute: while
// t_c tells G little, the absolute difference is least at each pixel's median over the scenes,
// the blank background, which gives G no reason to read t_c; the squared one is least at their
// mean, whose shapes G can only place by reading the caption.
torch::Tensor reconstruction_loss(const torch::Tensor& fake_images, const torch::Tensor& real_images);

// Wrong captions for the matching-aware term: for each row k of a batch whose row k shows
// image image_ids[k], the index of a row showing another image, so t_l.index_select(0, result)
// are mismatched captions. The rows are rolled by the smallest shift s (result[k] = (k - s) mod B)
// under which every row lands on another image: a permutation, so every caption serves once as
// a wrong one. When no shift works (always so when one image fills more than half the batch),
// each row takes the next row after it (cyclically) that shows another image. image_ids: (B)
// integers. Returns int64 (B) on image_ids' device. Throws gxn::Error when the batch shows
// fewer than two different images.
torch::Tensor mismatched_rows(const torch::Tensor& image_ids);

}  // namespace gxn
