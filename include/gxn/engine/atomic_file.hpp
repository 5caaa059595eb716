#pragma once
// Writing a file so that readers only ever see the old file or the complete new one.
//
// Bytes go to a temporary file in the destination's directory (so the final rename never
// crosses file systems); commit() flushes and syncs it, then renames it into place. A writer
// destroyed without commit() (an exception, a failed write, a full disk) deletes its
// temporary file and leaves any existing file at the destination untouched.
#include <cstddef>
#include <string>

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
  // failure (and then the destination keeps its old content).
  void commit();

  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what, int error_number);

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace gxn
