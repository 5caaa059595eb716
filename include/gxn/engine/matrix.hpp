#pragma once
// Plain row-major float32 matrices: how data crosses into the engine (no torch::Tensor here).
#include <cstdint>
#include <vector>

#include "gxn/error.hpp"

namespace gxn {

// A borrowed, read-only view: rows × cols floats, row r starting at data + r * stride.
struct MatrixView {
  const float* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t stride = 0;  // in floats, >= cols

  MatrixView() = default;
  MatrixView(const float* d, std::int64_t r, std::int64_t c) : data(d), rows(r), cols(c), stride(c) {}
  MatrixView(const float* d, std::int64_t r, std::int64_t c, std::int64_t s) : data(d), rows(r), cols(c), stride(s) {}

  const float* row(std::int64_t r) const { return data + r * stride; }
  float operator()(std::int64_t r, std::int64_t c) const { return data[r * stride + c]; }
};

// An owning, contiguous row-major matrix.
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::int64_t rows, std::int64_t cols, float fill = 0.0f);
  Matrix(std::int64_t rows, std::int64_t cols, std::vector<float> values);

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  float* data() { return values_.data(); }
  const float* data() const { return values_.data(); }
  float* row(std::int64_t r) { return values_.data() + r * cols_; }
  const float* row(std::int64_t r) const { return values_.data() + r * cols_; }
  float& operator()(std::int64_t r, std::int64_t c) { return values_[r * cols_ + c]; }
  float operator()(std::int64_t r, std::int64_t c) const { return values_[r * cols_ + c]; }
  const std::vector<float>& values() const { return values_; }

  MatrixView view() const { return {values_.data(), rows_, cols_, cols_}; }
  operator MatrixView() const { return view(); }

 private:
  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  std::vector<float> values_;
};

// Throws gxn::Error(Shape) naming `what` unless the view is well formed (non-negative sizes,
// stride >= cols, data present when non-empty).
void check_view(const MatrixView& m, const char* what);

// Throws gxn::Error(NonFinite) naming `what` and the first bad (row, col) if any entry is NaN/Inf.
void check_finite(const MatrixView& m, const char* what);

}  // namespace gxn
