#pragma once
// Whole-file reads and crash-safe writes. A file gxn writes goes to a temporary file in the same
// directory, is flushed to disk and then renamed over the target, so a reader sees the old file
// or the new one, never half of one, and a failed write leaves an existing file as it was.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gxn {

// The whole content of `path`. Throws gxn::Error naming the path: NotFound when it does not
// exist, Io when it cannot be read (a directory, no permission, a read error).
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

// Replaces `path` with `size` bytes from `data` atomically (temporary file + fsync + rename).
// Throws gxn::Error(Io) naming the path; the temporary file is removed on failure.
void write_file_atomically(const std::string& path, const void* data, std::size_t size);

inline void write_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, text.data(), text.size());
}

}  // namespace gxn
