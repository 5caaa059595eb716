// Which CUDA devices this process can use (cuda_scorer.hpp), for a gxn built with CUDA.
#include <cuda_runtime_api.h>

#include <string>

#include "gxn/engine/search/cuda_scorer.hpp"

namespace gxn {

bool built_with_cuda() { return true; }

int cuda_device_count(std::string* why) {
  int count = 0;
  // With the static runtime this works on any machine: no driver at all is an error here
  // (cudaErrorInsufficientDriver or cudaErrorNoDevice), not a failure to load the program.
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    if (why) *why = std::string("no CUDA device: ") + cudaGetErrorString(status);
    return 0;
  }
  if (count == 0 && why) *why = "no CUDA device: the CUDA driver reports none";
  return count;
}

}  // namespace gxn
