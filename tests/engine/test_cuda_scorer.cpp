// The GPU scorer against the CPU scorer. Cases tagged [cuda] need a CUDA device: where none is
// present (or gxn was built without CUDA) each says why and ends there, and CTest reports it
// skipped (tests/CMakeLists.txt matches the message). The rest run everywhere.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gxn/engine/search/cuda_scorer.hpp"
#include "gxn/engine/search/score.hpp"
#include "search/cuda/candidate_key.hpp"
#include "support/error_of.hpp"
#include "support/random_rows.hpp"

#if defined(GXN_TEST_WITH_CUDA)
#include <cuda_runtime_api.h>
#endif

namespace {

// The GPU scorer, or nothing after telling CTest (and the reader) why the case is skipped.
std::optional<gxn::CudaOrderScorer> gpu_scorer(float lambda) {
  std::string why;
  if (gxn::cuda_device_count(&why) == 0) {
    WARN("SKIPPED [cuda]: " << why);
    return std::nullopt;
  }
  gxn::CudaScoreOptions options;
  options.lambda = lambda;
  return gxn::CudaOrderScorer(options);
}

gxn::OrderScorer cpu_scorer(float lambda) {
  gxn::ScoreOptions options;
  options.lambda = lambda;
  return gxn::OrderScorer(options);
}

// Non-negative multiples of 1/8 below 2: with lambda 0 or 1 every score is exact in float, so
// the GPU must agree with the CPU bit for bit, rankings and ties included, and there are many
// equal scores.
gxn::Matrix eighths(std::int64_t rows, std::int64_t cols, std::mt19937& rng) {
  std::uniform_int_distribution<int> step(0, 15);
  gxn::Matrix m(rows, cols);
  for (float* p = m.data(); p != m.data() + rows * cols; ++p) *p = step(rng) / 8.0f;
  return m;
}

// Rows of `m` repeated: row i is row (i % distinct) of the original, so ties are certain.
gxn::Matrix with_duplicates(const gxn::Matrix& m, std::int64_t rows) {
  gxn::Matrix out(rows, m.cols());
  for (std::int64_t i = 0; i < rows; ++i) std::copy(m.row(i % m.rows()), m.row(i % m.rows()) + m.cols(), out.row(i));
  return out;
}

void require_same_top(const gxn::TopK& gpu, const gxn::TopK& cpu) {
  REQUIRE(gpu.queries == cpu.queries);
  REQUIRE(gpu.k == cpu.k);
  REQUIRE(gpu.index == cpu.index);
  REQUIRE(gpu.score == cpu.score);
}

// For inputs whose scores round differently on the two: GPU scores close to the CPU's, each
// row ordered best first (ties by lower index), and each entry the score of the id it names.
void require_close_top(const gxn::TopK& gpu, const gxn::TopK& cpu, const gxn::Matrix& scores, bool rows_are_queries) {
  REQUIRE(gpu.queries == cpu.queries);
  REQUIRE(gpu.k == cpu.k);
  for (std::int64_t q = 0; q < gpu.queries; ++q)
    for (std::int64_t j = 0; j < gpu.k; ++j) {
      const std::int64_t id = gpu.indices_of(q)[j];
      const float s = gpu.scores_of(q)[j];
      REQUIRE(s == Approx(cpu.scores_of(q)[j]).epsilon(1e-5).margin(1e-5));
      REQUIRE(s == Approx(rows_are_queries ? scores(q, id) : scores(id, q)).epsilon(1e-5).margin(1e-5));
      if (j > 0) {
        const float before = gpu.scores_of(q)[j - 1];
        REQUIRE((before > s || (before == s && gpu.indices_of(q)[j - 1] < id)));
      }
    }
}

}  // namespace

