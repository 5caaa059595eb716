#pragma once
// Writes the synthetic shapes dataset (see shapes.hpp) in the layout real caption datasets
// come in, so that it goes through the same loader as Flickr30K or COCO:
//   DIR/images/shapes_000000.png ...      64x64 RGB scenes
//   DIR/dataset.json                      Karpathy-style splits and captions:
//     {"dataset": "shapes", "generator": {...},
//      "images": [{"filename": "shapes_000000.png", "imgid": 0, "split": "train",
//                  "sentences": [{"raw": "...", "tokens": [...], "sentid": 0, "imgid": 0}, ...],
//                  "sentids": [0, 1, 2, 3, 4]}, ...]}
// Tokens come from gxn::tokenize. No two images show the same scene (as the captions tell
// it), so every caption identifies its image. The same seed and count give byte-identical
// files on every machine and with any number of threads.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gxn/engine/data/shapes.hpp"

namespace gxn {

constexpr std::int64_t kShapesMinImages = 10;
constexpr std::int64_t kShapesMaxImages = 1000000;

struct ShapesDatasetOptions {
  std::uint64_t seed = 1;
  std::int64_t images = 3000;  // in [kShapesMinImages, kShapesMaxImages]
  bool force = false;          // replace the dataset already in the directory
  // Called on the calling thread every few hundred images and at the end; may be empty.
  std::function<void(std::int64_t done, std::int64_t total)> progress;
};

struct ShapesSplits {
  std::int64_t train = 0;
  std::int64_t val = 0;
  std::int64_t test = 0;
};

// How `images` images are split: val and test get images / 10 each (rounded down), train the
// rest (3000 -> 2400 / 300 / 300). Images are assigned in that order: train first.
ShapesSplits shapes_dataset_splits(std::int64_t images);

// One image of the dataset: its scene and kShapeCaptions captions.
struct ShapesItem {
  ShapeScene scene;
  std::vector<std::string> captions;
};

// The dataset's scenes and captions, in order, without writing anything (what
// write_shapes_dataset renders and writes). Scenes and caption seeds are drawn in turn from one
// splitmix64 stream seeded with `seed`; a scene whose key() was already drawn is drawn again.
// Throws gxn::Error(InvalidArgument) for a count outside [kShapesMinImages, kShapesMaxImages].
std::vector<ShapesItem> draw_shapes_dataset(std::uint64_t seed, std::int64_t images);

// Writes the dataset into `dir` (created if missing). Everything is written under a temporary
// folder inside `dir` first; dataset.json is renamed into place last, so a crash never leaves a
// dataset.json next to missing or partial images.
// Throws gxn::Error naming the directory or argument: InvalidArgument for a bad count, a
// non-empty `dir` without `force`, or with `force` a `dir` holding anything but images/,
// dataset.json and leftover temporary folders (force never deletes files gxn did not write);
// Io when writing fails (the existing dataset is then left as it was).
ShapesSplits write_shapes_dataset(const std::string& dir, const ShapesDatasetOptions& options);

}  // namespace gxn
