// The NaN/Inf check of embeddings already on the device: a grid-stride pass that raises a flag.
#include "cuda_check.hpp"
#include "find_non_finite.hpp"

namespace gxn::detail::cuda {

namespace {

__global__ void find_non_finite(DeviceRows m, std::int64_t cols, unsigned* flag) {
  const std::int64_t total = m.rows * cols;
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += step) {
    const float x = m.data[(e / cols) * m.stride + e % cols];
    if (!isfinite(x)) atomicOr(flag, 1u);
  }
}

}  // namespace

void launch_find_non_finite(const DeviceRows& rows, std::int64_t cols, unsigned* flag, cudaStream_t stream) {
  if (rows.rows == 0 || cols == 0) return;
  find_non_finite<<<1024, 256, 0, stream>>>(rows, cols, flag);
  check_cuda(cudaGetLastError(), "find_non_finite launch");
}

}  // namespace gxn::detail::cuda
