// AVX2 + FMA tile kernel for the order-violation scorer (see score_kernel.hpp). Compiled with
// -mavx2 -mfma; only reached when cpu.cpp found AVX2 enabled by CPU and OS.
#include <immintrin.h>

#include "score_kernel.hpp"

namespace gxn::detail {

namespace {

// 6 rows × 2 vectors of 8 columns = 12 accumulators, 2 column vectors, a broadcast row value,
// a temporary and a zero: the 16 ymm registers.
constexpr int kRows = 6;
constexpr int kVectors = 2;
constexpr int kCols = 8 * kVectors;

// See score_avx512.cpp: min(d, 0)^2 when rows are images, max(d, 0)^2 when rows are captions.
template <bool kImageRows>
void tile(const float* rows, const float* cols, std::int64_t depth, float* out) {
  __m256 acc[kRows][kVectors];
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 2
    for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm256_setzero_ps();
  const __m256 zero = _mm256_setzero_ps();
  for (std::int64_t d = 0; d < depth; ++d, rows += kRows, cols += kCols) {
    __m256 c[kVectors];
#pragma GCC unroll 2
    for (int j = 0; j < kVectors; ++j) c[j] = _mm256_load_ps(cols + 8 * j);
#pragma GCC unroll 6
    for (int i = 0; i < kRows; ++i) {
      const __m256 b = _mm256_broadcast_ss(rows + i);
#pragma GCC unroll 2
      for (int j = 0; j < kVectors; ++j) {
        __m256 x = _mm256_sub_ps(c[j], b);
        x = kImageRows ? _mm256_min_ps(x, zero) : _mm256_max_ps(x, zero);
        acc[i][j] = _mm256_fmadd_ps(x, x, acc[i][j]);
      }
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 2
    for (int j = 0; j < kVectors; ++j) _mm256_storeu_ps(out + i * kCols + 8 * j, _mm256_sub_ps(zero, acc[i][j]));
}

}  // namespace

ScoreKernel avx2_score_kernel() { return {Isa::Avx2, kRows, kCols, &tile<true>, &tile<false>}; }

}  // namespace gxn::detail