TEST_CASE("Candidate keys sort as gxn ranks: higher score first, equal scores by lower index", "[cuda_scorer]") {
  using gxn::detail::cuda::candidate_key;
  const std::vector<float> scores = {
      0.0f, -0.0f, -1e-30f, -0.5f, -3.0f, -std::numeric_limits<float>::max(), -std::numeric_limits<float>::infinity(),
      2.0f, 1e-30f};
  for (float a : scores)
    for (float b : scores)
      for (std::uint32_t i : {0u, 1u, 7u, 0x7fffffffu})
        for (std::uint32_t j : {0u, 1u, 7u, 0x7fffffffu}) {
          if (a == b && i == j) continue;
          const bool a_first = a > b || (a == b && i < j);
          REQUIRE((candidate_key(a, i) < candidate_key(b, j)) == a_first);
        }
  for (float s : scores) {
    REQUIRE(gxn::detail::cuda::key_score(candidate_key(s, 5)) == s);
    REQUIRE(gxn::detail::cuda::key_index(candidate_key(s, 5)) == 5);
  }
}

TEST_CASE("Without a CUDA device the GPU scorer refuses with Unsupported and says why", "[cuda_scorer]") {
  std::string why;
  const int devices = gxn::cuda_device_count(&why);
  if (devices > 0) {
    WARN("this machine has " << devices << " CUDA device(s): the refusal is not tested here");
    return;
  }
  const std::string expected = gxn::built_with_cuda() ? "no CUDA device" : "built without CUDA";
  REQUIRE(why.rfind(expected, 0) == 0);
  const std::string message = error_of([] { gxn::CudaOrderScorer scorer; }, gxn::ErrorCode::Unsupported);
  REQUIRE(message.rfind(expected, 0) == 0);
  if (gxn::built_with_cuda()) {
    // As on the CPU, a bad option is named before the device is looked for.
    gxn::CudaScoreOptions options;
    options.lambda = 2.0f;
    REQUIRE(error_of([&] { gxn::CudaOrderScorer scorer(options); }, gxn::ErrorCode::InvalidArgument) ==
            "lambda: must lie in [0, 1], got 2.000000");
  }
}

TEST_CASE("GPU score matrix equals the CPU's at sizes that are not tile multiples", "[cuda]") {
  std::mt19937 rng(12);
  for (float lambda : {0.0f, 1.0f}) {
    auto gpu = gpu_scorer(lambda);
    if (!gpu) return;
    const gxn::Matrix images = eighths(131, 2 * 37, rng), texts = eighths(257, 2 * 37, rng);
    REQUIRE(gpu->score_matrix(images, texts).values() == cpu_scorer(lambda).score_matrix(images, texts).values());
    // Fewer images than texts and the reverse, and single rows.
    REQUIRE(gpu->score_matrix(texts, images).values() == cpu_scorer(lambda).score_matrix(texts, images).values());
    const gxn::MatrixView one(images.data(), 1, images.cols());
    REQUIRE(gpu->score_matrix(one, texts).values() == cpu_scorer(lambda).score_matrix(one, texts).values());
  }
  auto gpu = gpu_scorer(0.3f);
  const gxn::Matrix images = uniform_rows(129, 2 * 513, rng), texts = uniform_rows(300, 2 * 513, rng);
  const gxn::Matrix want = cpu_scorer(0.3f).score_matrix(images, texts), got = gpu->score_matrix(images, texts);
  for (std::int64_t i = 0; i < want.rows(); ++i)
    for (std::int64_t j = 0; j < want.cols(); ++j) REQUIRE(got(i, j) == Approx(want(i, j)).epsilon(1e-5).margin(1e-5));
}

TEST_CASE("GPU score matrix reads strided views and writes a strided output", "[cuda]") {
  auto gpu = gpu_scorer(1.0f);
  if (!gpu) return;
  std::mt19937 rng(13);
  const gxn::Matrix wide_images = eighths(70, 40, rng), wide_texts = eighths(90, 50, rng);
  const gxn::MatrixView images(wide_images.data(), 70, 30, 40), texts(wide_texts.data(), 90, 30, 50);
  std::vector<float> out(70 * 100, 7.0f);
  gpu->score_matrix(images, texts, out.data(), 100);
  const gxn::Matrix want = cpu_scorer(1.0f).score_matrix(images, texts);
  for (std::int64_t i = 0; i < 70; ++i) {
    for (std::int64_t j = 0; j < 90; ++j) REQUIRE(out[i * 100 + j] == want(i, j));
    for (std::int64_t j = 90; j < 100; ++j) REQUIRE(out[i * 100 + j] == 7.0f);  // untouched
  }
}

