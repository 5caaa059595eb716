// The order-violation scorer: input checks, panel packing, cache blocking, OpenMP scheduling and
// top-k selection around the per-instruction-set tile kernels (score_kernel.hpp).
//
// Rows (the broadcast operand) are packed once per super-chunk into panels shared by all
// threads. Work is cut into tasks of (row panels × one column block); a task packs its column
// block (the vectorised operand) into its thread's buffer, which stays in L2 while the row
// panels stream past it from L3. Neither the Q×N score matrix nor a packed copy of all
// candidates is ever held, so top-k works for millions of candidates.
#include "gxn/engine/search/score.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "certified_top_k.hpp"
#include "embedding_checks.hpp"
#include "score_kernel.hpp"
#include "top_k_heaps.hpp"

namespace gxn {

namespace {

using detail::AlignedFloats;
using detail::check_embeddings;
using detail::check_k;
using detail::pack_panel;
using detail::require_finite;
using detail::ScoreKernel;

// A packed column block: 1 MiB, half of a 2 MiB L2 (256 columns of 1024 floats). Every row
// panel streamed in from L3 is used against the whole block, so larger blocks mean less row
// traffic (measured: 64 columns ran 15% slower than 128 or 256 at 1000 x 5000 x 1024).
constexpr std::int64_t kBlockFloats = std::int64_t{256} << 10;
constexpr std::int64_t kMaxBlockCols = 512;
// Packed rows of one super-chunk (floats): 32 MiB, shared by all threads.
constexpr std::int64_t kSuperChunkFloats = std::int64_t{8} << 20;
// Top-k candidates held per super-chunk over all threads (entries of 16 bytes): 32 MiB.
constexpr std::int64_t kSelectionEntries = std::int64_t{2} << 20;
// Depth values copied per pass when packing, so a panel's destination lines stay in L1.
constexpr std::int64_t kPackDepthBlock = 64;
constexpr std::int64_t kUnlimited = std::numeric_limits<std::int64_t>::max();
// Small tasks per thread at the end of each super-chunk (see plan_tasks).
constexpr std::int64_t kTailTasksPerThread = 8;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

int thread_count(const ScoreOptions& options) { return options.threads > 0 ? options.threads : omp_get_max_threads(); }

// A unit of parallel work: the row panels [first_panel, end_panel) of a super-chunk against one
// column block.
struct Task {
  std::int64_t block;
  std::int64_t first_panel;
  std::int64_t end_panel;
};

// Whole column blocks first, one task each, so that a thread packs each block once; then the
// last blocks cut into row chunks: small tasks at the end let threads that run at different
// speeds (other load on the machine, a ragged last block) finish together.
std::vector<Task> plan_tasks(std::int64_t col_blocks, std::int64_t row_panels, int threads) {
  const std::int64_t tail_blocks = std::min<std::int64_t>(col_blocks, threads);
  const std::int64_t chunks = std::min(row_panels, ceil_div(kTailTasksPerThread * threads, tail_blocks));
  const std::int64_t per_chunk = ceil_div(row_panels, chunks);
  std::vector<Task> tasks;
  for (std::int64_t b = 0; b < col_blocks - tail_blocks; ++b) tasks.push_back({b, 0, row_panels});
  for (std::int64_t b = col_blocks - tail_blocks; b < col_blocks; ++b)
    for (std::int64_t p = 0; p < row_panels; p += per_chunk)
      tasks.push_back({b, p, std::min(row_panels, p + per_chunk)});
  return tasks;
}

// One scoring call: rows (broadcast operand) against columns (vectorised operand). `Sink`
// receives every finished tile: sink(thread, row, rows, col, cols, tile, tile_stride), and
// `finish_super_chunk(first_row, rows)` runs on every thread after each super-chunk.
class BlockedScoring {
 public:
  BlockedScoring(const ScoreKernel& kernel, bool image_rows, const MatrixView& rows, const MatrixView& cols,
                 float lambda, int threads, std::int64_t max_super_rows)
      : kernel_(kernel),
        tile_fn_(image_rows ? kernel.image_rows : kernel.text_rows),
        rows_(rows),
        cols_(cols),
        depth_(rows.cols),
        scale_h_(std::sqrt(lambda)),
        scale_l_(std::sqrt(1.0f - lambda)),
        threads_(threads),
        mr_(kernel.rows_per_tile),
        nr_(kernel.cols_per_tile),
        panels_per_block_(std::max<std::int64_t>(1, std::min(kBlockFloats / depth_, kMaxBlockCols) / nr_)) {
    const std::int64_t by_memory = std::max<std::int64_t>(1, kSuperChunkFloats / depth_);
    super_rows_ = std::max<std::int64_t>(mr_, std::min(by_memory, max_super_rows) / mr_ * mr_);
    super_rows_ = std::min(super_rows_, ceil_div(rows_.rows, mr_) * mr_);
  }

