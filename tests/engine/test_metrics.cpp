// Retrieval metrics: golden values worked out by hand, ties, folds, a sort-based reference,
// and refusal of bad score matrices.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>

#include "gxn/engine/metrics/metrics.hpp"
#include "support/error_of.hpp"

namespace {

// Image 0 owns captions 0-4, image 1 captions 5-9 (also tests/data/npy/eval_scores_2x10.npy).
//   i2t: image 0's best own caption (0.9) is top: rank 0. Image 1's best own (0.8) is beaten by
//        captions 0-4 (0.95 0.9 0.85 0.82 0.81): rank 5.
//   t2i: captions 0-4 score higher with image 1, captions 6-8 with image 0: rank 1;
//        captions 5 and 9 rank 0.
const std::vector<float> kHand = {0.9f,  0.1f, 0.2f,  0.3f,  0.4f,  0.5f, 0.6f, 0.7f, 0.8f, 0.05f,  //
                                  0.95f, 0.9f, 0.85f, 0.82f, 0.81f, 0.8f, 0.2f, 0.3f, 0.4f, 0.5f};

void require_summary(const gxn::RankSummary& s, double r1, double r5, double r10, double medr, double meanr) {
  CHECK(s.r1 == Approx(r1));
  CHECK(s.r5 == Approx(r5));
  CHECK(s.r10 == Approx(r10));
  CHECK(s.medr == Approx(medr));
  CHECK(s.meanr == Approx(meanr));
}

// Ranks by sorting, the way VSE++ finds them (argsort, then the position of the true item);
// ties broken in the true item's favour, to match gxn's "strictly higher" rule.
std::vector<std::int64_t> sorted_i2t(const gxn::Matrix& s) {
  std::vector<std::int64_t> ranks;
  for (std::int64_t i = 0; i < s.rows(); ++i) {
    std::vector<std::int64_t> order(static_cast<std::size_t>(s.cols()));
    std::iota(order.begin(), order.end(), 0);
    auto own = [&](std::int64_t j) { return j / 5 == i; };
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
      return s(i, a) != s(i, b) ? s(i, a) > s(i, b) : own(a) > own(b);
    });
    ranks.push_back(std::find_if(order.begin(), order.end(), own) - order.begin());
  }
  return ranks;
}

std::vector<std::int64_t> sorted_t2i(const gxn::Matrix& s) {
  std::vector<std::int64_t> ranks;
  for (std::int64_t j = 0; j < s.cols(); ++j) {
    std::vector<std::int64_t> order(static_cast<std::size_t>(s.rows()));
    std::iota(order.begin(), order.end(), 0);
    const std::int64_t truth = j / 5;
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
      return s(a, j) != s(b, j) ? s(a, j) > s(b, j) : (a == truth) > (b == truth);
    });
    ranks.push_back(std::find(order.begin(), order.end(), truth) - order.begin());
  }
  return ranks;
}

}  // namespace

TEST_CASE("metrics of a hand-worked 2 x 10 score matrix", "[metrics]") {
  const gxn::Matrix s(2, 10, kHand);
  REQUIRE(gxn::image_to_text_ranks(s) == std::vector<std::int64_t>{0, 5});
  REQUIRE(gxn::text_to_image_ranks(s) == std::vector<std::int64_t>{1, 1, 1, 1, 1, 0, 1, 1, 1, 0});

  const gxn::RetrievalMetrics m = gxn::evaluate(s, gxn::EvalProtocol::All);
  // i2t ranks {0, 5}: median 2.5 -> floor 2 + 1 = 3; mean 2.5 + 1.
  require_summary(m.i2t, 50, 50, 100, 3, 3.5);
  // t2i ranks: eight 1s and two 0s: median 1 -> 2; mean 0.8 + 1.
  require_summary(m.t2i, 20, 100, 100, 2, 1.8);
  CHECK(m.rsum == Approx(420));
}