TEST_CASE("GPU top-k equals the CPU's: k = 1, k in between, k >= N, ties, both directions", "[cuda]") {
  std::mt19937 rng(14);
  for (float lambda : {0.0f, 1.0f}) {
    auto gpu = gpu_scorer(lambda);
    if (!gpu) return;
    const gxn::OrderScorer cpu = cpu_scorer(lambda);
    const gxn::Matrix images = with_duplicates(eighths(61, 2 * 19, rng), 203);
    const gxn::Matrix texts = with_duplicates(eighths(97, 2 * 19, rng), 389);
    for (std::int64_t k : {1, 2, 10, 202, 203, 204, 388, 389, 1000}) {
      CAPTURE(lambda, k);
      require_same_top(gpu->top_images(texts, images, k), cpu.top_images(texts, images, k));
      require_same_top(gpu->top_texts(images, texts, k), cpu.top_texts(images, texts, k));
    }
  }
  auto gpu = gpu_scorer(0.5f);
  const gxn::Matrix images = uniform_rows(150, 2 * 200, rng), texts = uniform_rows(333, 2 * 200, rng);
  const gxn::Matrix scores = cpu_scorer(0.5f).score_matrix(images, texts);
  for (std::int64_t k : {1, 5, 149, 150, 400}) {
    CAPTURE(k);
    require_close_top(gpu->top_texts(images, texts, k), cpu_scorer(0.5f).top_texts(images, texts, k), scores, true);
    require_close_top(gpu->top_images(texts, images, k), cpu_scorer(0.5f).top_images(texts, images, k), scores, false);
  }
}

TEST_CASE("GPU top-k streams many candidate chunks and query batches and keeps up to kMaxK", "[cuda]") {
  auto gpu = gpu_scorer(1.0f);
  if (!gpu) return;
  const gxn::OrderScorer cpu = cpu_scorer(1.0f);
  std::mt19937 rng(15);
  // 70,001 candidates: three chunks of the selection, the last ragged; many equal scores.
  const gxn::Matrix queries = eighths(37, 2 * 3, rng), candidates = eighths(70001, 2 * 3, rng);
  for (std::int64_t k : std::vector<std::int64_t>{1, 100, 1000, gxn::CudaOrderScorer::kMaxK}) {
    CAPTURE(k);
    require_same_top(gpu->top_texts(queries, candidates, k), cpu.top_texts(queries, candidates, k));
    require_same_top(gpu->top_images(queries, candidates, k), cpu.top_images(queries, candidates, k));
  }
  // More queries than one batch holds (512 MiB of keys: about 2,000 queries at k + chunk keys).
  const gxn::Matrix many = eighths(2500, 2 * 2, rng), pool = eighths(33000, 2 * 2, rng);
  require_same_top(gpu->top_images(many, pool, 3), cpu.top_images(many, pool, 3));
  // k beyond kMaxK: refused unless the candidates are fewer (then all of them come back).
  REQUIRE(error_of([&] { gpu->top_texts(queries, candidates, gxn::CudaOrderScorer::kMaxK + 1); },
                   gxn::ErrorCode::Unsupported)
              .find("at most 4096") != std::string::npos);
  const gxn::MatrixView few(candidates.data(), 4000, candidates.cols());
  require_same_top(gpu->top_texts(queries, few, 100000), cpu.top_texts(queries, few, 100000));
}

