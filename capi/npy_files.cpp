// The C API's .npy files: matrices read into gxn-owned handles, and atomic writes.
#include "boundary.hpp"
#include "gxn/engine/io/npy.hpp"
#include "matrix_handle.hpp"

using gxn::capi::guard;
using gxn::capi::require;

extern "C" {

int gxn_read_embeddings(const char* path, gxn_matrix** out) {
  return guard([&] {
    require(path, "path");
    require(out, "out");
    *out = nullptr;
    *out = new gxn_matrix{gxn::read_embeddings(path)};
  });
}

int gxn_read_npy_matrix(const char* path, gxn_matrix** out) {
  return guard([&] {
    require(path, "path");
    require(out, "out");
    *out = nullptr;
    *out = new gxn_matrix{gxn::read_npy_matrix(path)};
  });
}

int64_t gxn_matrix_rows(const gxn_matrix* m) { return m ? m->matrix.rows() : 0; }
int64_t gxn_matrix_cols(const gxn_matrix* m) { return m ? m->matrix.cols() : 0; }
const float* gxn_matrix_data(const gxn_matrix* m) { return m ? m->matrix.data() : nullptr; }
void gxn_matrix_free(gxn_matrix* m) { delete m; }

int gxn_write_embeddings(const char* path, const float* rows, int64_t n, int64_t dim2) {
  return guard([&] {
    require(path, "path");
    require(rows, "rows");
    gxn::write_embeddings(path, gxn::MatrixView(rows, n, dim2));
  });
}

int gxn_write_npy_matrix(const char* path, const float* data, int64_t rows, int64_t cols) {
  return guard([&] {
    require(path, "path");
    require(data, "data");
    gxn::write_npy_matrix(path, gxn::MatrixView(data, rows, cols));
  });
}
}
