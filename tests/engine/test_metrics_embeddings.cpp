// Metrics from embeddings: the same figures as ranking a score matrix computed independently.
// Embeddings hold small integers and lambda is 0 or 1, so every score is exact in float and
// double alike (the kernel folds lambda in as sqrt(lambda) scaling, exact only there) and the
// ties that integers make rank the same. At other lambdas the figures must equal those of the
// scorer's own matrix (the scorer's accuracy is tested against a double reference elsewhere).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "gxn/engine/metrics/metrics.hpp"

namespace {

gxn::Matrix integer_embeddings(std::int64_t rows, std::int64_t dim2, std::mt19937& rng) {
  std::uniform_int_distribution<int> level(0, 3);
  gxn::Matrix m(rows, dim2);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < dim2; ++c) m(r, c) = static_cast<float>(level(rng));
  return m;
}

// s*(t, v) in double, straight from the definition.
gxn::Matrix reference_scores(const gxn::MatrixView& images, const gxn::MatrixView& texts, double lambda) {
  const std::int64_t d = images.cols / 2;
  gxn::Matrix s(images.rows, texts.rows);
  for (std::int64_t i = 0; i < images.rows; ++i)
    for (std::int64_t j = 0; j < texts.rows; ++j) {
      double h = 0, l = 0;
      for (std::int64_t k = 0; k < d; ++k) {
        const double gh = std::max(0.0, double(images(i, k)) - texts(j, k));
        const double gl = std::max(0.0, double(images(i, d + k)) - texts(j, d + k));
        h += gh * gh, l += gl * gl;
      }
      s(i, j) = static_cast<float>(-(lambda * h + (1 - lambda) * l));
    }
  return s;
}

void require_same(const gxn::RetrievalMetrics& a, const gxn::RetrievalMetrics& b) {
  for (auto [x, y] : {std::pair{a.i2t, b.i2t}, std::pair{a.t2i, b.t2i}}) {
    CHECK(x.r1 == y.r1);
    CHECK(x.r5 == y.r5);
    CHECK(x.r10 == y.r10);
    CHECK(x.medr == y.medr);
    CHECK(x.meanr == y.meanr);
  }
  CHECK(a.rsum == b.rsum);
}

}  // namespace

TEST_CASE("evaluate_embeddings (all) equals ranking the reference score matrix", "[metrics]") {
  std::mt19937 rng(11);
  const gxn::Matrix images = integer_embeddings(23, 6, rng);
  const gxn::Matrix texts = integer_embeddings(115, 6, rng);
  gxn::ScoreOptions options;
  for (float lambda : {0.0f, 1.0f}) {
    options.lambda = lambda;
    const auto got = gxn::evaluate_embeddings(images, texts, options, gxn::EvalProtocol::All);
    require_same(got, gxn::evaluate_scores(reference_scores(images, texts, lambda)));
    CHECK(got.rsum > 0);
  }
  options.lambda = 0.25f;
  require_same(gxn::evaluate_embeddings(images, texts, options, gxn::EvalProtocol::All),
               gxn::evaluate_scores(gxn::OrderScorer(options).score_matrix(images, texts)));
}

TEST_CASE("evaluate_embeddings (1k5) averages the five 1000-image folds", "[metrics]") {
  std::mt19937 rng(12);
  const gxn::Matrix images = integer_embeddings(5000, 2, rng);
  const gxn::Matrix texts = integer_embeddings(25000, 2, rng);
  gxn::ScoreOptions options;
  options.lambda = 1.0f;
  std::vector<gxn::RetrievalMetrics> folds;
  for (std::int64_t f = 0; f < 5; ++f) {
    const gxn::MatrixView fold_images(images.row(1000 * f), 1000, 2);
    const gxn::MatrixView fold_texts(texts.row(5000 * f), 5000, 2);
    folds.push_back(gxn::evaluate_scores(reference_scores(fold_images, fold_texts, 1.0)));
  }
  require_same(gxn::evaluate_embeddings(images, texts, options, gxn::EvalProtocol::Coco1k),
               gxn::average_metrics(folds));
}

TEST_CASE("evaluate_embeddings refuses mismatched or non-finite embeddings", "[metrics]") {
  gxn::ScoreOptions options;
  const gxn::Matrix images(2, 4, 0.0f), texts(10, 4, 0.0f), narrow(10, 2, 0.0f), few(9, 4, 0.0f), odd(2, 3, 0.0f);
  REQUIRE_THROWS_AS(gxn::evaluate_embeddings(images, narrow, options, gxn::EvalProtocol::All), gxn::Error);
  REQUIRE_THROWS_AS(gxn::evaluate_embeddings(images, few, options, gxn::EvalProtocol::All), gxn::Error);
  REQUIRE_THROWS_AS(gxn::evaluate_embeddings(odd, gxn::Matrix(10, 3), options, gxn::EvalProtocol::All), gxn::Error);
  REQUIRE_THROWS_AS(gxn::evaluate_embeddings(images, texts, options, gxn::EvalProtocol::Coco1k), gxn::Error);
  gxn::Matrix bad = texts;
  bad(3, 1) = std::nanf("");
  try {
    gxn::evaluate_embeddings(images, bad, options, gxn::EvalProtocol::All);
    FAIL("NaN accepted");
  } catch (const gxn::Error& e) {
    CHECK(e.code() == gxn::ErrorCode::NonFinite);
    CHECK(std::string(e.what()).find("caption embeddings") != std::string::npos);
  }
}
