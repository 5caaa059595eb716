#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gxn/error.hpp"
#include "gxn/model/ranking_loss.hpp"

namespace {

using Mat = std::vector<std::vector<double>>;

Mat to_mat(const torch::Tensor& t) {
  auto c = t.to(torch::kFloat64).contiguous();
  Mat m(c.size(0), std::vector<double>(c.size(1)));
  for (std::int64_t i = 0; i < c.size(0); ++i)
    for (std::int64_t j = 0; j < c.size(1); ++j) m[i][j] = c[i][j].item<double>();
  return m;
}

// s(t, v) = -sum_k max(0, v_k - t_k)^2, straight from the definition.
double order_score(const std::vector<double>& t, const std::vector<double>& v) {
  double s = 0;
  for (std::size_t k = 0; k < t.size(); ++k) s += std::pow(std::max(0.0, v[k] - t[k]), 2);
  return -s;
}

// L_R+ in double precision, written as loops over (caption, image) pairs.
double reference_loss(const gxn::Embeddings& texts, const gxn::Embeddings& images, const std::vector<int>& ids,
                      double lambda, double margin, bool max_violation) {
  const Mat th = to_mat(texts.abstract), tl = to_mat(texts.grounded);
  const Mat vh = to_mat(images.abstract), vl = to_mat(images.grounded);
  const std::size_t n = th.size();
  auto s = [&](std::size_t t, std::size_t v) {
    return lambda * order_score(th[t], vh[v]) + (1 - lambda) * order_score(tl[t], vl[v]);
  };
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {  // caption i against other images
    double sum = 0, worst = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (ids[i] == ids[j]) continue;
      const double c = std::max(0.0, margin - s(i, i) + s(i, j));
      sum += c;
      worst = std::max(worst, c);
    }
    total += max_violation ? worst : sum;
  }
  for (std::size_t j = 0; j < n; ++j) {  // image j against other captions
    double sum = 0, worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (ids[i] == ids[j]) continue;
      const double c = std::max(0.0, margin - s(j, j) + s(i, j));
      sum += c;
      worst = std::max(worst, c);
    }
    total += max_violation ? worst : sum;
  }
  return total;
}

// batch_recall_at_1 in double precision: a query hits when its own pair scores strictly above
// every pair with another image.
double reference_batch_r1(const gxn::Embeddings& texts, const gxn::Embeddings& images, const std::vector<int>& ids,
                          double lambda) {
  const Mat th = to_mat(texts.abstract), tl = to_mat(texts.grounded);
  const Mat vh = to_mat(images.abstract), vl = to_mat(images.grounded);
  const std::size_t n = th.size();
  auto s = [&](std::size_t t, std::size_t v) {
    return lambda * order_score(th[t], vh[v]) + (1 - lambda) * order_score(tl[t], vl[v]);
  };
  double caption_hits = 0, image_hits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    bool caption_hit = true, image_hit = true;
    for (std::size_t j = 0; j < n; ++j) {
      if (ids[i] == ids[j]) continue;
      caption_hit = caption_hit && s(i, i) > s(i, j);  // caption i: its image against image j
      image_hit = image_hit && s(i, i) > s(j, i);      // image i: its caption against caption j
    }
    caption_hits += caption_hit, image_hits += image_hit;
  }
  return 0.5 * (caption_hits + image_hits) / static_cast<double>(n);
}

gxn::Embeddings random_embeddings(std::int64_t n, std::int64_t dim) {
  return {torch::rand({n, dim}), torch::rand({n, dim})};
}

}  // namespace

