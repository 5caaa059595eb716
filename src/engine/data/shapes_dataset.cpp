#include "gxn/engine/data/shapes_dataset.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <vector>

#include "common/splitmix64.hpp"
#include "gxn/engine/data/shapes.hpp"
#include "gxn/engine/io/image.hpp"
#include "gxn/engine/text/tokenizer.hpp"

namespace gxn {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTempPrefix = ".tmp-shapes-";
constexpr std::int64_t kChunk = 256;  // images rendered in parallel between progress reports

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

bool is_leftover_temp(const fs::path& name) { return name.filename().string().rfind(kTempPrefix, 0) == 0; }

// Writes a file in the temporary folder, which is later renamed into place whole. Files are
// not flushed one by one (fdatasync on 3000 small files takes longer than making them): a
// process that dies never leaves a partial dataset, but after a power failure a dataset may
// have to be written again (--force); the loader's checks refuse empty or truncated images.
void write_file(const fs::path& path, const void* data, std::size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw Error(ErrorCode::Io, "cannot write " + quoted(path) + ": " + std::strerror(errno));
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw Error(ErrorCode::Io, "cannot write " + quoted(path) + ": " + std::strerror(err));
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw Error(ErrorCode::Io, "cannot write " + quoted(path) + ": " + std::strerror(errno));
}

// Refuses to write over something that is not a dataset gxn wrote; returns leftovers to delete.
std::vector<fs::path> check_destination(const fs::path& dir, bool force) {
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  std::vector<fs::path> leftovers;
  if (!fs::exists(status)) return leftovers;
  if (!fs::is_directory(status))
    throw Error(ErrorCode::InvalidArgument, "output " + quoted(dir) + " exists and is not a directory");
  bool has_dataset = false;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_leftover_temp(name)) {
      leftovers.push_back(entry.path());
    } else if (name == "images" || name == "dataset.json") {
      has_dataset = true;
    } else {
      throw Error(ErrorCode::InvalidArgument,
                  "output directory " + quoted(dir) + " is not empty (it holds '" + name + "')" +
                      (force ? "; --force only replaces a dataset gxn wrote (images/ and dataset.json)" : ""));
    }
  }
  if (ec) throw Error(ErrorCode::Io, "cannot list " + quoted(dir) + ": " + ec.message());
  if (has_dataset && !force)
    throw Error(ErrorCode::InvalidArgument,
                "output directory " + quoted(dir) + " already holds a dataset; pass --force to replace it");
  return leftovers;
}

std::string image_name(std::int64_t index, std::int64_t total) {
  std::string digits = std::to_string(index);
  const std::size_t width = std::max<std::size_t>(6, std::to_string(total - 1).size());
  return "shapes_" + std::string(width - digits.size(), '0') + digits + ".png";
}

// Renders and writes the images [begin, end) in parallel; the first error is rethrown.
void write_images(const std::vector<ShapesItem>& items, std::int64_t begin, std::int64_t end, std::int64_t total,
                  const fs::path& images_dir) {
  std::string first_error;
  ErrorCode first_code = ErrorCode::Internal;
#pragma omp parallel for schedule(dynamic, 8)
  for (std::int64_t i = begin; i < end; ++i) {
    try {
      const std::vector<std::uint8_t> png = encode_png(render_shape_scene(items[static_cast<std::size_t>(i)].scene));
      write_file(images_dir / image_name(i, total), png.data(), png.size());
    } catch (const Error& e) {
#pragma omp critical(gxn_shapes_error)
      if (first_error.empty()) first_error = e.what(), first_code = e.code();
    } catch (const std::exception& e) {
#pragma omp critical(gxn_shapes_error)
      if (first_error.empty()) first_error = e.what();
    }
  }
  if (!first_error.empty()) throw Error(first_code, first_error);
}

