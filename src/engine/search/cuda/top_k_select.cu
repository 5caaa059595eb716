// Top-k selection on a GPU, kept simple enough to check by reading: one block per query row.
//
// Candidate keys are unique 64-bit integers whose ascending order is gxn's result order
// (candidate_key.hpp), so "the k best" is "the k smallest keys" with no tie rule to apply.
//  1. Radix select: 8 passes of 8 bits (a 256-bin histogram in shared memory) find the k-th
//     smallest key T; a pass ends the search early once the whole bucket it lands in is wanted.
//  2. Every key <= T (exactly k of them, keys being unique) is copied to shared memory.
//  3. A bitonic sort orders them; they are written, ascending, to the front of the row.
// The scorer calls this once per chunk of candidates with the row's kept keys in front of the
// chunk's new ones, so a row never holds more than k + chunk keys.
//
// Faster would be: fewer passes over the keys (11-bit digits, or filtering the row to the
// surviving bucket in shared memory after the first pass), a per-warp queue that drops a
// candidate worse than the current k-th as soon as it is scored (FAISS's WarpSelect, fused into
// the score kernel), or several rows per block when k is small. Measure first (bench/gpu/).
#include "cuda_check.hpp"
#include "top_k_select.hpp"

namespace gxn::detail::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kBins = 256;

struct RowKeys {
  const std::uint64_t* row;
  std::int64_t kept;
  std::int64_t fresh_offset;
  // Element e of the row's candidates: the kept keys, then the fresh ones.
  __device__ std::uint64_t operator[](std::int64_t e) const { return e < kept ? row[e] : row[fresh_offset + e - kept]; }
};

__global__ void __launch_bounds__(kThreads)
    select_smallest(std::uint64_t* keys, std::int64_t key_stride, std::int64_t kept, std::int64_t fresh_offset,
                    std::int64_t fresh, int want, int sort_size) {
  extern __shared__ std::uint64_t chosen[];  // sort_size keys
  __shared__ unsigned histogram[kBins];
  __shared__ std::uint64_t prefix;     // the high bits of the k-th smallest key found so far
  __shared__ std::uint64_t threshold;  // the selection: every key <= threshold
  __shared__ unsigned still_wanted;    // how many keys with that prefix are still wanted
  __shared__ int done;
  __shared__ unsigned chosen_count;

  std::uint64_t* row = keys + static_cast<std::int64_t>(blockIdx.x) * key_stride;
  const RowKeys candidates{row, kept, fresh_offset};
  const std::int64_t total = kept + fresh;
  const int thread = threadIdx.x;

  if (thread == 0) {
    prefix = 0;
    threshold = ~std::uint64_t{0};
    still_wanted = static_cast<unsigned>(want);
    done = want >= total;  // all of them: no search
    chosen_count = 0;
  }
  std::uint64_t prefix_mask = 0;  // the bits of `prefix` already decided
  for (int shift = 56; shift >= 0; shift -= 8) {
    for (int b = thread; b < kBins; b += kThreads) histogram[b] = 0;
    __syncthreads();
    if (done) break;  // read by every thread after the barrier: the same for all
    const std::uint64_t known = prefix;
    for (std::int64_t e = thread; e < total; e += kThreads) {
      const std::uint64_t key = candidates[e];
      if ((key & prefix_mask) == known) atomicAdd(&histogram[(key >> shift) & (kBins - 1)], 1u);
    }
    __syncthreads();
    if (thread == 0) {
      // The bucket holding the still_wanted-th smallest key with this prefix.
      unsigned below = 0;
      int bucket = 0;
      for (; bucket < kBins - 1; ++bucket) {
        if (below + histogram[bucket] >= still_wanted) break;
        below += histogram[bucket];
      }
      still_wanted -= below;
      prefix = known | (static_cast<std::uint64_t>(bucket) << shift);
      if (histogram[bucket] == still_wanted) {
        // Every key in this bucket is wanted: the selection is all keys up to its last value.
        threshold = prefix | ((std::uint64_t{1} << shift) - 1);
        done = 1;
      }
    }
    prefix_mask |= static_cast<std::uint64_t>(kBins - 1) << shift;
    __syncthreads();  // thread 0 has read the histogram before the next pass clears it
  }

  for (int i = thread; i < sort_size; i += kThreads) chosen[i] = ~std::uint64_t{0};  // padding sorts last
  __syncthreads();
  const std::uint64_t limit = threshold;
  for (std::int64_t e = thread; e < total; e += kThreads) {
    const std::uint64_t key = candidates[e];
    if (key <= limit) {
      const unsigned slot = atomicAdd(&chosen_count, 1u);
      if (slot < static_cast<unsigned>(sort_size)) chosen[slot] = key;
    }
  }
  __syncthreads();

  // Bitonic sort of sort_size (a power of two) keys, ascending.
  for (int size = 2; size <= sort_size; size <<= 1) {
    for (int stride = size >> 1; stride > 0; stride >>= 1) {
      for (int i = thread; i < sort_size; i += kThreads) {
        const int j = i ^ stride;
        if (j > i) {
          const bool ascending = (i & size) == 0;
          const std::uint64_t x = chosen[i], y = chosen[j];
          if ((x > y) == ascending) {
            chosen[i] = y;
            chosen[j] = x;
          }
        }
      }
      __syncthreads();
    }
  }
  for (int i = thread; i < want; i += kThreads) row[i] = chosen[i];
}

}  // namespace

void launch_select_smallest(std::uint64_t* keys, std::int64_t key_stride, std::int64_t queries, std::int64_t kept,
                            std::int64_t fresh_offset, std::int64_t fresh, std::int64_t want, cudaStream_t stream) {
  if (queries == 0 || want == 0) return;
  if (want > kMaxSelect || want > kept + fresh)
    throw Error(ErrorCode::Internal, "launch_select_smallest: want = " + std::to_string(want) + " out of range");
  int sort_size = 1;
  while (sort_size < want) sort_size <<= 1;
  // One block per query: grid.x holds up to 2^31 - 1 blocks.
  select_smallest<<<static_cast<unsigned>(queries), kThreads, sort_size * sizeof(std::uint64_t), stream>>>(
      keys, key_stride, kept, fresh_offset, fresh, static_cast<int>(want), sort_size);
  check_cuda(cudaGetLastError(), "select_smallest launch");
}

}  // namespace gxn::detail::cuda
