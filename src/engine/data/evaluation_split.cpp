#include "gxn/engine/data/evaluation_split.hpp"

#include <filesystem>

#include "gxn/engine/data/karpathy_dataset.hpp"
#include "gxn/engine/data/precomp_dataset.hpp"

namespace gxn {

EvaluationSplit read_evaluation_split(const std::string& dir, const std::string& split, const std::string& image_dir) {
  namespace fs = std::filesystem;
  if (split != "train" && split != "val" && split != "test")
    throw Error(ErrorCode::InvalidArgument, "split: expected train, val or test, got '" + split + "'");
  const fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error(ErrorCode::NotFound, dir + ": no such dataset folder");
  EvaluationSplit out;
  out.source = dir + " (split " + split + ")";

  const fs::path json = root / "dataset.json";
  if (fs::exists(json, ec)) {
    const KarpathyDataset dataset = read_karpathy_dataset(json.string());
    const fs::path images = image_dir.empty() ? root / "images" : fs::path(image_dir);
    if (!fs::is_directory(images, ec))
      throw Error(ErrorCode::NotFound, images.string() + ": no image folder for " + json.string() +
                                           (image_dir.empty() ? " (give it with the image folder option)" : ""));
    SplitImages files = split_images(dataset, json.string(), split, images.string());
    out.image_paths = std::move(files.paths);
    out.image_names = std::move(files.names);
    out.captions = std::move(files.captions);
    return out;
  }
  if (fs::exists(root / (split + "_ims.npy"), ec) || fs::exists(root / (split + "_caps.txt"), ec)) {
    PrecompSplit p = read_precomp_split(dir, split);
    out.precomputed = true;
    out.features = std::move(p.features);
    out.regions = p.regions;
    out.dim = p.dim;
    out.captions = std::move(p.captions);
    return out;
  }
  throw Error(ErrorCode::NotFound, dir + ": neither dataset.json (images with captions) nor " + split +
                                       "_ims.npy and " + split + "_caps.txt (precomputed features) is there");
}

}  // namespace gxn