  std::int64_t super_rows() const { return super_rows_; }

  template <class Sink, class Finish>
  void run(Sink&& sink, Finish&& finish_super_chunk) {
    if (rows_.rows == 0 || cols_.rows == 0) return;
    const std::int64_t block_cols = panels_per_block_ * nr_;
    const std::int64_t col_blocks = ceil_div(cols_.rows, block_cols);
    const std::int64_t last_super_first = (rows_.rows - 1) / super_rows_ * super_rows_;
    const std::vector<Task> full_plan = plan_tasks(col_blocks, super_rows_ / mr_, threads_);
    const std::vector<Task> last_plan = plan_tasks(col_blocks, ceil_div(rows_.rows - last_super_first, mr_), threads_);
    AlignedFloats row_pack(super_rows_ * depth_);
    std::vector<AlignedFloats> col_packs;
    std::vector<AlignedFloats> tiles;
    col_packs.reserve(threads_);
    tiles.reserve(threads_);
    for (int t = 0; t < threads_; ++t) {
      col_packs.emplace_back(block_cols * depth_);
      tiles.emplace_back(std::int64_t{mr_} * nr_);
    }

#pragma omp parallel num_threads(threads_)
    {
      const int thread = omp_get_thread_num();
      float* col_pack = col_packs[thread].get();
      float* tile = tiles[thread].get();
      for (std::int64_t super_first = 0; super_first < rows_.rows; super_first += super_rows_) {
        const std::int64_t super_count = std::min(super_rows_, rows_.rows - super_first);
        const std::int64_t row_panels = ceil_div(super_count, mr_);
        const std::vector<Task>& plan = super_first == last_super_first ? last_plan : full_plan;

#pragma omp for schedule(static)
        for (std::int64_t p = 0; p < row_panels; ++p) {
          const std::int64_t first = super_first + p * mr_;
          pack_panel(rows_, first, std::min<std::int64_t>(mr_, rows_.rows - first), mr_, scale_h_, scale_l_,
                     row_pack.get() + p * mr_ * depth_);
        }

        std::int64_t packed_block = -1;
#pragma omp for schedule(dynamic, 1)
        for (std::size_t t = 0; t < plan.size(); ++t) {
          const Task& task = plan[t];
          const std::int64_t col_first = task.block * block_cols;
          const std::int64_t col_count = std::min(block_cols, cols_.rows - col_first);
          const std::int64_t col_panels = ceil_div(col_count, nr_);
          if (task.block != packed_block) {
            for (std::int64_t q = 0; q < col_panels; ++q)
              pack_panel(cols_, col_first + q * nr_, std::min<std::int64_t>(nr_, col_count - q * nr_), nr_, scale_h_,
                         scale_l_, col_pack + q * nr_ * depth_);
            packed_block = task.block;
          }
          for (std::int64_t p = task.first_panel; p < task.end_panel; ++p) {
            const std::int64_t row_first = super_first + p * mr_;
            const int row_count = static_cast<int>(std::min<std::int64_t>(mr_, rows_.rows - row_first));
            for (std::int64_t q = 0; q < col_panels; ++q) {
              tile_fn_(row_pack.get() + p * mr_ * depth_, col_pack + q * nr_ * depth_, depth_, tile);
              const int n = static_cast<int>(std::min<std::int64_t>(nr_, col_count - q * nr_));
              sink(thread, row_first, row_count, col_first + q * nr_, n, static_cast<const float*>(tile), nr_);
            }
          }
        }
        finish_super_chunk(super_first, super_count);
      }
    }
  }

