#pragma once
// The interface between the scoring driver (score.cpp) and the per-instruction-set tile kernels
// (score_portable.cpp, score_avx2.cpp, score_avx512.cpp). Internal to gxn::engine.
//
// The driver packs both operands into d-major panels, pre-scaled so that one plain order
// violation over the whole row gives s*: the x_h half times sqrt(lambda), the x_l half times
// sqrt(1 - lambda) (lambda·relu(v - t)^2 = relu(sqrt(lambda)·v - sqrt(lambda)·t)^2).
//
//   row panel:    rows_per_tile rows, value of row i at depth d at  panel[d * rows_per_tile + i]
//   column panel: cols_per_tile columns, value of column j at depth d at  panel[d * cols_per_tile + j]
//
// Rows past the end of the matrix are zero padding; their scores are computed and ignored.
// A kernel vectorises across the columns of a panel and broadcasts one row value at a time.
#include <cstdint>

#include "gxn/engine/cpu.hpp"

namespace gxn::detail {

// Writes the rows_per_tile × cols_per_tile tile of scores -sum_d relu(v_d - t_d)^2 to
// tile[i * cols_per_tile + j], reading `depth` values of each panel (column panels are aligned
// to 64 bytes).
using TileFunction = void (*)(const float* row_panel, const float* col_panel, std::int64_t depth, float* tile);

struct ScoreKernel {
  Isa isa = Isa::Portable;
  int rows_per_tile = 0;
  int cols_per_tile = 0;
  TileFunction image_rows = nullptr;  // rows hold images (v), columns hold captions (t)
  TileFunction text_rows = nullptr;   // rows hold captions (t), columns hold images (v)
};

ScoreKernel portable_score_kernel();
ScoreKernel avx2_score_kernel();
ScoreKernel avx512_score_kernel();

}  // namespace gxn::detail
