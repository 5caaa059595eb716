// The CUDA scorer's host side (cuda_scorer.hpp): the CPU scorer's input checks, device memory,
// and the order of kernel launches for the score matrix and for streamed top-k.
//
// Top-k per batch of queries: candidates are scored a chunk at a time into keys (one 64-bit key
// per pair, candidate_key.hpp) placed behind each query's k kept keys; a selection then keeps
// the k smallest of the two at the front. Device memory is bounded by kScratchBytes whatever
// the number of candidates, and the Q×N matrix is never written.
#include <cuda_runtime_api.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../embedding_checks.hpp"
#include "candidate_key.hpp"
#include "cuda_check.hpp"
#include "find_non_finite.hpp"
#include "gxn/engine/search/cuda_scorer.hpp"
#include "order_score_kernel.hpp"
#include "top_k_select.hpp"

namespace gxn {

namespace {

using detail::cuda::BlendScales;
using detail::cuda::check_cuda;
using detail::cuda::DeviceBuffer;
using detail::cuda::DeviceRows;
using detail::cuda::Stream;

static_assert(CudaOrderScorer::kMaxK == detail::cuda::kMaxSelect, "top-k keeps what one selection can sort");

// Device memory one call uses beyond its inputs: the score rows or candidate keys in flight.
constexpr std::int64_t kScratchBytes = std::int64_t{512} << 20;
// Candidates scored per selection: large enough that the selection's fixed cost per row is
// paid rarely, small enough that k + chunk keys per query leave room for many queries at once.
constexpr std::int64_t kCandidateChunk = 32768;

BlendScales blend_scales(const CudaScoreOptions& options) {
  if (options.prescaled) return {1.0f, 1.0f};
  return {std::sqrt(options.lambda), std::sqrt(1.0f - options.lambda)};
}

// CUDA calls act on the calling thread's current device: every call sets it first.
void use_device(int device) { check_cuda(cudaSetDevice(device), "cudaSetDevice"); }

void require_indexable(std::int64_t candidates, const char* what) {
  if (candidates >= detail::cuda::kMaxCandidates)
    throw Error(ErrorCode::Unsupported, std::string(what) + ": " + std::to_string(candidates) +
                                            " rows; the GPU scorer takes fewer than 2^31 per call (split them)");
}

// Host rows copied to contiguous device memory.
class UploadedRows {
 public:
  UploadedRows(const MatrixView& m, cudaStream_t stream)
      : buffer_(static_cast<std::size_t>(m.rows * m.cols)), rows_{buffer_.get(), m.rows, m.cols} {
    if (m.rows > 0)
      check_cuda(cudaMemcpy2DAsync(buffer_.get(), m.cols * sizeof(float), m.data, m.stride * sizeof(float),
                                   m.cols * sizeof(float), m.rows, cudaMemcpyHostToDevice, stream),
                 "copying embeddings to the GPU");
  }
  const DeviceRows& rows() const { return rows_; }