std::string dataset_json(const std::vector<ShapesItem>& items, const ShapesSplits& splits,
                         const ShapesDatasetOptions& o) {
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  std::int64_t sentid = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto index = static_cast<std::int64_t>(i);
    const char* split = index < splits.train ? "train" : index < splits.train + splits.val ? "val" : "test";
    nlohmann::ordered_json sentences = nlohmann::ordered_json::array();
    nlohmann::ordered_json sentids = nlohmann::ordered_json::array();
    for (const std::string& raw : items[i].captions) {
      sentences.push_back({{"raw", raw}, {"tokens", tokenize(raw)}, {"sentid", sentid}, {"imgid", index}});
      sentids.push_back(sentid++);
    }
    images.push_back({{"filename", image_name(index, static_cast<std::int64_t>(items.size()))},
                      {"imgid", index},
                      {"split", split},
                      {"sentences", std::move(sentences)},
                      {"sentids", std::move(sentids)}});
  }
  nlohmann::ordered_json root;
  root["dataset"] = "shapes";
  root["generator"] = {{"name", "gxn data shapes"}, {"version", 1}, {"seed", o.seed}, {"images", o.images}};
  root["images"] = std::move(images);
  return root.dump() + "\n";
}

}  // namespace

std::vector<ShapesItem> draw_shapes_dataset(std::uint64_t seed, std::int64_t images) {
  shapes_dataset_splits(images);  // checks the count
  detail::SplitMix64 rng(seed);
  std::unordered_set<std::uint64_t> seen;
  std::vector<ShapesItem> items(static_cast<std::size_t>(images));
  for (auto& item : items) {
    // About 50 million scenes exist; even at the largest count a new one comes within a few draws.
    for (int attempt = 0;; ++attempt) {
      if (attempt == 100000) throw Error(ErrorCode::Internal, "shapes: cannot find a new scene");
      item.scene = random_shape_scene(rng.next());
      if (seen.insert(item.scene.key()).second) break;
    }
    item.captions = describe_shape_scene(item.scene, rng.next(), kShapeCaptions);
  }
  return items;
}

ShapesSplits shapes_dataset_splits(std::int64_t images) {
  if (images < kShapesMinImages || images > kShapesMaxImages)
    throw Error(ErrorCode::InvalidArgument, "shapes: --images must be in [" + std::to_string(kShapesMinImages) + ", " +
                                                std::to_string(kShapesMaxImages) + "], got " + std::to_string(images));
  ShapesSplits s;
  s.val = images / 10;
  s.test = images / 10;
  s.train = images - s.val - s.test;
  return s;
}

ShapesSplits write_shapes_dataset(const std::string& dir_name, const ShapesDatasetOptions& options) {
  const ShapesSplits splits = shapes_dataset_splits(options.images);
  if (dir_name.empty()) throw Error(ErrorCode::InvalidArgument, "shapes: the output directory is empty");
  const fs::path dir(dir_name);
  const std::vector<fs::path> leftovers = check_destination(dir, options.force);

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::Io, "cannot create " + quoted(dir) + ": " + ec.message());
  const fs::path temp = dir / (kTempPrefix + std::to_string(::getpid()));
  fs::remove_all(temp, ec);
  if (!fs::create_directory(temp, ec) || !fs::create_directory(temp / "images", ec))
    throw Error(ErrorCode::Io, "cannot create " + quoted(temp) + ": " + ec.message());

  try {
    const std::vector<ShapesItem> items = draw_shapes_dataset(options.seed, options.images);
    for (std::int64_t begin = 0; begin < options.images; begin += kChunk) {
      const std::int64_t end = std::min(options.images, begin + kChunk);
      write_images(items, begin, end, options.images, temp / "images");
      if (options.progress) options.progress(end, options.images);
    }
    const std::string json = dataset_json(items, splits, options);
    write_file(temp / "dataset.json", json.data(), json.size());

    // Commit: the old dataset.json goes first and the new one comes last, so a dataset.json
    // always stands next to its complete images.
    fs::remove(dir / "dataset.json");
    fs::remove_all(dir / "images");
    fs::rename(temp / "images", dir / "images");
    fs::rename(temp / "dataset.json", dir / "dataset.json");
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(temp, ec);
    throw Error(ErrorCode::Io, "cannot write the dataset in " + quoted(dir) + ": " + e.what());
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }
  fs::remove_all(temp, ec);
  for (const fs::path& leftover : leftovers) fs::remove_all(leftover, ec);
  return splits;
}

}  // namespace gxn
