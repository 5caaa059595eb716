#pragma once
// CaptionDataset: one split of a caption dataset as training reads it -- caption ids, for every
// caption the model input of its image, and (for the t2i path) the images themselves.
//
// Two layouts (DataKind):
//  - precomp: the VSE++/SCAN layout, DIR/{split}_ims.npy of shape (N, D) or (N, R, D) (one row
//    per image or five repeated rows) and DIR/{split}_caps.txt, five lines per image
//    (precomp_dataset.hpp). Features become a tensor (N, D) or (N, R, D). With
//    DIR/{split}_images.txt (one image file per line, in the rows' order, relative to the image
//    folder) the split also has images: the text->image path's targets.
//  - images: a Karpathy-style DIR/dataset.json and an image folder (DIR/images unless told),
//    decoded by the engine on OpenMP threads and turned into (B, 3, crop, crop) inputs by
//    image_tensor (model_inputs.hpp), the conversion inference uses too.
// Caption j belongs to image j / 5: five captions per image.
//
// Image cache policy ("first decoded, kept while the budget lasts"): an image decoded for a
// batch is kept in memory, as the engine decoded it (8-bit RGB at the file's size), as long as
// all kept images together stay within image_cache_bytes; an image past the budget is decoded
// again whenever a batch needs it. A dataset that fits (the 64x64 shapes data: 12 KB an image)
// is thus decoded once; one that does not still trains, with a bounded memory. Results do not
// depend on the budget (decoding is deterministic).
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gxn/engine/data/captions_per_image.hpp"
#include "gxn/engine/io/image.hpp"
#include "gxn/engine/matrix.hpp"
#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/config.hpp"
#include "gxn/model/model_inputs.hpp"

namespace gxn {

enum class DataKind { Precomp, Images };

const char* to_string(DataKind kind);               // "precomp", "images"
DataKind parse_data_kind(const std::string& name);  // gxn::Error listing the names

// The layout of `dir`: images when DIR/dataset.json exists, precomp when DIR/train_ims.npy
// does. gxn::Error(NotFound) naming `dir` when it is missing or holds neither.
DataKind detect_data_kind(const std::string& dir);

// The validation split's name: "val" for images; "dev" for precomp when DIR/dev_caps.txt exists
// (the VSE++/SCAN name), else "val".
std::string validation_split_name(const std::string& dir, DataKind kind);

struct CaptionDatasetOptions {
  DataKind kind = DataKind::Precomp;
  // images: how decoded images become model input (image_input_size, image_tensor); must not be
  // the precomp backbone. Ignored for precomp data.
  ImageEncoderConfig image;
  std::string image_dir;                                   // the image folder; "" = DIR/images
  std::int64_t max_images = 0;                             // keep only the first N images (and their captions); 0 = all
  std::int64_t image_cache_bytes = std::int64_t{2} << 30;  // see the cache policy above
};

// A batch of captions and their images. Each distinct image is in `images` once (its CNN runs
// once however many of its captions the batch holds); image_rows maps captions to rows.
struct CaptionBatch {
  CaptionTensors captions;   // ids (B, L), lengths (B), on the CPU
  torch::Tensor images;      // (U, D), (U, R, D) features or (U, 3, H, W): the batch's U distinct images
  torch::Tensor image_rows;  // (B) int64: caption i's image is images[image_rows[i]]
  torch::Tensor image_ids;   // (B) int64: caption i's image's index in the split (RankingLoss's same-image mask)
  std::vector<std::int64_t> distinct_images;  // (U): the split index of each row of `images`
};

class CaptionDataset {
 public:
  // Reads split `split` ("train", "val", "test"; precomp also "dev", "testall") of `dir`.
  // gxn::Error naming the file at fault: a missing file or image, features and captions that
  // disagree in count, an image with fewer than five captions (more than five: the first five
  // are used, as VSE++'s COCO files do), a caption without a word (by line or index).
  CaptionDataset(const std::string& dir, const std::string& split, const CaptionDatasetOptions& options);

  DataKind kind() const { return kind_; }
  const std::string& split() const { return split_; }
  std::int64_t image_count() const { return image_count_; }
  std::int64_t caption_count() const { return static_cast<std::int64_t>(captions_.size()); }
  const std::vector<std::string>& captions() const { return captions_; }
  // Each image's captions as the caption metrics read them (caption_metric_tokens): the
  // references of captions written for the split's images.
  std::vector<std::vector<Tokens>> reference_tokens() const;
  // precomp: the size D of a feature vector and the number R of regions (1 for (N, D) files).
  std::int64_t feature_dim() const { return feature_dim_; }
  std::int64_t regions() const { return regions_; }

  // The words of these captions that occur at least `min_count` times: build it from the
  // training split only, so words seen only in validation or test stay <unk>.
  Vocabulary build_vocabulary(std::int64_t min_count = Vocabulary::default_min_count) const;

  // Turns every caption into ids with `vocabulary` (caption_ids: unknown words as <unk>), cut
  // to max_tokens (0: no limit). Required before batch() and caption_inputs().
  void encode_captions(const Vocabulary& vocabulary, std::int64_t max_tokens = 0);
  bool captions_encoded() const { return !ids_.empty(); }
  const std::vector<std::int64_t>& caption_ids(std::int64_t caption) const;

  // Captions `caption_indices` and their images' inputs (distinct images in order of first use).
  CaptionBatch batch(const std::vector<std::int64_t>& caption_indices);
  // The model inputs of images `image_indices` (decoded on OpenMP threads; the cache applies).
  torch::Tensor image_inputs(const std::vector<std::int64_t>& image_indices);
  // Images `image_indices` as the text->image path's targets, (U, 3, 64, 64) RGB in [-1, 1]
  // (shorter side resized to 64, centre crop). gxn::Error without image files.
  torch::Tensor generator_targets(const std::vector<std::int64_t>& image_indices);
  // Whether the split has image files: always for images, with {split}_images.txt for precomp.
  bool has_images() const { return !image_paths_.empty(); }
  // Captions `caption_indices` as padded tensors.
  CaptionTensors caption_inputs(const std::vector<std::int64_t>& caption_indices) const;

  // The file of image `image` (for messages and reports); "" when the split has no image files.
  std::string image_path(std::int64_t image) const;
  // How many decoded images the cache holds, and their bytes.
  std::int64_t cached_images() const { return cached_count_; }
  std::int64_t cached_bytes() const { return cached_bytes_; }

 private:
  void read_precomp(const std::string& dir);
  void read_images(const std::string& dir);
  std::filesystem::path image_folder(const std::string& dir) const;  // options' image_dir, else DIR/images
  std::string caption_name(std::int64_t caption) const;              // where a caption comes from, for messages
  std::vector<Image> decoded_images(const std::vector<std::int64_t>& image_indices);  // through the cache

  DataKind kind_;
  std::string split_;
  CaptionDatasetOptions options_;
  std::string caption_source_;  // the captions file, for messages
  std::int64_t image_count_ = 0;
  std::vector<std::string> captions_;
  std::vector<std::int64_t> file_index_;  // images: image i's index in dataset.json's "images"
  std::vector<std::vector<std::int64_t>> ids_;
  // precomp
  std::shared_ptr<Matrix> feature_storage_;
  torch::Tensor features_;  // (N, D) or (N, R, D), a view of feature_storage_
  std::int64_t feature_dim_ = 0, regions_ = 1;
  // image files (images; precomp with {split}_images.txt)
  std::vector<std::string> image_paths_;
  std::vector<std::shared_ptr<const Image>> cache_;
  std::int64_t cached_count_ = 0, cached_bytes_ = 0;
};

}  // namespace gxn