TEST_CASE("GPU scorer refuses what the CPU scorer refuses, with the same code and message", "[cuda]") {
  auto gpu = gpu_scorer(0.5f);
  if (!gpu) return;
  const gxn::OrderScorer cpu = cpu_scorer(0.5f);
  std::mt19937 rng(16);
  gxn::Matrix images = uniform_rows(5, 8, rng);
  const gxn::Matrix texts = uniform_rows(6, 8, rng), odd = uniform_rows(6, 7, rng);
  const auto same = [](auto&& on_gpu, auto&& on_cpu, gxn::ErrorCode code) {
    REQUIRE(error_of(on_gpu, code) == error_of(on_cpu, code));
  };
  same([&] { gpu->top_texts(images, texts, 0); }, [&] { cpu.top_texts(images, texts, 0); },
       gxn::ErrorCode::InvalidArgument);
  same([&] { gpu->score_matrix(images, odd); }, [&] { cpu.score_matrix(images, odd); }, gxn::ErrorCode::Shape);
  same([&] { gpu->top_images(odd, odd, 1); }, [&] { cpu.top_images(odd, odd, 1); }, gxn::ErrorCode::Shape);
  images(3, 2) = std::nanf("");
  same([&] { gpu->score_matrix(images, texts); }, [&] { cpu.score_matrix(images, texts); }, gxn::ErrorCode::NonFinite);
  // Empty sides: an empty result, as on the CPU.
  const gxn::MatrixView none(texts.data(), 0, 8);
  REQUIRE(gpu->top_texts(none, texts, 3).queries == 0);
  REQUIRE(gpu->top_texts(texts, none, 3).k == 0);
  REQUIRE(gpu->score_matrix(none, texts).rows() == 0);
  // Host memory is not a device view.
  REQUIRE(error_of(
              [&] {
                gpu->top_texts_device({texts.data(), 6, 8}, {texts.data(), 6, 8}, 1);
              },
              gxn::ErrorCode::InvalidArgument)
              .find("not memory of CUDA device 0") != std::string::npos);
}

#if defined(GXN_TEST_WITH_CUDA)
namespace {

// A copy of `m` in device memory, freed with the object.
class OnDevice {
 public:
  explicit OnDevice(const gxn::Matrix& m) : rows_(m.rows()), cols_(m.cols()) {
    REQUIRE(cudaMalloc(reinterpret_cast<void**>(&data_),
                       sizeof(float) * std::max<std::int64_t>(1, m.rows() * m.cols())) == cudaSuccess);
    REQUIRE(cudaMemcpy(data_, m.data(), sizeof(float) * m.rows() * m.cols(), cudaMemcpyHostToDevice) == cudaSuccess);
  }
  ~OnDevice() { cudaFree(data_); }
  gxn::DeviceMatrixView view() const { return {data_, rows_, cols_}; }
  float* data() { return data_; }

 private:
  float* data_ = nullptr;
  std::int64_t rows_, cols_;
};

}  // namespace

TEST_CASE("GPU calls on device memory equal the host calls", "[cuda]") {
  auto gpu = gpu_scorer(1.0f);
  if (!gpu) return;
  const gxn::OrderScorer cpu = cpu_scorer(1.0f);
  std::mt19937 rng(17);
  const gxn::Matrix images = with_duplicates(eighths(50, 2 * 33, rng), 133);
  const gxn::Matrix texts = eighths(259, 2 * 33, rng);
  const OnDevice d_images(images), d_texts(texts);
  for (std::int64_t k : {1, 9, 133, 300}) {
    CAPTURE(k);
    require_same_top(gpu->top_images_device(d_texts.view(), d_images.view(), k), cpu.top_images(texts, images, k));
    require_same_top(gpu->top_texts_device(d_images.view(), d_texts.view(), k), cpu.top_texts(images, texts, k));
  }
  OnDevice d_out(gxn::Matrix(133, 260));
  gpu->score_matrix_device(d_images.view(), d_texts.view(), d_out.data(), 260);
  std::vector<float> out(133 * 260);
  REQUIRE(cudaMemcpy(out.data(), d_out.data(), sizeof(float) * out.size(), cudaMemcpyDeviceToHost) == cudaSuccess);
  const gxn::Matrix want = cpu.score_matrix(images, texts);
  for (std::int64_t i = 0; i < 133; ++i)
    for (std::int64_t j = 0; j < 259; ++j) REQUIRE(out[i * 260 + j] == want(i, j));
  // NaN in device memory is found on the device.
  gxn::Matrix bad = texts;
  bad(100, 5) = std::numeric_limits<float>::infinity();
  const OnDevice d_bad(bad);
  REQUIRE(error_of([&] { gpu->top_texts_device(d_images.view(), d_bad.view(), 1); }, gxn::ErrorCode::NonFinite) ==
          "texts: holds NaN or Inf (in device memory)");
}
#endif
