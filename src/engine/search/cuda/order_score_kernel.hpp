#pragma once
// The register-tiled order-violation kernel (order_score_kernel.cu): one pass over two sets of
// rows that either writes the score matrix or writes top-k candidate keys (candidate_key.hpp).
#include <cuda_runtime_api.h>

#include <cstdint>

#include "device_rows.hpp"

namespace gxn::detail::cuda {

// The blend as one distance: x_h scaled by sqrt(lambda), x_l by sqrt(1 - lambda).
struct BlendScales {
  float h;
  float l;
};

// out[i * out_stride + j] = s*(texts[j], images[i]) (device memory).
void launch_score_matrix(const DeviceRows& images, const DeviceRows& texts, std::int64_t depth, BlendScales scales,
                         float* out, std::int64_t out_stride, cudaStream_t stream);

// keys[q * key_stride + key_offset + c] = candidate_key(s*(q, c), candidate_base + c) for every
// query row q and candidate row c; queries_are_images says which side is the image.
void launch_score_keys(bool queries_are_images, const DeviceRows& queries, const DeviceRows& candidates,
                       std::int64_t depth, BlendScales scales, std::uint64_t* keys, std::int64_t key_stride,
                       std::int64_t key_offset, std::int64_t candidate_base, cudaStream_t stream);

}  // namespace gxn::detail::cuda
