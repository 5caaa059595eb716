#pragma once
// Private to gxn::model: the text->image path's losses in a training step. Each distinct image
// of the batch, with its first caption in the batch: G imagines an image from that caption's
// t_l (conditioning augmentation, noise z), giving G's loss (non-saturating, plus beta_s KL;
// it reaches the text encoder through t_l) and D's loss (real, fake and wrong-caption pairs,
// all inputs detached, for D's own optimiser). See gan_loss.hpp.
#include <torch/torch.h>

#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/gxn_model.hpp"
#include "gxn/model/train_config.hpp"

namespace gxn {

struct ImaginePathLosses {
  torch::Tensor generator;      // into the shared optimiser's loss
  torch::Tensor discriminator;  // for D's optimiser
};

// caption_grounded: t_l of every caption of `batch` (B, E); real_images: the batch's distinct
// images as G's targets, (U, 3, 64, 64) on the model's device.
ImaginePathLosses imagine_path_losses(GxnModel& model, const TrainConfig& config, const torch::Tensor& caption_grounded,
                                      const CaptionBatch& batch, const torch::Tensor& real_images);

}  // namespace gxn
