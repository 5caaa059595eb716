#pragma once
// For harnesses of readers that take a path: the input bytes written to one scratch file per
// process (in $TMPDIR, /tmp by default), rewritten for every input.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

inline const std::string& scratch_path(const char* suffix) {
  static const std::string path = [&] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/gxn_fuzz_" + std::to_string(::getpid()) + suffix;
  }();
  return path;
}

// Replaces `path` with the bytes; a harness that cannot write its input stops.
inline void write_bytes(const std::string& path, const void* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

inline const std::string& write_scratch(const std::uint8_t* data, std::size_t size, const char* suffix) {
  const std::string& path = scratch_path(suffix);
  write_bytes(path, data, size);
  return path;
}
