#include "gxn/engine/io/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "gxn/error.hpp"

namespace gxn {

namespace {

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// A name no other writer (thread or process) uses at the same time: pid, a process-wide
// counter and the clock. O_EXCL below turns any remaining collision into a retry.
std::string temporary_name(const std::string& path) {
  static std::atomic<unsigned long> counter{0};
  const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++) + "." +
         std::to_string(static_cast<unsigned long>(ticks) % 1000000UL);
}

// Removes the temporary files of `path` that writers killed mid-save left (a SIGKILL runs no
// destructor). Only those of processes that no longer exist: a live process may be writing.
void remove_orphaned_temporaries(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  DIR* dir = ::opendir(directory_of(path).c_str());
  if (!dir) return;  // nothing lost: leftovers are never read as the file
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    char* end = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (end == name.c_str() + prefix.size() || *end != '.' || pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    ::unlink((slash == std::string::npos ? name : path.substr(0, slash + 1) + name).c_str());
  }
  ::closedir(dir);
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw Error(ErrorCode::InvalidArgument, "output path is empty");
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(ErrorCode::Io, path_ + ": is a directory, cannot write a file there");
  for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
    temp_path_ = temporary_name(path_);
    // 0666 minus the umask: the same permissions a plain fopen(path, "w") would give.
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST) break;
  }
  if (fd_ < 0) {
    const int e = errno;
    throw Error(ErrorCode::Io,
                path_ + ": cannot create a temporary file in " + directory_of(path_) + ": " + std::strerror(e));
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFileWriter::fail(const std::string& what, int error_number) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_path_.c_str());
  committed_ = true;  // nothing left for the destructor to clean up
  throw Error(ErrorCode::Io, path_ + ": " + what + ": " + std::strerror(error_number));
}

void AtomicFileWriter::write(const void* data, std::size_t bytes) {
  if (fd_ < 0) throw Error(ErrorCode::Internal, path_ + ": write after commit or failure");
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd_, p, bytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed", errno);
    }
    p += n;
    bytes -= static_cast<std::size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) throw Error(ErrorCode::Internal, path_ + ": commit after commit or failure");
  if (::fsync(fd_) != 0) fail("cannot sync the temporary file", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot close the temporary file", errno);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) fail("cannot rename the temporary file into place", errno);
  committed_ = true;
  // Make the rename itself durable; a failure here loses nothing already written.
  const int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  remove_orphaned_temporaries(path_);
}

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  AtomicFileWriter out(path);
  out.write(data, size);
  out.commit();
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int e = errno;
    throw Error(e == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, "cannot open '" + path + "': " + std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) throw Error(ErrorCode::Io, "cannot read '" + path + "': it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::Io, "cannot open '" + path + "': " + std::strerror(errno));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorCode::Io, "cannot read '" + path + "': read error");
  return bytes;
}

}  // namespace gxn
