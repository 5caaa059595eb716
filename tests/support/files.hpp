#pragma once
// Whole files as strings, for tests that write fixtures or read back what gxn wrote.
#include <fstream>
#include <iterator>
#include <string>

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}
