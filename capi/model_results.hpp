#pragma once
// What the model calls hand back to the caller: captions (gxn_strings) and imagined images
// (gxn_images), owned by gxn until their *_free.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gxn.h"

struct gxn_strings {
  std::vector<std::string> strings;
};

struct gxn_images {
  std::int64_t count = 0;
  int width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  // count x height x width x 3
};

namespace gxn::capi {

// The first released size of each options struct: the smallest a caller may pass.
constexpr std::size_t kModelOptionsFirstSize = offsetof(gxn_model_options, device);  // before `device`
constexpr std::size_t kModelInfoFirstSize = sizeof(gxn_model_info);
constexpr std::size_t kCaptionOptionsFirstSize = sizeof(gxn_caption_options);
constexpr std::size_t kTrainOptionsFirstSize = sizeof(gxn_train_options);

}  // namespace gxn::capi