 private:
  ScoreKernel kernel_;
  detail::TileFunction tile_fn_;
  MatrixView rows_, cols_;
  std::int64_t depth_;
  float scale_h_, scale_l_;
  int threads_;
  int mr_, nr_;
  std::int64_t panels_per_block_;
  std::int64_t super_rows_ = 0;
};

// A candidate in a top-k selection. Higher score first; equal scores: lower index first.
struct Candidate {
  float score;
  std::int64_t index;
};

bool better(const Candidate& a, const Candidate& b) {
  return a.score > b.score || (a.score == b.score && a.index < b.index);
}

// The k best candidates seen so far for each row of a super-chunk.
using RowSelections = detail::TopKHeaps<Candidate, better>;

TopK top_k(const ScoreKernel& kernel, bool image_rows, const MatrixView& queries, const MatrixView& candidates,
           std::int64_t k, float lambda, int threads) {
  TopK result;
  result.queries = queries.rows;
  result.k = std::min(k, candidates.rows);
  const std::int64_t keep = result.k;
  result.index.resize(static_cast<std::size_t>(queries.rows * keep));
  result.score.resize(static_cast<std::size_t>(queries.rows * keep));
  if (queries.rows == 0 || keep == 0) return result;

  // Every thread keeps its own k best per row; the super-chunk bounds that memory.
  const std::int64_t max_rows = std::max<std::int64_t>(1, kSelectionEntries / (keep * threads));
  BlockedScoring scoring(kernel, image_rows, queries, candidates, lambda, threads, max_rows);
  std::vector<RowSelections> selections;
  selections.reserve(threads);
  for (int t = 0; t < threads; ++t) selections.emplace_back(scoring.super_rows(), keep);
  // Super-chunks start at multiples of super_rows: a row's place in its chunk is row % super_rows.
  const std::int64_t super_rows = scoring.super_rows();

  auto sink = [&](int thread, std::int64_t row, int rows, std::int64_t col, int cols, const float* tile, int stride) {
    RowSelections& mine = selections[thread];
    for (int i = 0; i < rows; ++i) {
      const std::int64_t r = (row + i) % super_rows;
      float floor = mine.floor(r);
      const float* s = tile + i * stride;
      for (int j = 0; j < cols; ++j)
        if (s[j] >= floor) {
          mine.offer(r, {s[j], col + j});
          floor = mine.floor(r);
        }
    }
  };
  // Merge buffers are allocated here: nothing inside the parallel region may throw.
  std::vector<std::vector<Candidate>> pools(static_cast<std::size_t>(threads));
  for (std::vector<Candidate>& pool : pools) pool.reserve(static_cast<std::size_t>(keep * threads));
  auto merge = [&](std::int64_t first, std::int64_t count) {
    std::vector<Candidate>& pool = pools[omp_get_thread_num()];
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < count; ++r) {
      pool.clear();
      for (const RowSelections& s : selections) pool.insert(pool.end(), s.begin(r), s.end(r));
      std::partial_sort(pool.begin(), pool.begin() + keep, pool.end(), better);
      for (std::int64_t j = 0; j < keep; ++j) {
        result.index[(first + r) * keep + j] = pool[j].index;
        result.score[(first + r) * keep + j] = pool[j].score;
      }
    }
    // The loop's barrier has passed: every row is merged; start the next super-chunk clean.
    selections[omp_get_thread_num()].clear();
  };
  scoring.run(sink, merge);
  return result;
}

}  // namespace

namespace detail {

ScoreKernel score_kernel_for(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return avx512_score_kernel();
    case Isa::Avx2: return avx2_score_kernel();
    default: return portable_score_kernel();
  }
}

void pack_panel(const MatrixView& m, std::int64_t first, std::int64_t count, int width, float scale_h, float scale_l,
                float* dst) {
  const std::int64_t depth = m.cols;
  const std::int64_t half = depth / 2;
  for (std::int64_t d0 = 0; d0 < depth; d0 += kPackDepthBlock) {
    const std::int64_t d1 = std::min(depth, d0 + kPackDepthBlock);
    for (std::int64_t i = 0; i < width; ++i) {
      float* out = dst + i;
      if (i >= count) {
        for (std::int64_t d = d0; d < d1; ++d) out[d * width] = 0.0f;
        continue;
      }
      const float* src = m.row(first + i);
      const std::int64_t split = std::clamp(half, d0, d1);
      for (std::int64_t d = d0; d < split; ++d) out[d * width] = src[d] * scale_h;
      for (std::int64_t d = split; d < d1; ++d) out[d * width] = src[d] * scale_l;
    }
  }
}

}  // namespace detail

float order_violation(const float* t, const float* v, std::int64_t dim) {
  if (dim < 0) throw Error(ErrorCode::InvalidArgument, "dim: must not be negative, got " + std::to_string(dim));
  if (dim > 0 && (t == nullptr || v == nullptr))
    throw Error(ErrorCode::InvalidArgument, std::string(t == nullptr ? "t" : "v") + ": null pointer");
  float sum = 0.0f;
  for (std::int64_t d = 0; d < dim; ++d) {
    const float x = std::max(v[d] - t[d], 0.0f);
    sum += x * x;
  }
  return -sum;
}

