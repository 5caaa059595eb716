// gxn's CUDA scorer at retrieval sizes, as one JSON object on stdout (bench/gpu/run.sh merges it
// with PyTorch's figures). Embeddings are uniform [0, 1) rows of 2·1024 floats, made on the host
// and copied to the device once; the timed calls take device pointers, as PyTorch's do.
//   coco5k_score_matrix: all s* of 5,000 images × 25,000 captions (the COCO-5K test split)
//   top10_coco5k:        the 10 best captions for each of 5,000 images among 25,000
//   top10_1m:            the 10 best images for each of 1,000 captions among 1,000,000
// Each top-10 is checked against the CPU scorer for a few queries ("agrees_with_cpu").
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gxn/engine/search/cuda_scorer.hpp"
#include "gxn/engine/search/score.hpp"

namespace {

constexpr std::int64_t kDim2 = 2 * 1024;
constexpr int kRepeats = 5;

void cuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(status));
}

// Rows of uniform [0, 1) floats from a counter hash (splitmix64): fast and parallel for 2·10^9.
gxn::Matrix uniform(std::int64_t rows, std::uint64_t seed) {
  gxn::Matrix m(rows, kDim2);
  float* p = m.data();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < rows * kDim2; ++i) {
    std::uint64_t z = seed * 0x9e3779b97f4a7c15ull + static_cast<std::uint64_t>(i);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    p[i] = static_cast<float>(z >> 40) * 0x1.0p-24f;
  }
  return m;
}

class DeviceCopy {
 public:
  explicit DeviceCopy(const gxn::Matrix& m) : rows_(m.rows()) {
    const std::size_t bytes = sizeof(float) * m.rows() * m.cols();
    cuda(cudaMalloc(reinterpret_cast<void**>(&data_), bytes), "cudaMalloc");
    cuda(cudaMemcpy(data_, m.data(), bytes, cudaMemcpyHostToDevice), "cudaMemcpy");
  }
  explicit DeviceCopy(std::int64_t floats) {
    cuda(cudaMalloc(reinterpret_cast<void**>(&data_), sizeof(float) * floats), "cudaMalloc");
  }
  ~DeviceCopy() { cudaFree(data_); }
  gxn::DeviceMatrixView view() const { return {data_, rows_, kDim2}; }
  float* data() const { return data_; }

 private:
  float* data_ = nullptr;
  std::int64_t rows_ = 0;
};

// Median and minimum of kRepeats timed calls after one warm-up, in milliseconds.
std::string timing(const std::function<void()>& call) {
  call();
  std::vector<double> ms;
  for (int r = 0; r < kRepeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    call();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  char text[128];
  std::snprintf(text, sizeof text, "\"ms_median\": %.3f, \"ms_min\": %.3f, \"repeats\": %d", ms[kRepeats / 2], ms[0],
                kRepeats);
  return text;
}

// The GPU's top-k for the first `sample` queries equals the CPU scorer's (ids; scores within 1e-5).
bool agrees_with_cpu(const gxn::TopK& gpu, const gxn::Matrix& queries, const gxn::Matrix& candidates,
                     bool queries_are_images, std::int64_t sample) {
  const gxn::OrderScorer cpu;
  const gxn::MatrixView some(queries.data(), sample, kDim2);
  const gxn::TopK want =
      queries_are_images ? cpu.top_texts(some, candidates, gpu.k) : cpu.top_images(some, candidates, gpu.k);
  for (std::int64_t i = 0; i < sample * gpu.k; ++i)
    if (gpu.index[i] != want.index[i] || std::fabs(gpu.score[i] - want.score[i]) > 1e-5f * std::fabs(want.score[i]))
      return false;
  return true;
}

}  // namespace

int main() {
  try {
    const gxn::CudaOrderScorer gpu;
    std::printf("{\"device\": \"%s\", \"dim_per_part\": %lld", gpu.device_name().c_str(),
                static_cast<long long>(kDim2 / 2));

    const gxn::Matrix images = uniform(5000, 1), texts = uniform(25000, 2);
    const DeviceCopy d_images(images), d_texts(texts), d_out(images.rows() * texts.rows());
    std::printf(",\n \"coco5k_score_matrix\": {\"images\": 5000, \"texts\": 25000, %s",
                timing([&] { gpu.score_matrix_device(d_images.view(), d_texts.view(), d_out.data(), 25000); }).c_str());
    gxn::Matrix host_out(5000, 25000);
    std::printf(", \"host_arrays\": {%s}}",
                timing([&] { gpu.score_matrix(images, texts, host_out.data(), 25000); }).c_str());

    gxn::TopK top;
    std::printf(",\n \"top10_coco5k\": {\"queries\": 5000, \"candidates\": 25000, %s",
                timing([&] { top = gpu.top_texts_device(d_images.view(), d_texts.view(), 10); }).c_str());
    std::printf(", \"agrees_with_cpu\": %s}", agrees_with_cpu(top, images, texts, true, 20) ? "true" : "false");

    const gxn::Matrix queries = uniform(1000, 3), million = uniform(1000000, 4);
    const DeviceCopy d_queries(queries), d_million(million);
    std::printf(",\n \"top10_1m\": {\"queries\": 1000, \"candidates\": 1000000, %s",
                timing([&] { top = gpu.top_images_device(d_queries.view(), d_million.view(), 10); }).c_str());
    std::printf(", \"agrees_with_cpu\": %s}", agrees_with_cpu(top, queries, million, false, 3) ? "true" : "false");
    std::printf(",\n \"training_step\": \"TODO: gxn::model on a CUDA LibTorch is not done yet (issue 12)\"}\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gxn_gpu_bench: %s\n", e.what());
    return 1;
  }
}
