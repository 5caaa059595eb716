#pragma once
// Private to gxn::model: the text->image path's losses in a training step. Each distinct image
// of the batch, with its first caption in the batch: G imagines an image from that caption's
// t_l (conditioning augmentation, noise z), which gives G's loss (non-saturating, plus beta_s
// KL; it reaches the text encoder through t_l); then D's loss on the real images, G's images
// and real images with another image's caption (all inputs detached, for D's own optimiser).
// See gan_loss.hpp. The two are separate calls so that D's loss can be taken while G's is
// still being differentiated (they share no gradient).
#include <torch/torch.h>

#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/gxn_model.hpp"
#include "gxn/model/train_config.hpp"

namespace gxn {

struct GeneratorPass {
  torch::Tensor loss;       // G's loss, into the shared optimiser's
  torch::Tensor real;       // the batch's distinct images, as G's targets
  torch::Tensor fake;       // G's images (U, 3, 64, 64), detached
  torch::Tensor t_l;        // the captions they were imagined for (U, E), detached
  torch::Tensor wrong_t_l;  // for each, a caption of another image, detached
};

// caption_grounded: t_l of every caption of `batch` (B, E); real_images: the batch's first K
// distinct images (K <= U, at least 2) as G's targets, (K, 3, 64, 64) in [-1, 1] on the model's
// device: G imagines those K. The noise z and the
// conditioning augmentation's draws come from `random`. With reconstruction_weight > 0, G's
// loss also holds that times reconstruction_loss(G's images, real_images).
GeneratorPass generator_pass(GxnModel& model, const TrainConfig& config, const torch::Tensor& caption_grounded,
                             const CaptionBatch& batch, const torch::Tensor& real_images, const at::Generator& random);

// D's loss on the real images, G's images and the wrong captions.
torch::Tensor discriminator_pass(GxnModel& model, const TrainConfig& config, const GeneratorPass& generator);

}  // namespace gxn
