#pragma once
// NumPy .npy files: how embeddings and score matrices travel between gxn and Python.
//
// Read: float32 ('<f4') and float16 ('<f2', widened to float32), C order, any rank, format
// versions 1.0, 2.0 and 3.0. Everything else (other dtypes, big-endian, Fortran order, a bad
// magic or header, truncated or surplus data) is refused with gxn::Error naming the file and
// the reason. Values are not checked for NaN/Inf here; users of the data do that.
// Write: float32 C order, version 1.0 (2.0 only if the header does not fit), atomically.
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/matrix.hpp"

namespace gxn {

struct NpyArray {
  std::vector<std::int64_t> shape;  // empty for a 0-d array (one value)
  std::vector<float> data;          // C order: the last index varies fastest

  // The number of values the shape holds (the product of its dimensions; 1 for 0-d).
  std::int64_t count() const;
};

NpyArray read_npy(const std::string& path);

// Writes `data` (product(shape) float32 values, C order) to `path` through a temporary file
// renamed into place: on any failure the previous file at `path` is left as it was.
void write_npy(const std::string& path, const std::vector<std::int64_t>& shape, const float* data);
void write_npy(const std::string& path, const NpyArray& array);

// A 2-D array (e.g. an images × captions score matrix) as a Matrix; other ranks are refused.
Matrix read_npy_matrix(const std::string& path);
void write_npy_matrix(const std::string& path, const MatrixView& matrix);

// An embeddings file: float32 or float16 of shape (N, 2, D), row n holding (x_h, x_l), read
// as an N × 2D matrix (the layout OrderScorer takes; D = cols() / 2). D must be positive.
Matrix read_embeddings(const std::string& path);
// Writes N × 2D rows as an (N, 2, D) float32 file; refuses an odd or zero column count.
void write_embeddings(const std::string& path, const MatrixView& rows);

}  // namespace gxn
