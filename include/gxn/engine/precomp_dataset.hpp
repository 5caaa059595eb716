#pragma once
// Precomputed CNN features in the VSE++/SCAN layout: DIR/{split}_ims.npy of shape (N, D) or
// (N, R, D) region features, with one row per image or five (repeated) rows per image, and
// DIR/{split}_caps.txt with five captions per image, one per line.
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/matrix.hpp"

namespace gxn {

struct PrecompSplit {
  Matrix features;                    // images × (regions · dim): one row per image
  std::int64_t regions = 1;           // R (1 for (N, D) files)
  std::int64_t dim = 0;               // D
  std::vector<std::string> captions;  // 5 per image: caption j belongs to image j / 5

  std::int64_t images() const { return features.rows(); }
};

// Reads one split; a caption count that is not 5 × the images, features that disagree with the
// captions, an empty caption or non-finite features are a gxn::Error naming the file.
PrecompSplit read_precomp_split(const std::string& dir, const std::string& split);

}  // namespace gxn
