#include "gxn/engine/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gxn/error.hpp"

namespace gxn {

namespace {

std::string quoted(const std::string& path) { return "'" + path + "'"; }

// Closes the descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int err = errno;
    throw Error(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                "cannot open " + quoted(path) + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    throw Error(ErrorCode::Io, "cannot stat " + quoted(path) + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw Error(ErrorCode::Io, "cannot read " + quoted(path) + ": it is a directory");

  std::vector<std::uint8_t> bytes;
  if (S_ISREG(st.st_mode)) bytes.reserve(static_cast<std::size_t>(st.st_size));
  std::uint8_t buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCode::Io, "cannot read " + quoted(path) + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  return bytes;
}

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  // Unique within the process (counter) and across processes (pid); same directory as the
  // target so the final rename never crosses file systems.
  static std::atomic<unsigned long> counter{0};
  const std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);

  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) throw Error(ErrorCode::Io, "cannot write " + quoted(path) + ": " + std::strerror(errno));

  auto fail = [&](const char* what, int err) {
    ::close(fd.release());
    ::unlink(temp.c_str());
    throw Error(ErrorCode::Io, std::string("cannot write ") + quoted(path) + ": " + what + ": " + std::strerror(err));
  };
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::size_t left = size;
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail("fsync", errno);
  if (::close(fd.release()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    throw Error(ErrorCode::Io, "cannot write " + quoted(path) + ": close: " + std::strerror(err));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    throw Error(ErrorCode::Io, "cannot write " + quoted(path) + ": rename: " + std::strerror(err));
  }
}

}  // namespace gxn