TEST_CASE("Order violation matches a hand-worked example", "[model][loss]") {
  // t0 = (1, 0), t1 = (0, 3); v0 = (0.5, 2), v1 = (1, 1).
  // v0 - t0 = (-0.5, 2) -> -4;  v1 - t0 = (0, 1) -> -1;  v0 - t1 = (0.5, -1) -> -0.25;  v1 - t1 = (1, -2) -> -1.
  auto t = torch::tensor({{1.0f, 0.0f}, {0.0f, 3.0f}});
  auto v = torch::tensor({{0.5f, 2.0f}, {1.0f, 1.0f}});
  auto s = gxn::order_violation(t, v);
  REQUIRE(s.sizes() == torch::IntArrayRef{2, 2});
  CHECK(s[0][0].item<float>() == Approx(-4.0));
  CHECK(s[0][1].item<float>() == Approx(-1.0));
  CHECK(s[1][0].item<float>() == Approx(-0.25));
  CHECK(s[1][1].item<float>() == Approx(-1.0));
  // An image below its caption in every coordinate violates nothing.
  CHECK(gxn::order_violation(torch::tensor({{2.0f, 2.0f}}), torch::tensor({{1.0f, 0.5f}})).item<float>() == 0.0f);
  // s* blends the two levels with lambda.
  gxn::Embeddings texts{t, t * 0}, images{v, v};
  auto blended = gxn::blended_similarity(texts, images, 0.25);
  CHECK(blended[0][0].item<float>() == Approx(0.25 * -4.0 + 0.75 * -(0.25 + 4.0)));
}

TEST_CASE("The ranking loss equals a double-precision loop over all in-batch negatives", "[model][loss]") {
  torch::manual_seed(1);
  const auto texts = random_embeddings(6, 5), images = random_embeddings(6, 5);
  const std::vector<int> ids{0, 1, 2, 3, 4, 5};
  for (double lambda : {0.0, 0.5, 0.8}) {
    for (double margin : {0.2, 1.0}) {
      gxn::RankingLoss loss(gxn::RankingLossOptions().lambda(lambda).margin(margin));
      const double got = loss(texts, images, torch::arange(6)).item<double>();
      const double want = reference_loss(texts, images, ids, lambda, margin, false);
      REQUIRE(want > 0);
      CHECK(got == Approx(want).epsilon(1e-5));
      // Without image ids every row is its own image.
      CHECK(loss(texts, images).item<double>() == Approx(want).epsilon(1e-5));
    }
  }
}

TEST_CASE("Captions of the same image in one batch are not each other's negatives", "[model][loss]") {
  torch::manual_seed(2);
  const auto texts = random_embeddings(6, 4), images = random_embeddings(6, 4);
  const std::vector<int> ids{7, 3, 7, 9, 3, 7};  // image 7 three times, image 3 twice
  gxn::RankingLoss loss(gxn::RankingLossOptions().margin(0.5));
  const auto id_tensor = torch::tensor({7, 3, 7, 9, 3, 7}, torch::kInt64);
  const double masked = loss(texts, images, id_tensor).item<double>();
  CHECK(masked == Approx(reference_loss(texts, images, ids, 0.5, 0.5, false)).epsilon(1e-5));
  const double unmasked = loss(texts, images).item<double>();
  CHECK(unmasked == Approx(reference_loss(texts, images, {0, 1, 2, 3, 4, 5}, 0.5, 0.5, false)).epsilon(1e-5));
  CHECK(masked < unmasked);
}

TEST_CASE("Max violation keeps only the hardest negative per query", "[model][loss]") {
  torch::manual_seed(3);
  const auto texts = random_embeddings(5, 6), images = random_embeddings(5, 6);
  const std::vector<int> ids{0, 1, 0, 2, 3};
  gxn::RankingLoss hardest(gxn::RankingLossOptions().lambda(0.3).margin(0.4).max_violation(true));
  gxn::RankingLoss all(gxn::RankingLossOptions().lambda(0.3).margin(0.4));
  const auto id_tensor = torch::tensor({0, 1, 0, 2, 3}, torch::kInt64);
  const double got = hardest(texts, images, id_tensor).item<double>();
  CHECK(got == Approx(reference_loss(texts, images, ids, 0.3, 0.4, true)).epsilon(1e-5));
  CHECK(got > 0);
  CHECK(got < all(texts, images, id_tensor).item<double>());
}

TEST_CASE("The loss is zero when every positive beats every negative by the margin", "[model][loss]") {
  // Caption i is the one-hot e_i, image i is 0.5 e_i: s(t_i, v_i) = 0, s(t_i, v_j) = -0.25 for j != i.
  const auto eye = torch::eye(4);
  gxn::Embeddings texts{eye, eye}, images{0.5 * eye, 0.5 * eye};
  gxn::RankingLoss loss(gxn::RankingLossOptions().margin(0.2));
  CHECK(loss(texts, images).item<float>() == 0.0f);
  // A margin above the gap of 0.25 makes every negative count: 2 directions x 12 pairs x 0.05.
  gxn::RankingLoss wide(gxn::RankingLossOptions().margin(0.3));
  CHECK(wide(texts, images).item<float>() == Approx(24 * 0.05));
}

