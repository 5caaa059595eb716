#pragma once
// Karpathy-style dataset.json: the format Flickr30K and COCO splits come in, and the one
// `gxn data shapes` writes. {"images": [{"filename", "filepath"?, "split",
// "sentences": [{"raw", "tokens"?}, ...]}, ...]}.
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

}  // namespace gxn
