#pragma once
// Argument checks shared by gxn::model's modules and losses (private to gxn::model): each
// throws gxn::Error naming the function and the argument at fault, and the shape it got.
#include <torch/torch.h>

#include <cmath>
#include <initializer_list>
#include <sstream>
#include <string>

#include "gxn/error.hpp"

namespace gxn::detail {

// "[2, 3]", or "an undefined tensor": the shape a message names.
inline std::string shape_string(const torch::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}

// "[2, 3] Long": the shape and element type, for checks of both.
inline std::string shape_and_type(const torch::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  std::ostringstream os;
  os << t.sizes() << ' ' << t.scalar_type();
  return os.str();
}

// "(B, ...) with B >= 1" or "(rows, ...)": the expected shape, for messages.
inline std::string expected_shape(std::int64_t rows, std::initializer_list<std::int64_t> rest) {
  std::string s = "(" + (rows < 0 ? std::string("B") : std::to_string(rows));
  for (auto d : rest) s += ", " + std::to_string(d);
  return s + ")" + (rows < 0 ? " with B >= 1" : "");
}

inline bool rows_match(const torch::Tensor& t, std::int64_t rows) {
  return rows < 0 ? t.size(0) >= 1 : t.size(0) == rows;
}

// A floating-point (rows, cols) tensor; rows < 0 accepts any number of rows but zero.
inline void check_matrix(const torch::Tensor& t, const std::string& where, const std::string& name, std::int64_t cols,
                         std::int64_t rows = -1) {
  if (!(t.defined() && t.is_floating_point() && t.dim() == 2 && t.size(1) == cols && rows_match(t, rows)))
    throw Error(ErrorCode::Shape, where + ": " + name + " must be floating-point " + expected_shape(rows, {cols}) +
                                      ", got " + shape_string(t));
}

// A floating-point (rows, D) tensor with D >= 1; returns D.
inline std::int64_t check_matrix_width(const torch::Tensor& t, const std::string& where, const std::string& name,
                                       std::int64_t rows = -1) {
  if (!(t.defined() && t.is_floating_point() && t.dim() == 2 && t.size(1) >= 1 && rows_match(t, rows)))
    throw Error(ErrorCode::Shape, where + ": " + name + " must be floating-point " +
                                      (rows < 0 ? std::string("(B, D) with B, D >= 1")
                                                : "(" + std::to_string(rows) + ", D) with D >= 1") +
                                      ", got " + shape_string(t));
  return t.size(1);
}

// A floating-point (rows, channels, size, size) tensor; rows < 0 accepts any number of rows but zero.
inline void check_images(const torch::Tensor& t, const std::string& where, const std::string& name,
                         std::int64_t channels, std::int64_t size, std::int64_t rows = -1) {
  if (!(t.defined() && t.is_floating_point() && t.dim() == 4 && t.size(1) == channels && t.size(2) == size &&
        t.size(3) == size && rows_match(t, rows)))
    throw Error(ErrorCode::Shape, where + ": " + name + " must be floating-point " +
                                      expected_shape(rows, {channels, size, size}) + ", got " + shape_string(t));
}

inline void check_at_least(std::int64_t value, std::int64_t minimum, const std::string& where,
                           const std::string& name) {
  if (value < minimum)
    throw Error(ErrorCode::InvalidArgument, where + ": " + name + " must be at least " + std::to_string(minimum) +
                                                ", got " + std::to_string(value));
}

// A loss weight: finite and >= 0.
inline void check_weight(double value, const std::string& where, const std::string& name) {
  if (!std::isfinite(value) || value < 0) {
    std::ostringstream os;
    os << where << ": " << name << " must be a finite weight >= 0, got " << value;
    throw Error(ErrorCode::InvalidArgument, os.str());
  }
}

}  // namespace gxn::detail
