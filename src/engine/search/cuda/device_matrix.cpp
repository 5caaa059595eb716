// DeviceMatrix (cuda_scorer.hpp): rows copied to a device and owned there.
#include <cuda_runtime_api.h>

#include <utility>

#include "cuda_check.hpp"
#include "gxn/engine/search/cuda_scorer.hpp"

namespace gxn {

using detail::cuda::check_cuda;

DeviceMatrix::DeviceMatrix(const MatrixView& rows, int device) : rows_(rows.rows), cols_(rows.cols), device_(device) {
  detail::cuda::require_device(device, "rows kept on the GPU need one");
  check_cuda(cudaSetDevice(device), "cudaSetDevice");
  const auto bytes = static_cast<std::size_t>(rows_ * cols_) * sizeof(float);
  if (bytes == 0) return;
  check_cuda(cudaMalloc(reinterpret_cast<void**>(&data_), bytes), "cudaMalloc");
  const cudaError_t copied = cudaMemcpy2D(data_, static_cast<std::size_t>(cols_) * sizeof(float), rows.data,
                                          static_cast<std::size_t>(rows.stride) * sizeof(float),
                                          static_cast<std::size_t>(cols_) * sizeof(float),
                                          static_cast<std::size_t>(rows_), cudaMemcpyHostToDevice);
  if (copied != cudaSuccess) {
    cudaFree(data_);
    data_ = nullptr;
    check_cuda(copied, "copying rows to the GPU");
  }
}

DeviceMatrix::~DeviceMatrix() {
  if (!data_) return;
  // cudaFree acts on the current device's context, which another call may have changed.
  int current = 0;
  cudaGetDevice(&current);
  cudaSetDevice(device_);
  cudaFree(data_);
  cudaSetDevice(current);
}

DeviceMatrix::DeviceMatrix(DeviceMatrix&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), rows_(other.rows_), cols_(other.cols_), device_(other.device_) {}

DeviceMatrix& DeviceMatrix::operator=(DeviceMatrix&& other) noexcept {
  if (this != &other) {
    DeviceMatrix old(std::move(*this));
    data_ = std::exchange(other.data_, nullptr);
    rows_ = other.rows_;
    cols_ = other.cols_;
    device_ = other.device_;
  }
  return *this;
}

}  // namespace gxn
