// .npy files: read_npy, read_npy_matrix and read_embeddings accept or refuse with gxn::Error.
#include <cstdint>

#include "gxn/engine/io/npy.hpp"
#include "gxn/error.hpp"
#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = write_scratch(data, size, ".npy");
  try {
    const gxn::NpyArray array = gxn::read_npy(path);
    if (static_cast<std::size_t>(array.count()) != array.data.size()) __builtin_trap();
  } catch (const gxn::Error&) {
  }
  try {
    gxn::read_npy_matrix(path);
  } catch (const gxn::Error&) {
  }
  try {
    gxn::read_embeddings(path);
  } catch (const gxn::Error&) {
  }
  return 0;
}
