#pragma once
// Matrices of uniform [0, 1) floats from a seeded generator, for the index and scorer tests.
#include <cstdint>
#include <random>

#include "gxn/engine/matrix.hpp"

inline gxn::Matrix uniform_rows(std::int64_t n, std::int64_t cols, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  gxn::Matrix m(n, cols);
  for (float* p = m.data(); p != m.data() + n * cols; ++p) *p = u(rng);
  return m;
}
