#pragma once
// One split of a dataset folder as evaluation sees it: N images (files or precomputed
// features) and exactly kCaptionsPerImage captions each (captions_per_image.hpp).
// The folder is either layout the trainer reads:
//   precomputed (VSE++/SCAN): DIR/{split}_ims.npy and DIR/{split}_caps.txt (precomp_dataset.hpp);
//   images with captions: DIR/dataset.json (Karpathy-style, karpathy_dataset.hpp) with the
//   image files under an image folder (default DIR/images, where `gxn data shapes` puts them).
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/data/captions_per_image.hpp"
#include "gxn/engine/matrix.hpp"

namespace gxn {

struct EvaluationSplit {
  std::string source;  // "DIR (split test)", for messages
  bool precomputed = false;
  // Precomputed layout: one row of R·D floats per image.
  Matrix features;
  std::int64_t regions = 1, dim = 0;
  // Image layout: the files to decode and their names as the dataset gives them (relative to
  // the image folder), one per image.
  std::vector<std::string> image_paths;
  std::vector<std::string> image_names;
  std::vector<std::string> captions;  // kCaptionsPerImage per image

  std::int64_t images() const { return static_cast<std::int64_t>(captions.size()) / kCaptionsPerImage; }
};

// Reads split `split` ("train", "val", "test") of the dataset folder `dir`, whichever layout it
// has (dataset.json wins if both are there). An image of a dataset.json with more than five
// captions keeps its first five (as VSE++ does); one with fewer is refused, naming it.
// `image_dir` overrides DIR/images. Throws gxn::Error naming the folder or file: NotFound when
// neither layout is there, Format/Shape for inconsistent files, InvalidArgument for an empty split.
EvaluationSplit read_evaluation_split(const std::string& dir, const std::string& split,
                                      const std::string& image_dir = "");

}  // namespace gxn
