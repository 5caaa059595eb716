#pragma once
// Per-query selection of the smallest candidate keys (top_k_select.cu).
#include <cuda_runtime_api.h>

#include <cstdint>

namespace gxn::detail::cuda {

// The most keys one selection keeps (its sort runs in one block's shared memory).
constexpr std::int64_t kMaxSelect = 4096;

// For each of `queries` rows of `keys` (row q at keys + q * key_stride): of the row's `kept`
// keys at [0, kept) and its `fresh` keys at [fresh_offset, fresh_offset + fresh), the `want`
// smallest (want <= kept + fresh, want <= kMaxSelect), written ascending to [0, want).
void launch_select_smallest(std::uint64_t* keys, std::int64_t key_stride, std::int64_t queries, std::int64_t kept,
                            std::int64_t fresh_offset, std::int64_t fresh, std::int64_t want, cudaStream_t stream);

}  // namespace gxn::detail::cuda
