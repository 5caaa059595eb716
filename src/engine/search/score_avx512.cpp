// AVX-512 tile kernel for the order-violation scorer (see score_kernel.hpp). Compiled with
// -mavx512f and friends; only reached when cpu.cpp found AVX-512 enabled by CPU and OS.
#include <immintrin.h>

#include "score_kernel.hpp"

// GCC 12 reports _mm512_min_ps/_mm512_max_ps's internal _mm512_undefined_ps() (a deliberate
// self-initialisation) as maybe-uninitialised: a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace gxn::detail {

namespace {

// 6 rows × 4 vectors of 16 columns = 24 accumulators, plus 4 column vectors and a zero:
// 29 of the 32 zmm registers. Per depth step: 4 vector loads, 6 broadcasts, 72 arithmetic ops.
constexpr int kFullRows = 6;
constexpr int kFewRows = 2;  // for a query or two per list in the index: 3 times less work wasted
constexpr int kVectors = 4;
constexpr int kCols = 16 * kVectors;

// d = t - v when rows are images (row value v broadcast, columns t): relu(v - t)^2 = min(d, 0)^2;
// d = v - t when rows are captions: relu(v - t)^2 = max(d, 0)^2.
template <bool kImageRows, int kRows>
void tile(const float* rows, const float* cols, std::int64_t depth, float* out) {
  __m512 acc[kRows][kVectors];
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm512_setzero_ps();
  const __m512 zero = _mm512_setzero_ps();
  for (std::int64_t d = 0; d < depth; ++d, rows += kRows, cols += kCols) {
    __m512 c[kVectors];
#pragma GCC unroll 4
    for (int j = 0; j < kVectors; ++j) c[j] = _mm512_load_ps(cols + 16 * j);
#pragma GCC unroll 6
    for (int i = 0; i < kRows; ++i) {
      const __m512 b = _mm512_set1_ps(rows[i]);
#pragma GCC unroll 4
      for (int j = 0; j < kVectors; ++j) {
        __m512 x = _mm512_sub_ps(c[j], b);
        x = kImageRows ? _mm512_min_ps(x, zero) : _mm512_max_ps(x, zero);
        acc[i][j] = _mm512_fmadd_ps(x, x, acc[i][j]);
      }
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < kVectors; ++j) _mm512_storeu_ps(out + i * kCols + 16 * j, _mm512_sub_ps(zero, acc[i][j]));
}

}  // namespace

ScoreKernel avx512_score_kernel() {
  return {Isa::Avx512,
          kFullRows,
          kCols,
          &tile<true, kFullRows>,
          &tile<false, kFullRows>,
          kFewRows,
          &tile<true, kFewRows>,
          &tile<false, kFewRows>};
}

}  // namespace gxn::detail
