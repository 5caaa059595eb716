#pragma once
// Precomputed CNN features in the VSE++/SCAN layout: DIR/{split}_ims.npy of shape (N, D) or
// (N, R, D) region features, with one row per image or five (repeated) rows per image, and
// DIR/{split}_caps.txt with five captions per image, one per line. Optionally
// DIR/{split}_images.txt names each image's file, one line per image in the rows' order (a gxn
// addition: the text->image path learns to draw the images, which the features cannot give).
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/matrix.hpp"

namespace gxn {

struct PrecompSplit {
  Matrix features;                       // images × (regions · dim): one row per image
  std::int64_t regions = 1;              // R (1 for (N, D) files)
  std::int64_t dim = 0;                  // D
  std::vector<std::string> captions;     // 5 per image: caption j belongs to image j / 5
  std::vector<std::string> image_files;  // {split}_images.txt as written, one per image; empty without it

  std::int64_t images() const { return features.rows(); }
};

// Reads one split; a caption count that is not 5 × the images, features that disagree with the
// captions, an empty caption or non-finite features, and an image list with a blank line or
// not one line per image are a gxn::Error naming the file.
PrecompSplit read_precomp_split(const std::string& dir, const std::string& split);

}  // namespace gxn