TEST_CASE("summarize_ranks: recalls at 1/5/10, numpy's median, 1-based ranks", "[metrics]") {
  // 7 ranks: below 1: {0}; below 5: {0,3,4}; below 10: {0,3,4,5,9}; median 5; mean 51/7.
  require_summary(gxn::summarize_ranks({20, 0, 9, 4, 10, 3, 5}), 100.0 / 7, 300.0 / 7, 500.0 / 7, 6, 51.0 / 7 + 1);
  // Even counts: the median is the mean of the middle two, then floor() + 1.
  CHECK(gxn::summarize_ranks({3, 0, 2, 1}).medr == 2);  // median 1.5
  CHECK(gxn::summarize_ranks({0, 1, 1, 0}).medr == 1);  // median 0.5
  CHECK(gxn::summarize_ranks({2, 4}).medr == 4);        // median 3
  CHECK(gxn::summarize_ranks({7}).meanr == 8);
  REQUIRE_THROWS_AS(gxn::summarize_ranks({}), gxn::Error);
}

TEST_CASE("ties: only strictly higher scores push the true item down", "[metrics]") {
  // Everything equal: every true item ties with all others and ranks 0.
  const gxn::Matrix flat(2, 10, 0.25f);
  REQUIRE(gxn::image_to_text_ranks(flat) == std::vector<std::int64_t>{0, 0});
  REQUIRE(gxn::text_to_image_ranks(flat) == std::vector<std::int64_t>(10, 0));

  // Image 0: best own 0.5, tied by caption 5 and beaten by caption 6 (0.6) only: rank 1.
  // Caption 5: its image 1 scores 0.5, image 0 ties at 0.5: rank 0. Caption 6: image 0's 0.6
  // beats image 1's 0.5: rank 1.
  gxn::Matrix s(2, 10, 0.0f);
  for (int j = 0; j < 5; ++j) s(0, j) = j == 2 ? 0.5f : 0.1f;
  s(0, 5) = 0.5f;
  s(0, 6) = 0.6f;
  for (int j = 5; j < 10; ++j) s(1, j) = 0.5f;
  REQUIRE(gxn::image_to_text_ranks(s) == std::vector<std::int64_t>{1, 0});
  REQUIRE(gxn::text_to_image_ranks(s) == std::vector<std::int64_t>{0, 0, 0, 0, 0, 0, 1, 0, 0, 0});
}

TEST_CASE("ranks agree with a sort-based reference on random matrices", "[metrics]") {
  std::mt19937 rng(7);
  // Scores on a coarse grid so that ties are frequent.
  std::uniform_int_distribution<int> level(0, 20);
  for (std::int64_t images : {1, 3, 37}) {
    gxn::Matrix s(images, 5 * images);
    for (std::int64_t i = 0; i < s.rows(); ++i)
      for (std::int64_t j = 0; j < s.cols(); ++j) s(i, j) = static_cast<float>(level(rng)) / 4;
    INFO("images " << images);
    REQUIRE(gxn::image_to_text_ranks(s) == sorted_i2t(s));
    REQUIRE(gxn::text_to_image_ranks(s) == sorted_t2i(s));
  }
  // Wider than one band of captions the t2i counter splits its work into (1024).
  gxn::Matrix wide(300, 1500);
  std::uniform_real_distribution<float> uniform(-1, 1);
  for (std::int64_t i = 0; i < wide.rows(); ++i)
    for (std::int64_t j = 0; j < wide.cols(); ++j) wide(i, j) = uniform(rng);
  REQUIRE(gxn::text_to_image_ranks(wide) == sorted_t2i(wide));
  REQUIRE(gxn::image_to_text_ranks(wide) == sorted_i2t(wide));
}

TEST_CASE("a strided view ranks like the contiguous matrix", "[metrics]") {
  std::vector<float> padded(2 * 13, 100.0f);  // column 10..12 of each row: large decoys
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 10; ++j)
      padded[static_cast<std::size_t>(13 * i + j)] = kHand[static_cast<std::size_t>(10 * i + j)];
  const gxn::MatrixView view(padded.data(), 2, 10, 13);
  REQUIRE(gxn::image_to_text_ranks(view) == std::vector<std::int64_t>{0, 5});
  REQUIRE(gxn::text_to_image_ranks(view) == std::vector<std::int64_t>{1, 1, 1, 1, 1, 0, 1, 1, 1, 0});
}

