#include "gxn/model/caption_dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "gxn/engine/data/karpathy_dataset.hpp"
#include "gxn/engine/data/precomp_dataset.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/error.hpp"
#include "gxn/model/image_generator.hpp"

namespace gxn {
namespace fs = std::filesystem;

namespace {

bool path_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

std::int64_t image_bytes(const Image& image) { return static_cast<std::int64_t>(image.pixels.size()); }

}  // namespace

const char* to_string(DataKind kind) { return kind == DataKind::Precomp ? "precomp" : "images"; }

DataKind parse_data_kind(const std::string& name) {
  if (name == "precomp") return DataKind::Precomp;
  if (name == "images") return DataKind::Images;
  throw Error(ErrorCode::InvalidArgument, "unknown data kind '" + name + "': allowed precomp, images");
}

DataKind detect_data_kind(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::NotFound, dir + ": no such data directory");
  if (path_exists(fs::path(dir) / "dataset.json")) return DataKind::Images;
  if (path_exists(fs::path(dir) / "train_ims.npy")) return DataKind::Precomp;
  throw Error(ErrorCode::NotFound, dir +
                                       ": neither dataset.json (images with captions) nor train_ims.npy "
                                       "(precomputed features) is there");
}

std::string validation_split_name(const std::string& dir, DataKind kind) {
  if (kind == DataKind::Precomp && path_exists(fs::path(dir) / "dev_caps.txt")) return "dev";
  return "val";
}

CaptionDataset::CaptionDataset(const std::string& dir, const std::string& split, const CaptionDatasetOptions& options)
    : kind_(options.kind), split_(split), options_(options) {
  if (options_.max_images < 0)
    throw Error(ErrorCode::InvalidArgument, "max_images = " + std::to_string(options_.max_images) + " is negative");
  if (options_.image_cache_bytes < 0)
    throw Error(ErrorCode::InvalidArgument,
                "image_cache_bytes = " + std::to_string(options_.image_cache_bytes) + " is negative");
  if (kind_ == DataKind::Precomp)
    read_precomp(dir);
  else
    read_images(dir);
  // A caption must have a word; say which one has none before any training starts.
  for (std::int64_t j = 0; j < caption_count(); ++j)
    if (tokenize(captions_[static_cast<std::size_t>(j)]).empty())
      throw Error(ErrorCode::Format, caption_name(j) + ": the caption has no word");
}

void CaptionDataset::read_precomp(const std::string& dir) {
  caption_source_ = dir + "/" + split_ + "_caps.txt";
  PrecompSplit data = read_precomp_split(dir, split_);
  std::int64_t n = data.images();
  if (options_.max_images > 0) n = std::min(n, options_.max_images);
  image_count_ = n;
  regions_ = data.regions;
  feature_dim_ = data.dim;
  data.captions.resize(static_cast<std::size_t>(n * kCaptionsPerImage));
  captions_ = std::move(data.captions);
  if (n < data.images()) {
    Matrix kept(n, data.features.cols());
    std::copy_n(data.features.data(), n * data.features.cols(), kept.data());
    data.features = std::move(kept);
  }
  feature_storage_ = std::make_shared<Matrix>(std::move(data.features));
  // The tensor borrows the matrix; feature_storage_ lives as long as this dataset.
  std::vector<std::int64_t> shape{n, feature_dim_};
  if (regions_ > 1) shape = {n, regions_, feature_dim_};
  features_ = torch::from_blob(feature_storage_->data(), shape, torch::kFloat32);
  if (!data.image_files.empty()) {
    const std::string list = dir + "/" + split_ + "_images.txt";
    const fs::path folder = image_folder(dir);
    for (std::int64_t i = 0; i < n; ++i) {
      const std::string path = (folder / data.image_files[static_cast<std::size_t>(i)]).string();
      if (!path_exists(path))
        throw Error(ErrorCode::NotFound,
                    path + ": no such image file (" + list + ": line " + std::to_string(i + 1) + ")");
      image_paths_.push_back(path);
    }
    cache_.resize(static_cast<std::size_t>(n));
  }
}

fs::path CaptionDataset::image_folder(const std::string& dir) const {
  return options_.image_dir.empty() ? fs::path(dir) / "images" : fs::path(options_.image_dir);
}