TEST_CASE("Ranking loss gradients are finite and reach every input", "[model][loss]") {
  torch::manual_seed(4);
  auto th = torch::rand({8, 16}).requires_grad_(), tl = torch::rand({8, 16}).requires_grad_();
  auto vh = torch::rand({8, 16}).requires_grad_(), vl = torch::rand({8, 16}).requires_grad_();
  for (bool max_violation : {false, true}) {
    gxn::RankingLoss loss(gxn::RankingLossOptions().max_violation(max_violation));
    auto value = loss->forward({th, tl}, {vh, vl}, torch::tensor({0, 1, 2, 0, 4, 5, 6, 2}, torch::kInt64));
    value.backward();
    for (auto* t : {&th, &tl, &vh, &vl}) {
      REQUIRE(t->grad().defined());
      CHECK(torch::isfinite(t->grad()).all().item<bool>());
      CHECK(t->grad().abs().sum().item<float>() > 0);
      t->mutable_grad().zero_();
    }
  }
}

TEST_CASE("The ranking loss refuses batches that disagree", "[model][loss]") {
  gxn::RankingLoss loss;
  const auto a = torch::rand({4, 3}), b = torch::rand({5, 3});
  CHECK_THROWS_AS(loss->forward({a, a}, {b, b}), gxn::Error);
  CHECK_THROWS_AS(loss->forward({a, a}, {a, a}, torch::arange(3)), gxn::Error);
}

TEST_CASE("A model config gives the loss its lambda, margin and max violation", "[model][loss]") {
  gxn::ModelConfig c;
  c.lambda = 0.7;
  c.margin = 0.05;
  c.max_violation = true;
  const auto o = gxn::ranking_loss_options(c);
  CHECK(o.lambda() == 0.7);
  CHECK(o.margin() == 0.05);
  CHECK(o.max_violation());
}

TEST_CASE("Batch recall@1 counts the queries whose own pair outscores every negative", "[model][loss]") {
  torch::manual_seed(5);
  const std::vector<int> ids{4, 1, 4, 2, 3, 5, 1, 6};
  const auto id_tensor = torch::tensor({4, 1, 4, 2, 3, 5, 1, 6}, torch::kInt64);
  // Random embeddings, against the loop; then images placed near their captions hit more.
  auto texts = random_embeddings(8, 6), images = random_embeddings(8, 6);
  for (const double lambda : {0.0, 0.3, 1.0}) {
    const double got = gxn::batch_recall_at_1(texts, images, id_tensor, lambda);
    CHECK(got == Approx(reference_batch_r1(texts, images, ids, lambda)).margin(1e-12));
  }
  const gxn::Embeddings near{texts.abstract - 0.05 * images.abstract, texts.grounded - 0.05 * images.grounded};
  const double near_r1 = gxn::batch_recall_at_1(near, texts, id_tensor, 0.5);
  CHECK(near_r1 == Approx(reference_batch_r1(near, texts, ids, 0.5)).margin(1e-12));
  CHECK(near_r1 > gxn::batch_recall_at_1(texts, images, id_tensor, 0.5));

  // Every pair separated (the margin test's one-hot batch): 1. Every embedding the same: 0.
  const auto eye = torch::eye(4);
  CHECK(gxn::batch_recall_at_1({eye, eye}, {0.5 * eye, 0.5 * eye}, {}, 0.5) == 1.0);
  const auto same = torch::full({4, 3}, 0.5);
  CHECK(gxn::batch_recall_at_1({same, same}, {same, same}, {}, 0.5) == 0.0);
  // One image for the whole batch leaves no negative: every query hits.
  CHECK(gxn::batch_recall_at_1({same, same}, {same, same}, torch::zeros({4}, torch::kInt64), 0.5) == 1.0);
  CHECK_THROWS_AS(gxn::batch_recall_at_1({eye, eye}, {eye, eye}, torch::arange(3), 0.5), gxn::Error);
}
