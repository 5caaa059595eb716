// The C API's file readers (gxn_read_embeddings, gxn_read_npy_matrix, gxn_index_load): every
// input gives a status, never a crash; what is read is consistent.
#include <cstdint>

#include "gxn.h"
#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = write_scratch(data, size, ".bin");
  gxn_matrix* m = nullptr;
  if (gxn_read_embeddings(path.c_str(), &m) == GXN_OK) {
    if (gxn_matrix_rows(m) < 0 || gxn_matrix_cols(m) % 2 != 0) __builtin_trap();
  } else if (m != nullptr) {
    __builtin_trap();
  }
  gxn_matrix_free(m);
  m = nullptr;
  gxn_read_npy_matrix(path.c_str(), &m);
  gxn_matrix_free(m);
  gxn_index* index = nullptr;
  if (gxn_index_load(path.c_str(), &index) == GXN_OK && gxn_index_size(index) < 1) __builtin_trap();
  gxn_index_free(index);
  return 0;
}
