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
  torch::Tensor fake;       // G's images (U, 3, 64, 64), detached
  torch::Tensor t_l;        // the captions they were imagined for (U, E), detached
  torch::Tensor wrong_t_l;  // for each, a caption of another image, detached
};

// caption_grounded: t_l of every caption of `batch` (B, E). The noise z and the conditioning
// augmentation's draws come from `random`.
GeneratorPass generator_pass(GxnModel& model, const TrainConfig& config, const torch::Tensor& caption_grounded,
                             const CaptionBatch& batch, const at::Generator& random);

// D's loss; real_images: the batch's distinct images as D sees them, (U, 3, 64, 64) on the
// model's device.
torch::Tensor discriminator_pass(GxnModel& model, const TrainConfig& config, const GeneratorPass& generator,
                                 const torch::Tensor& real_images);

}  // namespace gxn
