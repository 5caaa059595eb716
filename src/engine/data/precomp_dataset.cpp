#include "gxn/engine/data/precomp_dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "gxn/engine/data/captions_per_image.hpp"
#include "gxn/engine/io/npy.hpp"
#include "gxn/error.hpp"

namespace gxn {

namespace {

// One entry per line (`what` names an entry in messages); a blank line is an error.
std::vector<std::string> read_lines(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::NotFound, path + ": cannot open the " + what + "s file");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos)
      throw Error(ErrorCode::Format, path + ": line " + std::to_string(lines.size() + 1) + " is an empty " + what);
    lines.push_back(line);
  }
  return lines;
}

}  // namespace

PrecompSplit read_precomp_split(const std::string& dir, const std::string& split) {
  const std::string ims_path = dir + "/" + split + "_ims.npy";
  const std::string caps_path = dir + "/" + split + "_caps.txt";
  PrecompSplit out;
  out.captions = read_lines(caps_path, "caption");
  const auto n_captions = static_cast<std::int64_t>(out.captions.size());
  if (n_captions == 0 || n_captions % kCaptionsPerImage != 0)
    throw Error(ErrorCode::Format, caps_path + ": " + std::to_string(n_captions) +
                                       " captions; expected five per image (a positive multiple of 5)");
  const std::int64_t n_images = n_captions / kCaptionsPerImage;

  NpyArray ims = read_npy(ims_path);
  if (ims.shape.size() != 2 && ims.shape.size() != 3)
    throw Error(ErrorCode::Shape,
                ims_path + ": expected shape (N, D) or (N, R, D), got rank " + std::to_string(ims.shape.size()));
  const std::int64_t rows = ims.shape[0];
  out.regions = ims.shape.size() == 3 ? ims.shape[1] : 1;
  out.dim = ims.shape.back();
  if (out.regions <= 0 || out.dim <= 0) throw Error(ErrorCode::Shape, ims_path + ": a feature dimension is zero");
  // VSE++ ships some splits with each image's row repeated for its five captions.
  std::int64_t step;
  if (rows == n_images)
    step = 1;
  else if (rows == n_captions)
    step = kCaptionsPerImage;
  else
    throw Error(ErrorCode::Shape, ims_path + " has " + std::to_string(rows) + " rows but " + caps_path + " has " +
                                      std::to_string(n_captions) + " captions: expected " + std::to_string(n_images) +
                                      " rows (one per image) or " + std::to_string(n_captions) + " (five per image)");
  const std::int64_t width = out.regions * out.dim;
  out.features = Matrix(n_images, width);
  for (std::int64_t i = 0; i < n_images; ++i)
    std::copy_n(ims.data.data() + i * step * width, width, out.features.row(i));
  check_finite(out.features, ims_path.c_str());

  const std::string images_path = dir + "/" + split + "_images.txt";
  std::error_code ec;
  if (std::filesystem::exists(images_path, ec)) {
    out.image_files = read_lines(images_path, "image file");
    if (static_cast<std::int64_t>(out.image_files.size()) != n_images)
      throw Error(ErrorCode::Format, images_path + " names " + std::to_string(out.image_files.size()) +
                                         " image files but " + caps_path + " has captions for " +
                                         std::to_string(n_images) + " images: one line per image");
  }
  return out;
}

}  // namespace gxn