 private:
  DeviceBuffer<float> buffer_;
  DeviceRows rows_;
};

DeviceRows device_rows(const DeviceMatrixView& m) { return {m.data, m.rows, m.stride}; }
MatrixView as_view(const DeviceMatrixView& m) { return {m.data, m.rows, m.cols, m.stride}; }

// `p` must be memory the kernels of `device` can read and write.
void require_device_memory(const void* p, int device, const char* what) {
  cudaPointerAttributes attributes{};
  const cudaError_t status = cudaPointerGetAttributes(&attributes, p);
  if (status != cudaSuccess) cudaGetLastError();
  const bool usable =
      status == cudaSuccess && ((attributes.type == cudaMemoryTypeDevice && attributes.device == device) ||
                                attributes.type == cudaMemoryTypeManaged);
  if (!usable)
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": not memory of CUDA device " +
                                                std::to_string(device) +
                                                " (host arrays go to the calls without _device)");
}

void require_finite_on_device(const DeviceMatrixView& m, const char* what, const Stream& stream) {
  if (m.rows == 0) return;
  DeviceBuffer<unsigned> flag(1);
  check_cuda(cudaMemsetAsync(flag.get(), 0, sizeof(unsigned), stream.get()), "cudaMemset");
  detail::cuda::launch_find_non_finite(device_rows(m), m.cols, flag.get(), stream.get());
  unsigned found = 0;
  check_cuda(cudaMemcpyAsync(&found, flag.get(), sizeof found, cudaMemcpyDeviceToHost, stream.get()), "cudaMemcpy");
  stream.synchronize();
  if (found) throw Error(ErrorCode::NonFinite, std::string(what) + ": holds NaN or Inf (in device memory)");
}

// The checks of the host calls, for device views: shapes, where the memory is, finiteness.
void check_device_embeddings(const DeviceMatrixView& a, const char* a_name, const DeviceMatrixView& b,
                             const char* b_name, int device, const Stream& stream) {
  detail::check_embedding_shapes(as_view(a), a_name, as_view(b), b_name);
  if (a.rows > 0) require_device_memory(a.data, device, a_name);
  if (b.rows > 0) require_device_memory(b.data, device, b_name);
  require_finite_on_device(a, a_name, stream);
  require_finite_on_device(b, b_name, stream);
}

void check_out(const float* out, std::int64_t images, std::int64_t texts, std::int64_t out_stride) {
  if (images > 0 && texts > 0 && out == nullptr) throw Error(ErrorCode::InvalidArgument, "out: null pointer");
  if (out_stride < texts)
    throw Error(ErrorCode::Shape, "out_stride: " + std::to_string(out_stride) + " is less than the " +
                                      std::to_string(texts) + " texts per row");
}

TopK streamed_top_k(bool queries_are_images, const DeviceRows& queries, const DeviceRows& candidates,
                    std::int64_t depth, std::int64_t k, BlendScales scales, const Stream& stream) {
  TopK result;
  result.queries = queries.rows;
  result.k = std::min(k, candidates.rows);
  const std::int64_t keep = result.k;
  result.index.resize(static_cast<std::size_t>(queries.rows * keep));
  result.score.resize(static_cast<std::size_t>(queries.rows * keep));
  if (queries.rows == 0 || keep == 0) return result;
  if (keep > CudaOrderScorer::kMaxK)
    throw Error(ErrorCode::Unsupported, "k: " + std::to_string(k) + " of " + std::to_string(candidates.rows) +
                                            " candidates; top-k on the GPU keeps at most " +
                                            std::to_string(CudaOrderScorer::kMaxK) +
                                            " per query (use score_matrix, or the CPU scorer)");

  const std::int64_t chunk = std::min(kCandidateChunk, candidates.rows);
  const std::int64_t key_stride = keep + chunk;  // per query: kept keys, then a chunk's keys
  const std::int64_t batch =
      std::clamp<std::int64_t>(kScratchBytes / (key_stride * std::int64_t{sizeof(std::uint64_t)}), 1, queries.rows);
  DeviceBuffer<std::uint64_t> keys(static_cast<std::size_t>(batch * key_stride));
  std::vector<std::uint64_t> best(static_cast<std::size_t>(batch * keep));

  for (std::int64_t first = 0; first < queries.rows; first += batch) {
    const std::int64_t count = std::min(batch, queries.rows - first);
    std::int64_t kept = 0;
    for (std::int64_t c0 = 0; c0 < candidates.rows; c0 += chunk) {
      const std::int64_t fresh = std::min(chunk, candidates.rows - c0);
      detail::cuda::launch_score_keys(queries_are_images, queries.slice(first, count), candidates.slice(c0, fresh),
                                      depth, scales, keys.get(), key_stride, keep, c0, stream.get());
      const std::int64_t want = std::min(keep, kept + fresh);
      detail::cuda::launch_select_smallest(keys.get(), key_stride, count, kept, keep, fresh, want, stream.get());
      kept = want;
    }
    check_cuda(
        cudaMemcpy2DAsync(best.data(), keep * sizeof(std::uint64_t), keys.get(), key_stride * sizeof(std::uint64_t),
                          keep * sizeof(std::uint64_t), count, cudaMemcpyDeviceToHost, stream.get()),
        "copying top-k from the GPU");
    stream.synchronize();
    for (std::int64_t i = 0; i < count * keep; ++i) {
      result.index[first * keep + i] = detail::cuda::key_index(best[i]);
      result.score[first * keep + i] = detail::cuda::key_score(best[i]);
    }
  }
  return result;
}

}  // namespace

CudaOrderScorer::CudaOrderScorer(CudaScoreOptions options) : options_(options) {
  if (!(options_.lambda >= 0.0f && options_.lambda <= 1.0f))
    throw Error(ErrorCode::InvalidArgument, "lambda: must lie in [0, 1], got " + std::to_string(options_.lambda));
  detail::cuda::require_device(options_.device, "the GPU scorer needs one; the CPU scorer does not");
}

std::string CudaOrderScorer::device_name() const {
  cudaDeviceProp properties{};
  check_cuda(cudaGetDeviceProperties(&properties, options_.device), "cudaGetDeviceProperties");
  return properties.name;
}

