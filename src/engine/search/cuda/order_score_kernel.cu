// The order-violation score on a GPU, tiled like an SGEMM: a block of 256 threads scores a tile
// of 128 A-rows × 128 B-rows; the depth (2·D) is staged through shared memory 8 dimensions at a
// time; each thread keeps an 8 × 8 tile of pairs in registers and spends three instructions per
// pair and dimension (subtract, max, fused multiply-add).
//
// The blend is exact as one distance: with rows scaled to [sqrt(lambda)·x_h, sqrt(1-lambda)·x_l]
// (done here, as a tile is staged: one multiply per loaded float, where the CPU scales as it
// packs), s* = -sum_d max(0, v_d - t_d)^2. Dimensions are summed in order with a fused
// multiply-add, as the CPU's AVX2/AVX-512 kernels do, and the score is 0 - sum, so the results
// match theirs bit for bit on the same input.
//
// Faster would be: 16-byte (float4) global loads where rows are aligned, double-buffered shared
// memory so loads overlap the arithmetic, and a deeper stage (16 or 32 dimensions). Not done:
// nobody could measure them yet (see bench/gpu/).
#include <algorithm>

#include "candidate_key.hpp"
#include "cuda_check.hpp"
#include "order_score_kernel.hpp"

namespace gxn::detail::cuda {

namespace {

constexpr int kTileRows = 128;                       // A-rows (queries or images) per block
constexpr int kTileCols = 128;                       // B-rows (candidates or texts) per block
constexpr int kStageDepth = 8;                       // dimensions per shared-memory stage
constexpr int kThreadRows = 16;                      // the block's threads as 16 × 16
constexpr int kThreadCols = 16;                      //
constexpr int kThreads = kThreadRows * kThreadCols;  // 256
constexpr int kPairRows = kTileRows / kThreadRows;   // each thread: 8 A-rows ...
constexpr int kPairCols = kTileCols / kThreadCols;   // ... × 8 B-rows
// grid.y is at most 65535: longer A sides are launched in slices.
constexpr std::int64_t kMaxRowTiles = 65535;

static_assert(kTileRows * kStageDepth == 4 * kThreads && kTileCols * kStageDepth == 4 * kThreads,
              "each thread stages 4 floats of each operand");

// Writes the score matrix: A-rows are images, B-rows texts.
struct MatrixStore {
  float* out;
  std::int64_t stride;
  __device__ void operator()(std::int64_t a, std::int64_t b, float score) const { out[a * stride + b] = score; }
};

// Writes candidate keys: A-rows are queries, B-rows candidates.
struct KeyStore {
  std::uint64_t* keys;
  std::int64_t stride;
  std::int64_t offset;
  std::int64_t candidate_base;
  __device__ void operator()(std::int64_t a, std::int64_t b, float score) const {
    keys[a * stride + offset + b] = candidate_key(score, static_cast<std::uint32_t>(candidate_base + b));
  }
};

// One staged float: row r's dimension d scaled for its half, or 0 past the end (a zero on both
// sides adds max(0, 0)^2 = 0: padding does not change a score).
__device__ float staged(const DeviceRows& m, std::int64_t r, std::int64_t d, std::int64_t depth, BlendScales scales) {
  if (r >= m.rows || d >= depth) return 0.0f;
  return m.data[r * m.stride + d] * (d < depth / 2 ? scales.h : scales.l);
}

// kAIsImage: the A side holds images (v), so a pair's difference is a - b; else b - a.
template <bool kAIsImage, class Store>
__global__ void __launch_bounds__(kThreads)
    order_score_tiles(DeviceRows a, DeviceRows b, std::int64_t depth, BlendScales scales, Store store) {
  __shared__ float a_stage[kStageDepth][kTileRows];
  __shared__ float b_stage[kStageDepth][kTileCols];

  const int thread = threadIdx.x;
  const int thread_row = thread / kThreadCols;
  const int thread_col = thread % kThreadCols;
  const std::int64_t a_first = static_cast<std::int64_t>(blockIdx.y) * kTileRows;
  const std::int64_t b_first = static_cast<std::int64_t>(blockIdx.x) * kTileCols;
  // Staging: thread t copies dimensions [4·(t % 2), +4) of tile row t / 2, for both operands.
  const int stage_row = thread / 2;
  const int stage_depth = (thread % 2) * 4;

  float sum[kPairRows][kPairCols];
#pragma unroll
  for (int i = 0; i < kPairRows; ++i)
#pragma unroll
    for (int j = 0; j < kPairCols; ++j) sum[i][j] = 0.0f;

  for (std::int64_t d0 = 0; d0 < depth; d0 += kStageDepth) {
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const std::int64_t d = d0 + stage_depth + e;
      a_stage[stage_depth + e][stage_row] = staged(a, a_first + stage_row, d, depth, scales);
      b_stage[stage_depth + e][stage_row] = staged(b, b_first + stage_row, d, depth, scales);
    }
    __syncthreads();
#pragma unroll
    for (int d = 0; d < kStageDepth; ++d) {
      // Strided ownership (row thread_row + 16·i): a warp reads 16 consecutive B floats and
      // 2 distinct A floats per step, free of bank conflicts.
      float av[kPairRows], bv[kPairCols];
#pragma unroll
      for (int i = 0; i < kPairRows; ++i) av[i] = a_stage[d][thread_row + i * kThreadRows];
#pragma unroll
      for (int j = 0; j < kPairCols; ++j) bv[j] = b_stage[d][thread_col + j * kThreadCols];
#pragma unroll
      for (int i = 0; i < kPairRows; ++i)
#pragma unroll
        for (int j = 0; j < kPairCols; ++j) {
          const float x = fmaxf(kAIsImage ? av[i] - bv[j] : bv[j] - av[i], 0.0f);
          sum[i][j] = fmaf(x, x, sum[i][j]);
        }
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < kPairRows; ++i) {
    const std::int64_t r = a_first + thread_row + i * kThreadRows;
    if (r >= a.rows) continue;
#pragma unroll
    for (int j = 0; j < kPairCols; ++j) {
      const std::int64_t c = b_first + thread_col + j * kThreadCols;
      if (c < b.rows) store(r, c, 0.0f - sum[i][j]);  // 0 - sum: +0 for a zero sum, as on the CPU
    }
  }
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Launches the kernel over all of a × b, in slices of A-rows that fit grid.y; `store_for(first)`
// gives the store for the slice starting at A-row `first`.
template <bool kAIsImage, class StoreFor>
void launch_tiles(const DeviceRows& a, const DeviceRows& b, std::int64_t depth, BlendScales scales,
                  StoreFor&& store_for, cudaStream_t stream) {
  if (a.rows == 0 || b.rows == 0) return;
  const std::int64_t col_tiles = ceil_div(b.rows, kTileCols);
  for (std::int64_t first = 0; first < a.rows; first += kMaxRowTiles * kTileRows) {
    const std::int64_t rows = std::min(a.rows - first, kMaxRowTiles * kTileRows);
    const dim3 grid(static_cast<unsigned>(col_tiles), static_cast<unsigned>(ceil_div(rows, kTileRows)));
    order_score_tiles<kAIsImage>
        <<<grid, kThreads, 0, stream>>>(a.slice(first, rows), b, depth, scales, store_for(first));
    check_cuda(cudaGetLastError(), "order_score_tiles launch");
  }
}

}  // namespace

void launch_score_matrix(const DeviceRows& images, const DeviceRows& texts, std::int64_t depth, BlendScales scales,
                         float* out, std::int64_t out_stride, cudaStream_t stream) {
  launch_tiles<true>(
      images, texts, depth, scales,
      [&](std::int64_t first) {
        return MatrixStore{out + first * out_stride, out_stride};
      },
      stream);
}

void launch_score_keys(bool queries_are_images, const DeviceRows& queries, const DeviceRows& candidates,
                       std::int64_t depth, BlendScales scales, std::uint64_t* keys, std::int64_t key_stride,
                       std::int64_t key_offset, std::int64_t candidate_base, cudaStream_t stream) {
  const auto store_for = [&](std::int64_t first) {
    return KeyStore{keys + first * key_stride, key_stride, key_offset, candidate_base};
  };
  if (queries_are_images)
    launch_tiles<true>(queries, candidates, depth, scales, store_for, stream);
  else
    launch_tiles<false>(queries, candidates, depth, scales, store_for, stream);
}

}  // namespace gxn::detail::cuda