void CaptionDataset::read_images(const std::string& dir) {
  if (options_.image.backbone == Backbone::Precomp)
    throw Error(ErrorCode::InvalidArgument, dir +
                                                " holds images (dataset.json): the precomp backbone takes "
                                                "precomputed features; choose an image backbone such as cnn-small");
  caption_source_ = dir + "/dataset.json";
  const KarpathyDataset dataset = read_karpathy_dataset(caption_source_);
  SplitImages files = split_images(dataset, caption_source_, split_, image_folder(dir).string(), options_.max_images,
                                   /*check_files=*/true);
  image_count_ = static_cast<std::int64_t>(files.paths.size());
  captions_ = std::move(files.captions);
  image_paths_ = std::move(files.paths);
  file_index_ = std::move(files.file_index);
  cache_.resize(static_cast<std::size_t>(image_count_));
}

std::string CaptionDataset::caption_name(std::int64_t caption) const {
  if (kind_ == DataKind::Precomp) return caption_source_ + ": line " + std::to_string(caption + 1);
  const std::int64_t image = caption / kCaptionsPerImage;
  return caption_source_ + ": images[" + std::to_string(file_index_[static_cast<std::size_t>(image)]) + "] (" +
         image_paths_[static_cast<std::size_t>(image)] + ") sentences[" + std::to_string(caption % kCaptionsPerImage) +
         "]";
}

std::string CaptionDataset::image_path(std::int64_t image) const {
  if (image < 0 || image >= image_count_)
    throw Error(ErrorCode::InvalidArgument, "image " + std::to_string(image) + " is outside 0.." +
                                                std::to_string(image_count_ - 1) + " of split " + split_);
  return has_images() ? image_paths_[static_cast<std::size_t>(image)] : std::string();
}

Vocabulary CaptionDataset::build_vocabulary(std::int64_t min_count) const {
  std::vector<std::vector<std::string>> tokens;
  tokens.reserve(captions_.size());
  for (const auto& c : captions_) tokens.push_back(tokenize(c));
  return Vocabulary::build(tokens, min_count);
}

void CaptionDataset::encode_captions(const Vocabulary& vocabulary, std::int64_t max_tokens) {
  std::vector<std::vector<std::int64_t>> ids(captions_.size());
  for (std::size_t j = 0; j < captions_.size(); ++j)
    ids[j] = gxn::caption_ids(captions_[j], vocabulary, max_tokens, caption_name(static_cast<std::int64_t>(j)));
  ids_ = std::move(ids);
}

const std::vector<std::int64_t>& CaptionDataset::caption_ids(std::int64_t caption) const {
  if (ids_.empty()) throw Error(ErrorCode::Internal, "CaptionDataset: encode_captions() was not called");
  if (caption < 0 || caption >= caption_count())
    throw Error(ErrorCode::InvalidArgument, "caption " + std::to_string(caption) + " is outside 0.." +
                                                std::to_string(caption_count() - 1) + " of split " + split_);
  return ids_[static_cast<std::size_t>(caption)];
}

CaptionTensors CaptionDataset::caption_inputs(const std::vector<std::int64_t>& caption_indices) const {
  std::vector<std::vector<std::int64_t>> sequences;
  sequences.reserve(caption_indices.size());
  for (std::int64_t j : caption_indices) sequences.push_back(caption_ids(j));
  return caption_tensors(sequences);
}

torch::Tensor CaptionDataset::image_inputs(const std::vector<std::int64_t>& image_indices) {
  for (std::int64_t i : image_indices)
    if (i < 0 || i >= image_count_)
      throw Error(ErrorCode::InvalidArgument, "image " + std::to_string(i) + " is outside 0.." +
                                                  std::to_string(image_count_ - 1) + " of split " + split_);
  if (kind_ == DataKind::Precomp) {
    const auto index = torch::tensor(image_indices, torch::kInt64);
    return features_.index_select(0, index);
  }
  return image_tensor(decoded_images(image_indices), options_.image);
}