OrderScorer::OrderScorer(ScoreOptions options) : options_(options), isa_(resolve_isa(options.isa)) {
  if (!(options_.lambda >= 0.0f && options_.lambda <= 1.0f))
    throw Error(ErrorCode::InvalidArgument, "lambda: must lie in [0, 1], got " + std::to_string(options_.lambda));
  if (options_.threads < 0)
    throw Error(ErrorCode::InvalidArgument,
                "threads: must be 0 (OpenMP's default) or positive, got " + std::to_string(options_.threads));
}

float OrderScorer::score(const float* t, const float* v, std::int64_t dim2) const {
  if (dim2 <= 0 || dim2 % 2 != 0)
    throw Error(ErrorCode::Shape, "dim2: a row must hold 2·D floats with D > 0, got " + std::to_string(dim2));
  if (t == nullptr || v == nullptr)
    throw Error(ErrorCode::InvalidArgument, std::string(t == nullptr ? "t" : "v") + ": null pointer");
  require_finite(MatrixView(t, 1, dim2), "t");
  require_finite(MatrixView(v, 1, dim2), "v");
  const std::int64_t half = dim2 / 2;
  const float lambda = options_.lambda;
  return lambda * order_violation(t, v, half) + (1.0f - lambda) * order_violation(t + half, v + half, half);
}

void OrderScorer::score_matrix(const MatrixView& images, const MatrixView& texts, float* out,
                               std::int64_t out_stride) const {
  const int threads = thread_count(options_);
  check_embeddings(images, "images", texts, "texts", threads);
  if (images.rows > 0 && texts.rows > 0 && out == nullptr) throw Error(ErrorCode::InvalidArgument, "out: null pointer");
  if (out_stride < texts.rows)
    throw Error(ErrorCode::Shape, "out_stride: " + std::to_string(out_stride) + " is less than the " +
                                      std::to_string(texts.rows) + " texts per row");
  const ScoreKernel kernel = detail::score_kernel_for(isa_);
  const auto no_finish = [](std::int64_t, std::int64_t) {};
  // The smaller side is broadcast (the rows of the tiles): its packed copy is what streams from
  // L3 past each column block, so less of it runs faster (measured). The scores are the same
  // bit for bit either way: v - t and t - v differ only in sign.
  if (images.rows <= texts.rows) {
    BlockedScoring(kernel, /*image_rows=*/true, images, texts, options_.lambda, threads, kUnlimited)
        .run(
            [&](int, std::int64_t row, int rows, std::int64_t col, int cols, const float* tile, int stride) {
              for (int i = 0; i < rows; ++i)
                std::memcpy(out + (row + i) * out_stride + col, tile + i * stride, sizeof(float) * cols);
            },
            no_finish);
  } else {
    BlockedScoring(kernel, /*image_rows=*/false, texts, images, options_.lambda, threads, kUnlimited)
        .run(
            [&](int, std::int64_t row, int rows, std::int64_t col, int cols, const float* tile, int stride) {
              for (int j = 0; j < cols; ++j)
                for (int i = 0; i < rows; ++i) out[(col + j) * out_stride + row + i] = tile[i * stride + j];
            },
            no_finish);
  }
}

Matrix OrderScorer::score_matrix(const MatrixView& images, const MatrixView& texts) const {
  check_view(images, "images");
  check_view(texts, "texts");
  Matrix out(images.rows, texts.rows);
  score_matrix(images, texts, out.data(), texts.rows);
  return out;
}

TopK OrderScorer::top_images(const MatrixView& texts, const MatrixView& images, std::int64_t k) const {
  const int threads = thread_count(options_);
  check_embeddings(texts, "texts", images, "images", threads);
  check_k(k);
  if (options_.certified_int16 && detail::certified_top_k_applies(isa_, texts.rows, images.rows, k))
    if (auto top = detail::certified_top_k(/*image_rows=*/false, texts, images, k, options_.lambda, threads))
      return *top;
  return top_k(detail::score_kernel_for(isa_), /*image_rows=*/false, texts, images, k, options_.lambda, threads);
}

TopK OrderScorer::top_texts(const MatrixView& images, const MatrixView& texts, std::int64_t k) const {
  const int threads = thread_count(options_);
  check_embeddings(images, "images", texts, "texts", threads);
  check_k(k);
  if (options_.certified_int16 && detail::certified_top_k_applies(isa_, images.rows, texts.rows, k))
    if (auto top = detail::certified_top_k(/*image_rows=*/true, images, texts, k, options_.lambda, threads))
      return *top;
  return top_k(detail::score_kernel_for(isa_), /*image_rows=*/true, images, texts, k, options_.lambda, threads);
}

}  // namespace gxn
