#pragma once
// CUDA runtime results as gxn::Error, and the device memory the scorer allocates (RAII).
#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>

#include "gxn/engine/search/cuda_scorer.hpp"
#include "gxn/error.hpp"

namespace gxn::detail::cuda {

// Throws gxn::Error unless `status` is cudaSuccess: Unsupported for running out of device
// memory (the request is valid, this GPU is too small for it), Internal for anything else.
inline void check_cuda(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  cudaGetLastError();  // reset the thread's last error, or the next check would see it again
  const std::string message =
      std::string(what) + ": " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")";
  if (status == cudaErrorMemoryAllocation) throw Error(ErrorCode::Unsupported, "out of GPU memory: " + message);
  throw Error(ErrorCode::Internal, "CUDA: " + message);
}

// Throws gxn::Error unless CUDA device `device` is present: Unsupported when there is none at
// all (saying why, then `needs`), InvalidArgument for an ordinal past those found.
inline void require_device(int device, const char* needs) {
  std::string why;
  const int devices = cuda_device_count(&why);
  if (devices == 0) throw Error(ErrorCode::Unsupported, why + " (" + needs + ")");
  if (device < 0 || device >= devices)
    throw Error(ErrorCode::InvalidArgument, "device: CUDA device " + std::to_string(device) + " is not present (" +
                                                std::to_string(devices) + " found)");
}

// `count` elements of T in device memory, freed on destruction.
template <typename T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t count) {
    if (count > 0) check_cuda(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(T)), "cudaMalloc");
  }
  ~DeviceBuffer() {
    if (data_) cudaFree(data_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* get() const { return data_; }

 private:
  T* data_ = nullptr;
};

// A stream of the call's own, so that calls from several threads do not wait on each other.
class Stream {
 public:
  Stream() { check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate"); }
  ~Stream() { cudaStreamDestroy(stream_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  cudaStream_t get() const { return stream_; }
  void synchronize() const { check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"); }

 private:
  cudaStream_t stream_ = nullptr;
};

}  // namespace gxn::detail::cuda
