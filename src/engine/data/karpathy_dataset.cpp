#include "gxn/engine/data/karpathy_dataset.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gxn/engine/data/captions_per_image.hpp"
#include "gxn/error.hpp"

namespace gxn {

std::vector<CaptionedImage> KarpathyDataset::split(const std::string& which) const {
  std::vector<CaptionedImage> out;
  for (const auto& image : images)
    if (image.split == which) out.push_back(image);
  return out;
}

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::Format, path + ": " + what);
}

const nlohmann::json& field(const nlohmann::json& object, const char* key, const std::string& path,
                            const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) fail(path, where + " has no \"" + key + "\"");
  return *it;
}

std::string string_field(const nlohmann::json& object, const char* key, const std::string& path,
                         const std::string& where) {
  const auto& value = field(object, key, path, where);
  if (!value.is_string()) fail(path, where + ": \"" + key + "\" is not a string");
  return value.get<std::string>();
}

}  // namespace

KarpathyDataset read_karpathy_dataset(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::NotFound, path + ": cannot open the dataset file");
  nlohmann::json root;
  try {
    in >> root;
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("not valid JSON (") + e.what() + ")");
  }
  if (!root.is_object()) fail(path, "the top level is not a JSON object");
  const auto& images = field(root, "images", path, "the top level");
  if (!images.is_array()) fail(path, "\"images\" is not an array");

  KarpathyDataset dataset;
  if (root.contains("dataset") && root["dataset"].is_string()) dataset.name = root["dataset"].get<std::string>();
  dataset.images.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto& entry = images[i];
    const std::string where = "images[" + std::to_string(i) + "]";
    if (!entry.is_object()) fail(path, where + " is not an object");
    CaptionedImage image;
    image.path = string_field(entry, "filename", path, where);
    if (image.path.empty()) fail(path, where + ": \"filename\" is empty");
    if (entry.contains("filepath")) image.path = string_field(entry, "filepath", path, where) + "/" + image.path;
    image.split = string_field(entry, "split", path, where);
    if (image.split == "restval") image.split = "train";  // COCO's extra training images
    if (image.split != "train" && image.split != "val" && image.split != "test")
      fail(path, where + ": unknown split \"" + image.split + "\" (expected train, val, test or restval)");
    const auto& sentences = field(entry, "sentences", path, where);
    if (!sentences.is_array() || sentences.empty()) fail(path, where + ": \"sentences\" is not a non-empty array");
    for (std::size_t s = 0; s < sentences.size(); ++s) {
      const std::string swhere = where + ".sentences[" + std::to_string(s) + "]";
      if (!sentences[s].is_object()) fail(path, swhere + " is not an object");
      image.captions.push_back(string_field(sentences[s], "raw", path, swhere));
    }
    dataset.images.push_back(std::move(image));
  }
  return dataset;
}

SplitImages split_images(const KarpathyDataset& dataset, const std::string& source, const std::string& split,
                         const std::string& image_folder, std::int64_t max_images, bool check_files) {
  namespace fs = std::filesystem;
  SplitImages out;
  for (std::size_t i = 0; i < dataset.images.size(); ++i) {
    const CaptionedImage& image = dataset.images[i];
    if (image.split != split) continue;
    if (max_images > 0 && static_cast<std::int64_t>(out.paths.size()) == max_images) break;
    const std::string where = source + ": images[" + std::to_string(i) + "] (" + image.path + ")";
    if (static_cast<std::int64_t>(image.captions.size()) < kCaptionsPerImage)
      throw Error(ErrorCode::Format, where + " has " + std::to_string(image.captions.size()) + " captions; gxn needs " +
                                         std::to_string(kCaptionsPerImage) + " per image");
    const std::string path = (fs::path(image_folder) / image.path).string();
    std::error_code ec;
    if (check_files && !fs::exists(path, ec))
      throw Error(ErrorCode::NotFound, path + ": no such image file (" + where + ")");
    out.paths.push_back(path);
    out.names.push_back(image.path);
    out.captions.insert(out.captions.end(), image.captions.begin(), image.captions.begin() + kCaptionsPerImage);
    out.file_index.push_back(static_cast<std::int64_t>(i));
  }
  if (out.paths.empty()) throw Error(ErrorCode::Format, source + ": the " + split + " split has no images");
  return out;
}

}  // namespace gxn
