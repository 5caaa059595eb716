#pragma once
// The 16-bit integer tile kernel behind the certified top-k (certified_top_k.cpp). Internal to
// gxn::engine.
//
// Codes are non-negative 16-bit integers small enough that max(0, v − t) is one saturating
// subtraction that also fits a signed word, and that the sum of its squares over the depth fits
// 32 bits: VNNI's signed word dot product then squares and sums it, two dimensions per 32-bit
// lane. Depth is counted in pairs of codes.
//
//   row panel:    kCodeRows rows, the 2 codes of row i for pair g at  panel[(g * kCodeRows + i) * 2]
//   column panel: kCodeCols columns, the 2 codes of column j for pair g at  panel[(g * kCodeCols + j) * 2]
#include <cstdint>

namespace gxn::detail {

constexpr int kCodeRows = 6;
constexpr int kCodeCols = 64;

// tile[i * kCodeCols + j] = Σ max(0, v − t)² over `pairs` pairs of codes, where v is the image's
// code and t the caption's: rows hold images when image_rows, else captions. Column panels are
// aligned to 64 bytes.
void int16_order_tile(bool image_rows, const std::uint16_t* row_panel, const std::uint16_t* col_panel,
                      std::int64_t pairs, std::int32_t* tile);

}  // namespace gxn::detail
