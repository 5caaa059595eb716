#include "training_data.hpp"

#include "gxn/error.hpp"

namespace gxn {

TrainingData open_training_data(const TrainConfig& config) {
  const std::string& dir = config.run.data_dir;
  CaptionDatasetOptions options;
  options.kind = *config.data_kind;
  options.image = config.model.image;
  options.image_dir = config.run.image_dir;
  options.image_cache_bytes = config.run.image_cache_mb << 20;
  TrainingData data;
  data.train = std::make_unique<CaptionDataset>(dir, "train", options);
  options.max_images = config.val_max_images;
  data.validation = std::make_unique<CaptionDataset>(dir, validation_split_name(dir, options.kind), options);
  if (options.kind == DataKind::Precomp && config.model.image.backbone != Backbone::Precomp)
    throw Error(ErrorCode::InvalidArgument,
                dir + " holds precomputed features: model.image.backbone must be precomp, not " +
                    std::string(to_string(config.model.image.backbone)));
  if (config.model.paths.t2i && !data.train->has_images())
    throw Error(ErrorCode::InvalidArgument,
                dir +
                    " holds precomputed features and no image files: the t2i path learns to "
                    "generate images and needs them (train_images.txt naming each row's "
                    "image file, or dataset.json and images/)");
  if (options.kind == DataKind::Precomp && data.train->feature_dim() != config.model.image.feature_dim)
    throw Error(ErrorCode::Shape,
                dir + "/train_ims.npy holds " + std::to_string(data.train->feature_dim()) +
                    "-d features but model.image.feature_dim = " + std::to_string(config.model.image.feature_dim));
  return data;
}

}  // namespace gxn
