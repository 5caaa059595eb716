#include "gxn/engine/io/image_folder.hpp"

#include <algorithm>
#include <filesystem>

#include "gxn/error.hpp"

namespace gxn {

std::vector<std::string> list_image_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::NotFound, dir + ": no such folder");
  std::vector<std::string> names;
  fs::directory_iterator it(dir, ec);
  if (ec) throw Error(ErrorCode::Io, dir + ": cannot list the folder (" + ec.message() + ")");
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    std::string extension = entry.path().extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    const bool image = extension == ".jpg" || extension == ".jpeg" || extension == ".png" || extension == ".bmp" ||
                       extension == ".gif";
    if (image && name[0] != '.' && entry.is_regular_file(ec)) names.push_back(name);
  }
  if (names.empty()) throw Error(ErrorCode::InvalidArgument, dir + ": no image files (.jpg, .jpeg, .png, .bmp, .gif)");
  std::sort(names.begin(), names.end());
  std::vector<std::string> paths;
  paths.reserve(names.size());
  for (const std::string& name : names) paths.push_back((fs::path(dir) / name).string());
  return paths;
}

}  // namespace gxn
