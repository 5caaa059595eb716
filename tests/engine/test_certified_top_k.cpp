// The scorer's certified integer top-k gives the fp32 top-k, index for index and bit for bit, on
// random, tied, negative, sparse and badly scaled inputs; and refuses nothing the fp32 path takes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "gxn/engine/search/score.hpp"
#include "search/certified_top_k.hpp"
#include "support/random_rows.hpp"

namespace {

gxn::OrderScorer scorer(float lambda, bool certified) {
  gxn::ScoreOptions o;
  o.lambda = lambda;
  o.isa = gxn::Isa::Avx512;
  o.certified_int16 = certified;
  return gxn::OrderScorer(o);
}

// Both directions, both paths; the certified pass must have run (not fallen back) unless told.
// Returns in how many directions it ran.
int require_same(const gxn::Matrix& queries, const gxn::Matrix& candidates, std::int64_t k, float lambda,
                 bool may_fall_back = false) {
  const auto fp32 = scorer(lambda, false), certified = scorer(lambda, true);
  int ran = 0;
  for (bool image_rows : {false, true}) {
    INFO("queries are " << (image_rows ? "images" : "captions") << ", k " << k << ", lambda " << lambda);
    const gxn::TopK want =
        image_rows ? fp32.top_texts(queries, candidates, k) : fp32.top_images(queries, candidates, k);
    const gxn::TopK got =
        image_rows ? certified.top_texts(queries, candidates, k) : certified.top_images(queries, candidates, k);
    REQUIRE(got.index == want.index);
    REQUIRE(got.score == want.score);
    const auto direct = gxn::detail::certified_top_k(image_rows, queries, candidates, k, lambda, 2);
    REQUIRE((direct.has_value() || may_fall_back));
    if (direct) {
      ++ran;
      REQUIRE(direct->index == want.index);
      REQUIRE(direct->score == want.score);
    }
  }
  return ran;
}

bool skipped() {
  if (gxn::has_avx512_vnni()) return false;
  WARN("SKIPPED [vnni]: this CPU has no AVX-512 VNNI, so the scorer runs the fp32 path only");
  return true;
}

}  // namespace

TEST_CASE("certified top-k: random non-negative rows, sizes off the tiles, k from 1 to N/16", "[vnni]") {
  if (skipped()) return;
  std::mt19937 rng(41);
  // 1,000 queries: the scorer itself takes the pass (below that it is only called directly).
  const gxn::Matrix candidates = uniform_rows(16384 + 77, 2 * 37, rng), queries = uniform_rows(1000, 2 * 37, rng);
  REQUIRE(gxn::detail::certified_top_k_applies(gxn::Isa::Avx512, 1000, candidates.rows(), 1000));
  REQUIRE_FALSE(gxn::detail::certified_top_k_applies(gxn::Isa::Avx512, 999, candidates.rows(), 10));
  for (std::int64_t k : {1, 10, 1029}) require_same(queries, candidates, k, 0.5f);
  require_same(queries, candidates, 7, 0.0f);
  require_same(queries, candidates, 7, 1.0f);
}

TEST_CASE("certified top-k: ties, duplicates, zeros and negative values", "[vnni]") {
  if (skipped()) return;
  std::mt19937 rng(42);
  // Values in eighths: many exact ties in score; every fifth candidate a copy of another; some
  // all-zero rows (s* = 0 against any non-negative query) and negative entries.
  std::uniform_int_distribution<int> eighths(-2, 8);
  gxn::Matrix candidates(20000, 64), queries(30, 64);
  for (gxn::Matrix* m : {&candidates, &queries})
    for (float* p = m->data(); p != m->data() + m->rows() * m->cols(); ++p) *p = float(eighths(rng)) / 8.0f;
  for (std::int64_t r = 5; r < candidates.rows(); r += 5)
    std::copy(candidates.row(r - 3), candidates.row(r - 3) + 64, candidates.row(r));
  for (std::int64_t r = 100; r < candidates.rows(); r += 997)
    std::fill(candidates.row(r), candidates.row(r) + 64, 0.0f);
  // Where many candidates tie at the k-th score the pass may find too many it cannot rule out.
  int ran = 0;
  for (std::int64_t k : {1, 25, 1000}) ran += require_same(queries, candidates, k, 0.5f, /*may_fall_back=*/true);
  CHECK(ran > 0);  // not every case may fall back, or this tests the fp32 path against itself
}

TEST_CASE("certified top-k: near neighbours in a clustered set at D = 256", "[vnni]") {
  if (skipped()) return;
  // Each query a small perturbation of a candidate: the top-k are close together, the case in
  // which int8 bounds are tightest against the k-th score.
  std::mt19937 rng(43);
  std::normal_distribution<float> g(0.0f, 1.0f);
  gxn::Matrix candidates(30000, 512), queries(20, 512);
  for (float* p = candidates.data(); p != candidates.data() + candidates.rows() * 512; ++p) *p = std::fabs(g(rng));
  for (std::int64_t q = 0; q < 20; ++q)
    for (std::int64_t d = 0; d < 512; ++d) queries(q, d) = std::fabs(candidates(q * 997, d) + 0.01f * g(rng));
  require_same(queries, candidates, 10, 0.5f);
}

TEST_CASE("certified top-k: values of very different sizes fall back to fp32 with the same results", "[vnni]") {
  if (skipped()) return;
  std::mt19937 rng(44);
  gxn::Matrix candidates = uniform_rows(16400, 8, rng), queries = uniform_rows(8, 8, rng);
  candidates(3, 2) = 1e30f;  // one step for every code: all others become 0 or 1
  require_same(queries, candidates, 5, 0.5f, /*may_fall_back=*/true);
}
