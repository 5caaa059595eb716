#pragma once
// Rows of embeddings in device memory, as the CUDA kernels take them.
#include <cstdint>

namespace gxn::detail::cuda {

// Rows of `depth` = 2·D floats in device memory, row r at data + r * stride.
struct DeviceRows {
  const float* data;
  std::int64_t rows;
  std::int64_t stride;

  DeviceRows slice(std::int64_t first, std::int64_t count) const { return {data + first * stride, count, stride}; }
};

}  // namespace gxn::detail::cuda
