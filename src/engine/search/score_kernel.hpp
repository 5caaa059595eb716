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
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

#include "gxn/engine/cpu.hpp"
#include "gxn/engine/matrix.hpp"

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
  // The same on panels of fewer rows (0: none), for the index's lists that few queries visit.
  // Each score is the same float either way: a pair's sum runs over d in order in its own lane.
  int few_rows_per_tile = 0;
  TileFunction few_image_rows = nullptr;
  TileFunction few_text_rows = nullptr;
};

ScoreKernel portable_score_kernel();
ScoreKernel avx2_score_kernel();
ScoreKernel avx512_score_kernel();
ScoreKernel score_kernel_for(Isa isa);  // one of the three, for an instruction set resolved already

// Copies `count` (<= width) rows of m from row `first` into one d-major panel of `width` rows,
// the x_h half scaled by scale_h and the x_l half by scale_l; missing rows become zeros.
void pack_panel(const MatrixView& m, std::int64_t first, std::int64_t count, int width, float scale_h, float scale_l,
                float* dst);

// 64-byte aligned floats: column panels are read with aligned vector loads.
class AlignedFloats {
 public:
  AlignedFloats() = default;
  explicit AlignedFloats(std::int64_t count) {
    const auto bytes = static_cast<std::size_t>((std::max<std::int64_t>(count, 1) * 4 + 63) / 64 * 64);
    data_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
    if (!data_) throw std::bad_alloc();
  }
  float* get() const { return data_.get(); }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
};

}  // namespace gxn::detail
