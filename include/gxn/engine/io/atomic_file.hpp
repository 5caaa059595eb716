#pragma once
// Writing a file so that readers only ever see the old file or the complete new one.
//
// Bytes go to a temporary file in the destination's directory (so the final rename never
// crosses file systems); commit() flushes and syncs it, then renames it into place. A writer
// destroyed without commit() (an exception, a failed write, a full disk) deletes its
// temporary file and leaves any existing file at the destination untouched.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gxn {

class AtomicFileWriter {
 public:
  // Creates the temporary file; throws gxn::Error(Io) naming `path` if it cannot.
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Appends bytes; throws gxn::Error(Io) naming the destination on failure.
  void write(const void* data, std::size_t bytes);

  // Syncs the temporary file and renames it to the destination; throws gxn::Error(Io) on
  // failure (and then the destination keeps its old content). Then removes the temporary files
  // of this destination that processes no longer running left behind (killed mid-save).
  void commit();

  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what, int error_number);

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// Replaces `path` with `size` bytes from `data` in one AtomicFileWriter.
void write_file_atomically(const std::string& path, const void* data, std::size_t size);
inline void write_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, text.data(), text.size());
}

// The whole content of `path`. Throws gxn::Error naming the path: NotFound when it does not
// exist, Io when it cannot be read (a directory, no permission, a read error).
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

}  // namespace gxn