TEST_CASE("folds: the mean of the diagonal blocks' metrics; other blocks are ignored", "[metrics]") {
  // 4 images × 20 captions in two folds of 2 images. Fold 0 is the hand-worked matrix; fold 1
  // is perfect (each image scores its own captions 1, the others 0). The off-diagonal blocks
  // hold 10, higher than anything: they would wreck the whole-matrix ranks.
  gxn::Matrix s(4, 20, 10.0f);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 10; ++j) s(i, j) = kHand[static_cast<std::size_t>(10 * i + j)];
  for (int i = 2; i < 4; ++i)
    for (int j = 10; j < 20; ++j) s(i, j) = (j / 5 == i) ? 1.0f : 0.0f;

  const gxn::RetrievalMetrics m = gxn::evaluate_folds(s, 2);
  require_summary(m.i2t, (50 + 100) / 2.0, (50 + 100) / 2.0, 100, (3 + 1) / 2.0, (3.5 + 1) / 2.0);
  require_summary(m.t2i, (20 + 100) / 2.0, 100, 100, (2 + 1) / 2.0, (1.8 + 1) / 2.0);
  CHECK(m.rsum == Approx(75 + 75 + 100 + 60 + 100 + 100));

  // One fold of everything is the whole matrix, where the decoys win.
  const gxn::RetrievalMetrics whole = gxn::evaluate_folds(s, 4);
  const gxn::RetrievalMetrics all = gxn::evaluate_scores(s);
  CHECK(whole.rsum == Approx(all.rsum));
  CHECK(all.i2t.r1 == 0);

  error_of([&] { gxn::evaluate_folds(s, 3); }, gxn::ErrorCode::InvalidArgument);
  error_of([&] { gxn::evaluate_folds(s, 0); }, gxn::ErrorCode::InvalidArgument);
}

TEST_CASE("protocols 1k5 and 5k need exactly 5000 images", "[metrics]") {
  const gxn::Matrix s(2, 10, kHand);
  for (auto protocol : {gxn::EvalProtocol::Coco1k, gxn::EvalProtocol::Coco5k}) {
    const std::string msg = error_of([&] { gxn::evaluate(s, protocol); }, gxn::ErrorCode::Shape);
    CHECK(msg.find("5000") != std::string::npos);
    CHECK(msg.find("has 2 images") != std::string::npos);
    CHECK(msg.find(gxn::protocol_name(protocol)) != std::string::npos);
  }
}

TEST_CASE("protocol names parse and print", "[metrics]") {
  for (auto p : {gxn::EvalProtocol::All, gxn::EvalProtocol::Coco1k, gxn::EvalProtocol::Coco5k})
    CHECK(gxn::parse_protocol(gxn::protocol_name(p)) == p);
  const std::string msg = error_of([] { gxn::parse_protocol("1k"); }, gxn::ErrorCode::InvalidArgument);
  CHECK(msg.find("'1k'") != std::string::npos);
}

TEST_CASE("bad score matrices are refused with the reason", "[metrics]") {
  const gxn::Matrix nine(2, 9, 0.0f);
  CHECK(error_of([&] { gxn::evaluate_scores(nine); }, gxn::ErrorCode::Shape).find("2 images × 9 captions") !=
        std::string::npos);
  error_of([] { gxn::evaluate_scores(gxn::Matrix(0, 0)); }, gxn::ErrorCode::Shape);

  gxn::Matrix s(2, 10, kHand);
  s(1, 7) = std::nanf("");
  CHECK(error_of([&] { gxn::evaluate_scores(s); }, gxn::ErrorCode::NonFinite).find("row 1, column 7") !=
        std::string::npos);
  error_of([&] { gxn::image_to_text_ranks(s); }, gxn::ErrorCode::NonFinite);
  s(1, 7) = INFINITY;
  error_of([&] { gxn::text_to_image_ranks(s); }, gxn::ErrorCode::NonFinite);
}