torch::Tensor CaptionDataset::generator_targets(const std::vector<std::int64_t>& image_indices) {
  if (!has_images())
    throw Error(ErrorCode::InvalidArgument, "split " + split_ +
                                                " holds precomputed features and names no image "
                                                "files: the text->image path needs them (" +
                                                split_ + "_images.txt)");
  PreprocessOptions options;
  options.resize = options.crop = static_cast<int>(kImagineImageSize);
  options.mean = {0.5f, 0.5f, 0.5f};  // [0, 1] -> [-1, 1], the generator's tanh range
  options.std = {0.5f, 0.5f, 0.5f};
  return image_tensor(decoded_images(image_indices), options);
}

std::vector<Image> CaptionDataset::decoded_images(const std::vector<std::int64_t>& image_indices) {
  for (std::int64_t i : image_indices)
    if (i < 0 || i >= image_count_)
      throw Error(ErrorCode::InvalidArgument, "image " + std::to_string(i) + " is outside 0.." +
                                                  std::to_string(image_count_ - 1) + " of split " + split_);
  // Decode what the cache lacks (each distinct image once), on OpenMP threads.
  std::vector<std::int64_t> missing;
  for (std::int64_t i : image_indices)
    if (!cache_[static_cast<std::size_t>(i)]) missing.push_back(i);
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  std::vector<std::shared_ptr<const Image>> decoded(missing.size());
  std::string failure;  // errors cannot leave an OpenMP region: keep the first, throw it after
  const auto n_missing = static_cast<std::int64_t>(missing.size());
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t k = 0; k < n_missing; ++k) {
    try {
      decoded[static_cast<std::size_t>(k)] =
          std::make_shared<const Image>(decode_image_file(image_paths_[static_cast<std::size_t>(missing[k])]));
    } catch (const std::exception& e) {
#pragma omp critical(gxn_caption_dataset_decode)
      if (failure.empty()) failure = e.what();
    }
  }
  if (!failure.empty()) throw Error(ErrorCode::Format, failure);
  for (std::size_t k = 0; k < missing.size(); ++k) {
    const auto& image = decoded[k];
    if (cached_bytes_ + image_bytes(*image) <= options_.image_cache_bytes) {
      cache_[static_cast<std::size_t>(missing[k])] = image;
      cached_bytes_ += image_bytes(*image);
      ++cached_count_;
    }
  }
  std::vector<Image> images;
  images.reserve(image_indices.size());
  for (std::int64_t i : image_indices) {
    const auto& cached = cache_[static_cast<std::size_t>(i)];
    if (cached) {
      images.push_back(*cached);
    } else {
      const auto k = std::lower_bound(missing.begin(), missing.end(), i) - missing.begin();
      images.push_back(*decoded[static_cast<std::size_t>(k)]);
    }
  }
  return images;
}

CaptionBatch CaptionDataset::batch(const std::vector<std::int64_t>& caption_indices) {
  if (caption_indices.empty()) throw Error(ErrorCode::InvalidArgument, "caption batch: no captions");
  std::vector<std::int64_t> image_ids, image_rows, distinct;
  image_ids.reserve(caption_indices.size());
  image_rows.reserve(caption_indices.size());
  std::unordered_map<std::int64_t, std::int64_t> row_of;
  for (std::int64_t j : caption_indices) {
    if (j < 0 || j >= caption_count())
      throw Error(ErrorCode::InvalidArgument, "caption " + std::to_string(j) + " is outside 0.." +
                                                  std::to_string(caption_count() - 1) + " of split " + split_);
    const std::int64_t image = j / kCaptionsPerImage;
    const auto [it, inserted] = row_of.emplace(image, static_cast<std::int64_t>(distinct.size()));
    if (inserted) distinct.push_back(image);
    image_ids.push_back(image);
    image_rows.push_back(it->second);
  }
  CaptionBatch out;
  out.captions = caption_inputs(caption_indices);
  out.images = image_inputs(distinct);
  out.image_rows = torch::tensor(image_rows, torch::kInt64);
  out.image_ids = torch::tensor(image_ids, torch::kInt64);
  out.distinct_images = std::move(distinct);
  return out;
}

std::vector<std::vector<Tokens>> CaptionDataset::reference_tokens() const {
  std::vector<std::vector<Tokens>> sets(static_cast<std::size_t>(image_count_));
  for (std::size_t j = 0; j < captions_.size(); ++j)
    sets[j / kCaptionsPerImage].push_back(caption_metric_tokens(captions_[j]));
  return sets;
}

}  // namespace gxn
