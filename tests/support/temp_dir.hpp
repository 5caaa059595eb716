#pragma once
// A fresh directory under the system temp dir, removed with everything in it at scope exit.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> made{0};
    path = std::filesystem::temp_directory_path() /
           ("gxn-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()) + "-" +
            std::to_string(made++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path / name).string(); }
};
