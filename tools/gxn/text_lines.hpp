#pragma once
// Text files of one item per line (captions, image paths, row names), as the CLI reads them.
#include <string>
#include <vector>

namespace gxn::cli {

// The lines of `path` without their '\n' or "\r\n"; a last line without '\n' counts. A line that
// is blank (nothing but spaces and tabs) is refused with gxn::Error naming `path` and its
// 1-based number; so is a file with no line. `what` says what a line holds ("caption").
std::vector<std::string> read_lines(const std::string& path, const std::string& what);

// The captions of a file, one per line; also refuses a line with no word (tokenize.hpp), by number.
std::vector<std::string> read_captions_file(const std::string& path);

// Image paths from a list file, one per line; a relative path is taken relative to the list
// file's folder.
std::vector<std::string> read_image_list(const std::string& path);

// `path` is a folder: its image files (list_image_files); otherwise a list file (read_image_list).
std::vector<std::string> image_files_from(const std::string& path);

// Writes `lines` one per line, atomically; a line holding a line break is refused, naming it.
void write_lines(const std::string& path, const std::vector<std::string>& lines);

}  // namespace gxn::cli
