#include "gxn/engine/matrix.hpp"

#include <cmath>
#include <string>

namespace gxn {

Matrix::Matrix(std::int64_t rows, std::int64_t cols, float fill) : rows_(rows), cols_(cols) {
  if (rows < 0 || cols < 0)
    throw Error(ErrorCode::Shape, "matrix: negative size " + std::to_string(rows) + "x" + std::to_string(cols));
  values_.assign(static_cast<std::size_t>(rows * cols), fill);
}

Matrix::Matrix(std::int64_t rows, std::int64_t cols, std::vector<float> values)
    : rows_(rows), cols_(cols), values_(std::move(values)) {
  if (rows < 0 || cols < 0 || static_cast<std::int64_t>(values_.size()) != rows * cols)
    throw Error(ErrorCode::Shape, "matrix: " + std::to_string(values_.size()) + " values do not make a " +
                                      std::to_string(rows) + "x" + std::to_string(cols) + " matrix");
}

void check_view(const MatrixView& m, const char* what) {
  if (m.rows < 0 || m.cols < 0 || m.stride < m.cols || (m.rows > 0 && m.cols > 0 && m.data == nullptr))
    throw Error(ErrorCode::Shape, std::string(what) + ": malformed matrix view (" + std::to_string(m.rows) + "x" +
                                      std::to_string(m.cols) + ", stride " + std::to_string(m.stride) + ")");
}

void check_finite(const MatrixView& m, const char* what) {
  for (std::int64_t r = 0; r < m.rows; ++r) {
    const float* p = m.row(r);
    for (std::int64_t c = 0; c < m.cols; ++c)
      if (!std::isfinite(p[c]))
        throw Error(ErrorCode::NonFinite, std::string(what) + ": non-finite value " + std::to_string(p[c]) +
                                              " at row " + std::to_string(r) + ", column " + std::to_string(c));
  }
}

}  // namespace gxn
