#pragma once
// Karpathy-style dataset.json: the format Flickr30K and COCO splits come in, and the one
// `gxn data shapes` writes. {"images": [{"filename", "filepath"?, "split",
// "sentences": [{"raw", "tokens"?}, ...]}, ...]}.
#include <cstdint>
#include <string>
#include <vector>

namespace gxn {

struct CaptionedImage {
  std::string path;                   // relative to the image folder: filepath/filename or filename
  std::string split;                  // "train", "val" or "test" ("restval" is read as "train")
  std::vector<std::string> captions;  // the raw sentences, in file order
};

struct KarpathyDataset {
  std::string name;  // the "dataset" field, if any
  std::vector<CaptionedImage> images;

  // The images of one split, in file order.
  std::vector<CaptionedImage> split(const std::string& which) const;
};

// Reads and validates the file; a missing field, a wrong type, an image without captions or an
// unknown split is a gxn::Error naming the file, the image index and the field.
KarpathyDataset read_karpathy_dataset(const std::string& path);

// One split as training and evaluation take it: each image's file and its first
// kCaptionsPerImage captions (captions_per_image.hpp), in file order.
struct SplitImages {
  std::vector<std::string> paths;        // image_folder / CaptionedImage::path
  std::vector<std::string> names;        // CaptionedImage::path
  std::vector<std::string> captions;     // kCaptionsPerImage per image
  std::vector<std::int64_t> file_index;  // each image's index in the file's "images"
};

// The images of split `split` of `dataset` (read from `source`, named in errors), at most
// `max_images` of them (0 = all). gxn::Error naming `source`, the image's index and path for an
// image with fewer captions (Format) or, with `check_files`, a missing image file (NotFound);
// a split with no image is an error too.
SplitImages split_images(const KarpathyDataset& dataset, const std::string& source, const std::string& split,
                         const std::string& image_folder, std::int64_t max_images = 0, bool check_files = false);

}  // namespace gxn
