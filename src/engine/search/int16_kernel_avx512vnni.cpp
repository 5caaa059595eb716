// AVX-512 VNNI 16-bit integer tile kernel (see int16_kernel.hpp). Compiled with -mavx512vnni;
// only reached when has_avx512_vnni() is true.
#include <immintrin.h>

#include <cstring>

#include "int16_kernel.hpp"

namespace gxn::detail {

namespace {

constexpr int kVectors = kCodeCols / 16;

// 6 rows × 4 vectors of 16 columns = 24 accumulators; per pair of dimensions 4 loads, 6
// broadcasts, and a saturating subtraction and a dot product per accumulator.
template <bool kImageRows>
void tile(const std::uint16_t* rows, const std::uint16_t* cols, std::int64_t pairs, std::int32_t* out) {
  __m512i acc[kCodeRows][kVectors];
#pragma GCC unroll 6
  for (int i = 0; i < kCodeRows; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm512_setzero_si512();
  for (std::int64_t g = 0; g < pairs; ++g, rows += 2 * kCodeRows, cols += 2 * kCodeCols) {
    __m512i c[kVectors];
#pragma GCC unroll 4
    for (int j = 0; j < kVectors; ++j) c[j] = _mm512_load_si512(cols + 32 * j);
#pragma GCC unroll 6
    for (int i = 0; i < kCodeRows; ++i) {
      std::int32_t two;
      std::memcpy(&two, rows + 2 * i, 4);
      const __m512i b = _mm512_set1_epi32(two);
#pragma GCC unroll 4
      for (int j = 0; j < kVectors; ++j) {
        // v − t saturated at 0: the row is v when rows hold images, else the column is.
        const __m512i x = kImageRows ? _mm512_subs_epu16(b, c[j]) : _mm512_subs_epu16(c[j], b);
        acc[i][j] = _mm512_dpwssd_epi32(acc[i][j], x, x);
      }
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < kCodeRows; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < kVectors; ++j)
      _mm512_storeu_si512(reinterpret_cast<__m512i*>(out + i * kCodeCols + 16 * j), acc[i][j]);
}

}  // namespace

void int16_order_tile(bool image_rows, const std::uint16_t* row_panel, const std::uint16_t* col_panel,
                      std::int64_t pairs, std::int32_t* tile_out) {
  if (image_rows)
    tile<true>(row_panel, col_panel, pairs, tile_out);
  else
    tile<false>(row_panel, col_panel, pairs, tile_out);
}

}  // namespace gxn::detail
