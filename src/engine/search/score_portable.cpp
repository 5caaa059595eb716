// Portable tile kernel for the order-violation scorer (see score_kernel.hpp), for CPUs without
// AVX2. Written with GCC/Clang vector extensions rather than intrinsics: they compile to the
// baseline SIMD of any target (SSE2 on x86-64), where plain loops here stay scalar and branchy.
#include <cstring>

#include "score_kernel.hpp"

namespace gxn::detail {

namespace {

typedef float Vec __attribute__((vector_size(16)));
constexpr int kLanes = 4;

// 4 rows × 2 vectors of 4 columns: 8 accumulators in the 16 SSE registers.
constexpr int kRows = 4;
constexpr int kVectors = 2;
constexpr int kCols = kLanes * kVectors;

// See score_avx512.cpp: min(d, 0)^2 when rows are images, max(d, 0)^2 when rows are captions.
template <bool kImageRows>
void tile(const float* rows, const float* cols, std::int64_t depth, float* out) {
  const Vec zero = {};
  Vec acc[kRows][kVectors];
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kVectors; ++j) acc[i][j] = zero;
  for (std::int64_t d = 0; d < depth; ++d, rows += kRows, cols += kCols) {
    Vec c[kVectors];
    std::memcpy(c, cols, sizeof c);
    for (int i = 0; i < kRows; ++i) {
      const float b = rows[i];
      for (int j = 0; j < kVectors; ++j) {
        Vec x = c[j] - b;
        x = kImageRows ? (x < zero ? x : zero) : (x > zero ? x : zero);
        acc[i][j] += x * x;
      }
    }
  }
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kVectors; ++j)
      for (int l = 0; l < kLanes; ++l) out[i * kCols + j * kLanes + l] = -acc[i][j][l];
}

}  // namespace

ScoreKernel portable_score_kernel() { return {Isa::Portable, kRows, kCols, &tile<true>, &tile<false>}; }

}  // namespace gxn::detail
