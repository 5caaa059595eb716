#pragma once
// The NaN/Inf check of device-resident embeddings (find_non_finite.cu).
#include <cuda_runtime_api.h>

#include <cstdint>

#include "device_rows.hpp"

namespace gxn::detail::cuda {

// Sets *flag (device memory, zeroed by the caller) when any of rows × cols floats is NaN or Inf.
void launch_find_non_finite(const DeviceRows& rows, std::int64_t cols, unsigned* flag, cudaStream_t stream);

}  // namespace gxn::detail::cuda