void CudaOrderScorer::score_matrix(const MatrixView& images, const MatrixView& texts, float* out,
                                   std::int64_t out_stride) const {
  detail::check_embeddings(images, "images", texts, "texts", omp_get_max_threads());
  check_out(out, images.rows, texts.rows, out_stride);
  if (images.rows == 0 || texts.rows == 0) return;
  use_device(options_.device);
  const Stream stream;
  const UploadedRows v(images, stream.get());
  const UploadedRows t(texts, stream.get());
  // Rows of the matrix are scored into device memory a slice at a time and copied out.
  const std::int64_t slice = std::clamp<std::int64_t>(kScratchBytes / (texts.rows * 4), 1, images.rows);
  DeviceBuffer<float> scores(static_cast<std::size_t>(slice * texts.rows));
  for (std::int64_t first = 0; first < images.rows; first += slice) {
    const std::int64_t count = std::min(slice, images.rows - first);
    detail::cuda::launch_score_matrix(v.rows().slice(first, count), t.rows(), images.cols, blend_scales(options_),
                                      scores.get(), texts.rows, stream.get());
    check_cuda(cudaMemcpy2DAsync(out + first * out_stride, out_stride * sizeof(float), scores.get(),
                                 texts.rows * sizeof(float), texts.rows * sizeof(float), count, cudaMemcpyDeviceToHost,
                                 stream.get()),
               "copying scores from the GPU");
  }
  stream.synchronize();
}

Matrix CudaOrderScorer::score_matrix(const MatrixView& images, const MatrixView& texts) const {
  check_view(images, "images");
  check_view(texts, "texts");
  Matrix out(images.rows, texts.rows);
  score_matrix(images, texts, out.data(), texts.rows);
  return out;
}

TopK CudaOrderScorer::top_images(const MatrixView& texts, const MatrixView& images, std::int64_t k) const {
  detail::check_embeddings(texts, "texts", images, "images", omp_get_max_threads());
  detail::check_k(k);
  require_indexable(images.rows, "images");
  use_device(options_.device);
  const Stream stream;
  const UploadedRows t(texts, stream.get());
  const UploadedRows v(images, stream.get());
  return streamed_top_k(/*queries_are_images=*/false, t.rows(), v.rows(), texts.cols, k, blend_scales(options_),
                        stream);
}

TopK CudaOrderScorer::top_texts(const MatrixView& images, const MatrixView& texts, std::int64_t k) const {
  detail::check_embeddings(images, "images", texts, "texts", omp_get_max_threads());
  detail::check_k(k);
  require_indexable(texts.rows, "texts");
  use_device(options_.device);
  const Stream stream;
  const UploadedRows v(images, stream.get());
  const UploadedRows t(texts, stream.get());
  return streamed_top_k(/*queries_are_images=*/true, v.rows(), t.rows(), images.cols, k, blend_scales(options_),
                        stream);
}

void CudaOrderScorer::score_matrix_device(const DeviceMatrixView& images, const DeviceMatrixView& texts, float* out,
                                          std::int64_t out_stride) const {
  use_device(options_.device);
  const Stream stream;
  check_device_embeddings(images, "images", texts, "texts", options_.device, stream);
  check_out(out, images.rows, texts.rows, out_stride);
  if (images.rows == 0 || texts.rows == 0) return;
  require_device_memory(out, options_.device, "out");
  detail::cuda::launch_score_matrix(device_rows(images), device_rows(texts), images.cols, blend_scales(options_), out,
                                    out_stride, stream.get());
  stream.synchronize();
}

TopK CudaOrderScorer::top_images_device(const DeviceMatrixView& texts, const DeviceMatrixView& images,
                                        std::int64_t k) const {
  use_device(options_.device);
  const Stream stream;
  check_device_embeddings(texts, "texts", images, "images", options_.device, stream);
  detail::check_k(k);
  require_indexable(images.rows, "images");
  return streamed_top_k(/*queries_are_images=*/false, device_rows(texts), device_rows(images), texts.cols, k,
                        blend_scales(options_), stream);
}

TopK CudaOrderScorer::top_texts_device(const DeviceMatrixView& images, const DeviceMatrixView& texts,
                                       std::int64_t k) const {
  use_device(options_.device);
  const Stream stream;
  check_device_embeddings(images, "images", texts, "texts", options_.device, stream);
  detail::check_k(k);
  require_indexable(texts.rows, "texts");
  return streamed_top_k(/*queries_are_images=*/true, device_rows(images), device_rows(texts), images.cols, k,
                        blend_scales(options_), stream);
}

}  // namespace gxn
