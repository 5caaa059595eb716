#include "text_lines.hpp"

#include <filesystem>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/io/image_folder.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/error.hpp"

namespace gxn::cli {

std::vector<std::string> read_lines(const std::string& path, const std::string& what) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  const std::string text(bytes.begin(), bytes.end());
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos)
      throw Error(ErrorCode::Format,
                  path + ": line " + std::to_string(lines.size() + 1) + " is empty (one " + what + " per line)");
    lines.push_back(std::move(line));
    start = end + 1;
  }
  if (lines.empty()) throw Error(ErrorCode::Format, path + ": no " + what + " (the file is empty)");
  return lines;
}

std::vector<std::string> read_captions_file(const std::string& path) {
  std::vector<std::string> captions = read_lines(path, "caption");
  for (std::size_t i = 0; i < captions.size(); ++i)
    if (tokenize(captions[i]).empty())
      throw Error(ErrorCode::Format, path + ": line " + std::to_string(i + 1) + " is a caption with no word");
  return captions;
}

std::vector<std::string> read_image_list(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(path).parent_path();
  std::vector<std::string> paths = read_lines(path, "image path");
  for (std::string& p : paths)
    if (fs::path(p).is_relative()) p = (base / p).string();
  return paths;
}

std::vector<std::string> image_files_from(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return list_image_files(path);
  return read_image_list(path);
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find_first_of("\r\n") != std::string::npos)
      throw Error(ErrorCode::InvalidArgument, path + ": row " + std::to_string(i) + " (" + lines[i] +
                                                  ") holds a line break and cannot be written one per line");
    text += lines[i];
    text += '\n';
  }
  write_file_atomically(path, text);
}

}  // namespace gxn::cli
