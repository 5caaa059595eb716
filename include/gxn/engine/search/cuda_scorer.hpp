#pragma once
// The order-violation scorer on a CUDA GPU: the calls of OrderScorer (score.hpp), with the same
// checks, the same error codes and the same results (best first, equal scores by lower index,
// k >= the number of candidates returns all), run on one device.
//
// Each call takes host arrays and returns host arrays; the *_device variants take device
// pointers for callers whose embeddings already live on the GPU. Neither the Q×N score matrix
// nor a copy of it is held by top-k: candidates stream through in chunks.
//
// A gxn built without CUDA (GXN_BUILD_CUDA=OFF) has this API too: the constructor throws
// gxn::Error(Unsupported) "built without CUDA". Built with CUDA on a machine without a usable
// device (no driver, no GPU), it throws Unsupported "no CUDA device".
#include <cstdint>
#include <string>

#include "gxn/engine/matrix.hpp"
#include "gxn/engine/search/topk.hpp"

namespace gxn {

// Whether this gxn was built with the CUDA scorer.
bool built_with_cuda();

// The number of CUDA devices this process can use (0 when built without CUDA, or when the
// driver is missing or reports none); when 0 and `why` is given, *why says which.
int cuda_device_count(std::string* why = nullptr);

// A read-only row-major float matrix in device memory (rows of 2·D floats, as MatrixView).
struct DeviceMatrixView {
  const float* data = nullptr;  // device pointer
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t stride = 0;  // in floats, >= cols

  DeviceMatrixView() = default;
  DeviceMatrixView(const float* d, std::int64_t r, std::int64_t c) : data(d), rows(r), cols(c), stride(c) {}
  DeviceMatrixView(const float* d, std::int64_t r, std::int64_t c, std::int64_t s)
      : data(d), rows(r), cols(c), stride(s) {}
};

// Rows copied into the memory of a CUDA device and owned there (freed on destruction), for
// callers who search the same rows many times (RetrievalIndex::keep_on_device).
class DeviceMatrix {
 public:
  // Copies `rows` (any stride; finite values are the caller's business) to device `device` as
  // one contiguous matrix. gxn::Error: Unsupported when built without CUDA, with no device, or
  // out of device memory; InvalidArgument for a device ordinal not present.
  DeviceMatrix(const MatrixView& rows, int device = 0);
  ~DeviceMatrix();
  DeviceMatrix(DeviceMatrix&& other) noexcept;
  DeviceMatrix& operator=(DeviceMatrix&& other) noexcept;
  DeviceMatrix(const DeviceMatrix&) = delete;
  DeviceMatrix& operator=(const DeviceMatrix&) = delete;

  DeviceMatrixView view() const { return {data_, rows_, cols_}; }
  int device() const { return device_; }

 private:
  float* data_ = nullptr;  // device pointer
  std::int64_t rows_ = 0, cols_ = 0;
  int device_ = 0;
};

struct CudaScoreOptions {
  float lambda = 0.5f;  // weight of the abstract part, in [0, 1]
  int device = 0;       // CUDA device ordinal
  // The rows are given already scaled, [sqrt(lambda)·x_h, sqrt(1−lambda)·x_l] as RetrievalIndex
  // holds them: s* is then −‖max(0, v − t)‖² over all 2·D values, and lambda is not applied again.
  bool prescaled = false;
};

class CudaOrderScorer {
 public:
  // The largest k top-k takes on the GPU (a sort of k entries in one block's shared memory);
  // larger k throws Unsupported unless the candidates are fewer.
  static constexpr std::int64_t kMaxK = 4096;

  // Throws gxn::Error: InvalidArgument for lambda outside [0, 1] or a device ordinal not present,
  // Unsupported when built without CUDA or no CUDA device is present.
  explicit CudaOrderScorer(CudaScoreOptions options = {});

  const CudaScoreOptions& options() const { return options_; }

  // The device's name, e.g. "NVIDIA H200".
  std::string device_name() const;

  // As OrderScorer::score_matrix: out(i, j) = s*(texts[j], images[i]), host memory.
  void score_matrix(const MatrixView& images, const MatrixView& texts, float* out, std::int64_t out_stride) const;
  Matrix score_matrix(const MatrixView& images, const MatrixView& texts) const;

  // As OrderScorer::top_images / top_texts (k <= kMaxK or k >= the number of candidates).
  TopK top_images(const MatrixView& texts, const MatrixView& images, std::int64_t k) const;
  TopK top_texts(const MatrixView& images, const MatrixView& texts, std::int64_t k) const;

  // The same on device memory of options().device: `out` is a device pointer too. Views are
  // checked for shape and for NaN/Inf on the device (the message does not name the entry).
  void score_matrix_device(const DeviceMatrixView& images, const DeviceMatrixView& texts, float* out,
                           std::int64_t out_stride) const;
  TopK top_images_device(const DeviceMatrixView& texts, const DeviceMatrixView& images, std::int64_t k) const;
  TopK top_texts_device(const DeviceMatrixView& images, const DeviceMatrixView& texts, std::int64_t k) const;

 private:
  CudaScoreOptions options_;
};

}  // namespace gxn
