#pragma once
// Private to gxn::model: the splits a training run learns and validates on, opened as its
// config says and checked against it (the data's kind against the backbone, image files for
// the t2i path, the feature size).
#include <memory>

#include "gxn/model/caption_dataset.hpp"
#include "gxn/model/train_config.hpp"

namespace gxn {

struct TrainingData {
  std::unique_ptr<CaptionDataset> train, validation;
};

// config.data_kind must be set. gxn::Error naming the folder or file at fault.
TrainingData open_training_data(const TrainConfig& config);

}  // namespace gxn
