// RetrievalIndex::keep_on_device: the index's rows on a CUDA GPU, searched there exactly. Cases
// tagged [cuda] need a device: without one each says why and ends there, and CTest reports it
// skipped (tests/CMakeLists.txt matches the message). The first case runs where there is none.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gxn/engine/search/cuda_scorer.hpp"
#include "gxn/engine/search/index.hpp"
#include "support/error_of.hpp"
#include "support/random_rows.hpp"

using Catch::Matchers::Contains;

namespace {

bool device_present() {
  std::string why;
  if (gxn::cuda_device_count(&why) > 0) return true;
  WARN("SKIPPED [cuda]: " << why);
  return false;
}

// Non-negative multiples of 1/8, each row repeated once further down: at lambda 1 every score is
// exact in float, so the GPU must agree with the CPU bit for bit, ties (by the lower id) included.
gxn::Matrix eighths_with_twins(std::int64_t distinct, std::int64_t cols, std::mt19937& rng) {
  std::uniform_int_distribution<int> step(0, 15);
  gxn::Matrix m(2 * distinct, cols);
  for (std::int64_t r = 0; r < distinct; ++r)
    for (std::int64_t c = 0; c < cols; ++c) m(r, c) = m(distinct + r, c) = step(rng) / 8.0f;
  return m;
}

// The exact CPU search of every item: a flat index, or an IVF index with every list visited.
gxn::TopK cpu_exact(const gxn::RetrievalIndex& index, const gxn::Matrix& queries, std::int64_t k) {
  gxn::SearchOptions every;
  every.shortlist = index.size();
  every.hubs = 0;
  return index.search(queries, k, every);
}

}  // namespace

TEST_CASE("index on device: without a CUDA device the index refuses and stays on the CPU", "[index]") {
  std::string why;
  if (gxn::cuda_device_count(&why) > 0) return;  // the [cuda] cases below cover a machine with one
  std::mt19937 rng(3);
  const gxn::Matrix items = uniform_rows(50, 8, rng), queries = uniform_rows(4, 8, rng);
  auto index = gxn::RetrievalIndex::build(items);
  const gxn::TopK before = index.search(queries, 5);
  REQUIRE_THAT(error_of([&] { index.keep_on_device(); }, gxn::ErrorCode::Unsupported), Contains("CUDA"));
  REQUIRE(index.device() == -1);
  const gxn::TopK after = index.search(queries, 5);
  REQUIRE(after.index == before.index);
  REQUIRE(after.score == before.score);
  index.release_device();  // nothing to free: no error
}

TEST_CASE("index on device: every item scored on the GPU, as the CPU's exact search, ties by lower id",
          "[index][cuda]") {
  if (!device_present()) return;
  std::mt19937 rng(4);
  // 2 x 613 rows (not a multiple of any tile), each distinct row twice: ties are certain.
  const gxn::Matrix items = eighths_with_twins(613, 2 * 9, rng);
  const gxn::Matrix queries = eighths_with_twins(20, 2 * 9, rng);
  // Ids out of row order, so that "lower id" and "lower row" differ.
  std::vector<std::int64_t> ids(static_cast<std::size_t>(items.rows()));
  std::iota(ids.rbegin(), ids.rend(), std::int64_t{100});
  for (auto kind : {gxn::ShortlistKind::Flat, gxn::ShortlistKind::Ivf})
    for (auto side : {gxn::IndexedSide::Images, gxn::IndexedSide::Captions}) {
      gxn::IndexOptions options;
      options.lambda = 1.0f;
      options.kind = kind;
      options.side = side;
      options.nlist = 8;
      auto index = gxn::RetrievalIndex::build(items, ids, {}, options);
      index.keep_on_device();
      REQUIRE(index.device() == 0);
      for (std::int64_t k : {1, 10, 1226, 5000}) {
        INFO("kind " << static_cast<int>(kind) << ", side " << static_cast<int>(side) << ", k " << k);
        const gxn::TopK gpu = index.search(queries, k);
        index.release_device();
        const gxn::TopK cpu = cpu_exact(index, queries, k);
        index.keep_on_device();
        REQUIRE(gpu.k == cpu.k);
        REQUIRE(gpu.index == cpu.index);
        REQUIRE(gpu.score == cpu.score);
      }
    }
}

TEST_CASE("index on device: blended scores match the CPU's, and add and remove reach the device copy",
          "[index][cuda]") {
  if (!device_present()) return;
  std::mt19937 rng(5);
  const gxn::Matrix items = uniform_rows(777, 2 * 13, rng), more = uniform_rows(35, 2 * 13, rng);
  const gxn::Matrix queries = uniform_rows(17, 2 * 13, rng);
  gxn::IndexOptions options;
  options.lambda = 0.4f;
  auto index = gxn::RetrievalIndex::build(items, options);
  index.keep_on_device();
  const auto same_as_cpu = [&](std::int64_t k) {
    const gxn::TopK gpu = index.search(queries, k);
    index.release_device();
    const gxn::TopK cpu = cpu_exact(index, queries, k);
    index.keep_on_device();
    REQUIRE(gpu.k == cpu.k);
    for (std::size_t i = 0; i < gpu.score.size(); ++i) {
      // Sums in another order: scores agree to rounding, and so do the items unless two of
      // them are that close.
      const float tol = 1e-5f * (1 + std::fabs(cpu.score[i]));
      REQUIRE(gpu.score[i] == Approx(cpu.score[i]).margin(tol));
      const bool near_tie = (i > 0 && std::fabs(cpu.score[i] - cpu.score[i - 1]) <= 2 * tol) ||
                            (i + 1 < cpu.score.size() && std::fabs(cpu.score[i] - cpu.score[i + 1]) <= 2 * tol);
      if (!near_tie) REQUIRE(gpu.index[i] == cpu.index[i]);
    }
  };
  same_as_cpu(10);
  index.add(more);  // ids 777..811
  REQUIRE(index.device() == 0);
  same_as_cpu(10);
  std::vector<std::int64_t> gone(300);
  std::iota(gone.begin(), gone.end(), std::int64_t{0});
  index.remove(gone);
  same_as_cpu(10);
  same_as_cpu(index.size());
  // A device that is not there is refused, and the copy stays where it was.
  REQUIRE_THAT(error_of([&] { index.keep_on_device(gxn::cuda_device_count()); }, gxn::ErrorCode::InvalidArgument),
               Contains("not present"));
  REQUIRE(index.device() == 0);
}
