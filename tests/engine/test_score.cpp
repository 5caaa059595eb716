#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gxn/engine/search/score.hpp"

namespace {

// Every instruction set gxn has kernels for that this machine can run; the missing ones are
// reported, not skipped silently.
std::vector<gxn::Isa> runnable_isas() {
  std::vector<gxn::Isa> isas;
  for (gxn::Isa isa : {gxn::Isa::Portable, gxn::Isa::Avx2, gxn::Isa::Avx512}) {
    if (static_cast<int>(isa) <= static_cast<int>(gxn::detect_isa()))
      isas.push_back(isa);
    else
      WARN("this CPU lacks " << gxn::isa_name(isa) << ": its kernel is not tested here");
  }
  return isas;
}

gxn::Matrix random_embeddings(std::int64_t rows, std::int64_t cols, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  gxn::Matrix m(rows, cols);
  for (std::int64_t i = 0; i < rows * cols; ++i) m.data()[i] = unit(rng);
  return m;
}

// s*(t, v) in double precision, straight from the definition.
double reference_score(const float* t, const float* v, std::int64_t dim2, double lambda) {
  const std::int64_t half = dim2 / 2;
  double h = 0.0, l = 0.0;
  for (std::int64_t d = 0; d < half; ++d) h += std::pow(std::max(0.0, double(v[d]) - double(t[d])), 2);
  for (std::int64_t d = half; d < dim2; ++d) l += std::pow(std::max(0.0, double(v[d]) - double(t[d])), 2);
  return -(lambda * h + (1.0 - lambda) * l);
}

void require_close(float got, double want) { REQUIRE(got == Approx(want).epsilon(2e-5).margin(1e-5)); }

// The top-k a full matrix implies: each row sorted by score (higher first), ties by lower index.
std::vector<std::int64_t> ranking(const float* scores, std::int64_t n) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return scores[a] > scores[b]; });
  return order;
}

gxn::OrderScorer scorer(gxn::Isa isa, float lambda, int threads) {
  gxn::ScoreOptions options;
  options.isa = isa;
  options.lambda = lambda;
  options.threads = threads;
  return gxn::OrderScorer(options);
}

template <class F>
void require_error(F&& f, gxn::ErrorCode code, const std::string& names) {
  try {
    f();
    FAIL("no gxn::Error thrown");
  } catch (const gxn::Error& e) {
    INFO(e.what());
    REQUIRE(e.code() == code);
    REQUIRE(std::string(e.what()).find(names) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("order_violation is -||max(0, v - t)||^2", "[score]") {
  const float t[3] = {0.0f, 2.0f, 1.0f};
  const float v[3] = {1.0f, 1.0f, 4.0f};
  REQUIRE(gxn::order_violation(t, v, 3) == -(1.0f + 0.0f + 9.0f));
  REQUIRE(gxn::order_violation(v, t, 3) == -1.0f);  // only the second entry violates the order
  REQUIRE(gxn::order_violation(t, v, 0) == 0.0f);
}

TEST_CASE("s* blends the two halves and is asymmetric (worked by hand)", "[score]") {
  // t = (t_h, t_l) = ([0, 2], [1, 0]),  v = ([1, 1], [0, 3]),  lambda = 0.3:
  //   s(t_h, v_h) = -(1^2 + 0) = -1,  s(t_l, v_l) = -(0 + 3^2) = -9,  s* = 0.3·-1 + 0.7·-9 = -6.6
  // swapped (v as the caption, t as the image): s = -(0 + 1^2) = -1 and -(1^2 + 0) = -1, s* = -1.
  const float t[4] = {0.0f, 2.0f, 1.0f, 0.0f};
  const float v[4] = {1.0f, 1.0f, 0.0f, 3.0f};
  for (gxn::Isa isa : runnable_isas()) {
    INFO(gxn::isa_name(isa));
    const gxn::OrderScorer s = scorer(isa, 0.3f, 1);
    REQUIRE(s.score(t, v, 4) == Approx(-6.6f));
    REQUIRE(s.score(v, t, 4) == Approx(-1.0f));
    const gxn::Matrix m = s.score_matrix(gxn::MatrixView(v, 1, 4), gxn::MatrixView(t, 1, 4));
    REQUIRE(m(0, 0) == Approx(-6.6f));
    const gxn::Matrix swapped = s.score_matrix(gxn::MatrixView(t, 1, 4), gxn::MatrixView(v, 1, 4));
    REQUIRE(swapped(0, 0) == Approx(-1.0f));
  }
}

TEST_CASE("every kernel matches the double reference at sizes that are not multiples of the tiles", "[score]") {
  for (gxn::Isa isa : runnable_isas()) {
    for (std::int64_t half : {1, 4, 37}) {
      for (std::int64_t n_images : {1, 7, 13}) {
        for (std::int64_t n_texts : {1, 17, 33, 100}) {
          const std::int64_t dim2 = 2 * half;
          const gxn::Matrix images = random_embeddings(n_images, dim2, 11 + std::uint32_t(n_images * 7 + half));
          const gxn::Matrix texts = random_embeddings(n_texts, dim2, 12 + std::uint32_t(n_texts * 5 + half));
          for (float lambda : {0.0f, 0.3f, 1.0f}) {
            for (int threads : {1, 2}) {
              INFO(gxn::isa_name(isa) << " D=" << half << " images=" << n_images << " texts=" << n_texts
                                      << " lambda=" << lambda << " threads=" << threads);
              const gxn::OrderScorer s = scorer(isa, lambda, threads);
              REQUIRE(s.isa() == isa);
              const gxn::Matrix m = s.score_matrix(images, texts);
              REQUIRE(m.rows() == n_images);
              REQUIRE(m.cols() == n_texts);
              for (std::int64_t i = 0; i < n_images; ++i)
                for (std::int64_t j = 0; j < n_texts; ++j)
                  require_close(m(i, j), reference_score(texts.row(j), images.row(i), dim2, lambda));
            }
          }
        }
      }
    }
  }
}

TEST_CASE("many blocks and row chunks: every kernel, both thread counts, the same scores", "[score]") {
  const std::int64_t dim2 = 2 * 41;
  const gxn::Matrix images = random_embeddings(131, dim2, 1);
  const gxn::Matrix texts = random_embeddings(301, dim2, 2);
  for (gxn::Isa isa : runnable_isas()) {
    INFO(gxn::isa_name(isa));
    const gxn::Matrix one = scorer(isa, 0.5f, 1).score_matrix(images, texts);
    const gxn::Matrix two = scorer(isa, 0.5f, 2).score_matrix(images, texts);
    REQUIRE(one.values() == two.values());  // threads change who computes, not what
    for (std::int64_t i = 0; i < images.rows(); ++i)
      for (std::int64_t j = 0; j < texts.rows(); ++j)
        require_close(one(i, j), reference_score(texts.row(j), images.row(i), dim2, 0.5));
  }
}

TEST_CASE("more rows than one packed super-chunk holds (32 MiB)", "[score]") {
  const std::int64_t dim2 = 1002;
  const gxn::Matrix images = random_embeddings(8400, dim2, 15);  // 33.7 MB of rows
  const gxn::Matrix texts = random_embeddings(5, dim2, 16);
  for (gxn::Isa isa : runnable_isas()) {
    INFO(gxn::isa_name(isa));
    const gxn::OrderScorer s = scorer(isa, 0.3f, 2);
    const gxn::Matrix m = s.score_matrix(images, texts);
    const gxn::TopK best = s.top_texts(images, texts, 2);
    for (std::int64_t i = 0; i < images.rows(); i += 7) {
      for (std::int64_t j = 0; j < texts.rows(); ++j)
        require_close(m(i, j), reference_score(texts.row(j), images.row(i), dim2, 0.3));
      REQUIRE(best.indices_of(i)[0] == ranking(m.row(i), texts.rows())[0]);
    }
  }
}

TEST_CASE("strided views in, strided rows out", "[score]") {
  // Embeddings of 2·3 floats inside rows of 9; scores written into rows of 20.
  const gxn::Matrix store_i = random_embeddings(5, 9, 3);
  const gxn::Matrix store_t = random_embeddings(19, 9, 4);
  const gxn::MatrixView images(store_i.data() + 1, 5, 6, 9);
  const gxn::MatrixView texts(store_t.data() + 2, 19, 6, 9);
  for (gxn::Isa isa : runnable_isas()) {
    INFO(gxn::isa_name(isa));
    std::vector<float> out(5 * 20, 42.0f);
    scorer(isa, 0.3f, 2).score_matrix(images, texts, out.data(), 20);
    for (std::int64_t i = 0; i < 5; ++i) {
      for (std::int64_t j = 0; j < 19; ++j)
        require_close(out[i * 20 + j], reference_score(texts.row(j), images.row(i), 6, 0.3));
      REQUIRE(out[i * 20 + 19] == 42.0f);  // past the last text: untouched
    }
  }
}

TEST_CASE("top-k in both directions is the head of each sorted row, ties to the lower index", "[score][topk]") {
  const std::int64_t dim2 = 2 * 9;
  const gxn::Matrix images = random_embeddings(100, dim2, 5);
  gxn::Matrix texts = random_embeddings(33, dim2, 6);
  // Captions 20..32 repeat captions 0..12, so their scores tie exactly (across blocks and threads).
  for (std::int64_t j = 20; j < 33; ++j) std::copy(texts.row(j - 20), texts.row(j - 20) + dim2, texts.row(j));
  for (gxn::Isa isa : runnable_isas()) {
    for (int threads : {1, 2}) {
      const gxn::OrderScorer s = scorer(isa, 0.3f, threads);
      const gxn::Matrix full = s.score_matrix(images, texts);  // images × texts
      gxn::Matrix full_t(texts.rows(), images.rows());
      for (std::int64_t i = 0; i < images.rows(); ++i)
        for (std::int64_t j = 0; j < texts.rows(); ++j) full_t(j, i) = full(i, j);
      for (std::int64_t k :
           {std::int64_t{1}, std::int64_t{5}, std::int64_t{33}, std::int64_t{100}, std::int64_t{150}}) {
        INFO(gxn::isa_name(isa) << " threads=" << threads << " k=" << k);
        const gxn::TopK captions = s.top_texts(images, texts, k);
        REQUIRE(captions.queries == images.rows());
        REQUIRE(captions.k == std::min<std::int64_t>(k, texts.rows()));
        for (std::int64_t i = 0; i < images.rows(); ++i) {
          const std::vector<std::int64_t> want = ranking(full.row(i), texts.rows());
          for (std::int64_t r = 0; r < captions.k; ++r) {
            REQUIRE(captions.indices_of(i)[r] == want[r]);
            REQUIRE(captions.scores_of(i)[r] == full(i, want[r]));
          }
        }
        const gxn::TopK pictures = s.top_images(texts, images, k);
        REQUIRE(pictures.queries == texts.rows());
        REQUIRE(pictures.k == std::min<std::int64_t>(k, images.rows()));
        for (std::int64_t j = 0; j < texts.rows(); ++j) {
          const std::vector<std::int64_t> want = ranking(full_t.row(j), images.rows());
          for (std::int64_t r = 0; r < pictures.k; ++r) {
            REQUIRE(pictures.indices_of(j)[r] == want[r]);
            REQUIRE(pictures.scores_of(j)[r] == full_t(j, want[r]));
          }
        }
      }
    }
  }
}

TEST_CASE("top-k with k >= N returns every candidate, sorted, over several super-chunks", "[score][topk]") {
  // 2 threads × 30000 kept candidates per query overflow the selection budget of one
  // super-chunk, so the 50 queries are selected in more than one pass.
  const std::int64_t dim2 = 2;
  const gxn::Matrix texts = random_embeddings(50, dim2, 7);
  const gxn::Matrix images = random_embeddings(30000, dim2, 8);
  const gxn::OrderScorer s = scorer(gxn::Isa::Auto, 0.3f, 2);
  const gxn::TopK all = s.top_images(texts, images, 40000);
  REQUIRE(all.k == images.rows());
  const gxn::Matrix full = s.score_matrix(images, texts);
  std::vector<float> row(static_cast<std::size_t>(images.rows()));
  for (std::int64_t j = 0; j < texts.rows(); ++j) {
    for (std::int64_t i = 0; i < images.rows(); ++i) row[i] = full(i, j);
    const std::vector<std::int64_t> want = ranking(row.data(), images.rows());
    INFO("caption " << j);
    REQUIRE(std::equal(want.begin(), want.end(), all.indices_of(j)));
    require_close(all.scores_of(j)[0], reference_score(texts.row(j), images.row(want[0]), dim2, 0.3));
  }
}

TEST_CASE("empty sides give empty results", "[score][topk]") {
  const gxn::Matrix images = random_embeddings(0, 8, 9);
  const gxn::Matrix texts = random_embeddings(3, 8, 10);
  const gxn::OrderScorer s = scorer(gxn::Isa::Auto, 0.5f, 2);
  REQUIRE(s.score_matrix(images, texts).rows() == 0);
  const gxn::TopK none = s.top_images(texts, images, 5);
  REQUIRE(none.queries == 3);
  REQUIRE(none.k == 0);
  REQUIRE(s.top_texts(images, texts, 5).queries == 0);
}

TEST_CASE("bad input is refused with an error that names it", "[score][errors]") {
  const gxn::Matrix images = random_embeddings(4, 8, 11);
  const gxn::Matrix texts = random_embeddings(5, 8, 12);
  const gxn::Matrix odd = random_embeddings(5, 7, 13);
  const gxn::Matrix other = random_embeddings(5, 6, 14);
  const gxn::OrderScorer s = scorer(gxn::Isa::Auto, 0.5f, 0);
  using gxn::ErrorCode;

  require_error([&] { s.score_matrix(images, other); }, ErrorCode::Shape, "images and texts");
  require_error([&] { s.score_matrix(odd, odd); }, ErrorCode::Shape, "images");
  require_error([&] { s.top_images(odd, odd, 1); }, ErrorCode::Shape, "texts");
  require_error([&] { s.top_texts(images, gxn::MatrixView(texts.data(), 5, 8, 4), 1); }, ErrorCode::Shape, "texts");
  require_error([&] { s.top_images(texts, images, 0); }, ErrorCode::InvalidArgument, "k");
  require_error([&] { s.top_texts(images, texts, -3); }, ErrorCode::InvalidArgument, "k");
  std::vector<float> out(4 * 5);
  require_error([&] { s.score_matrix(images, texts, out.data(), 4); }, ErrorCode::Shape, "out_stride");
  require_error([&] { s.score_matrix(images, texts, nullptr, 5); }, ErrorCode::InvalidArgument, "out");
  require_error([&] { s.score(texts.data(), images.data(), 7); }, ErrorCode::Shape, "dim2");
  require_error([&] { gxn::order_violation(nullptr, images.data(), 3); }, ErrorCode::InvalidArgument, "t");

  gxn::Matrix bad = images;
  bad(2, 5) = std::numeric_limits<float>::quiet_NaN();
  require_error([&] { s.score_matrix(bad, texts); }, ErrorCode::NonFinite,
                "images: non-finite value nan at row 2, column 5");
  require_error([&] { s.top_images(texts, bad, 1); }, ErrorCode::NonFinite, "images");
  require_error([&] { s.score(texts.data(), bad.row(2), 8); }, ErrorCode::NonFinite, "v");
  gxn::Matrix inf = texts;
  inf(4, 0) = -std::numeric_limits<float>::infinity();
  require_error([&] { s.top_texts(images, inf, 2); }, ErrorCode::NonFinite, "texts");

  for (float lambda : {-0.1f, 1.5f, std::numeric_limits<float>::quiet_NaN()})
    require_error([&] { scorer(gxn::Isa::Auto, lambda, 0); }, ErrorCode::InvalidArgument, "lambda");
  require_error([&] { scorer(gxn::Isa::Auto, 0.5f, -1); }, ErrorCode::InvalidArgument, "threads");
}

TEST_CASE("instruction sets: detection agrees with the compiler's, unknown or missing ones are refused",
          "[score][cpu]") {
  const gxn::Isa best = gxn::detect_isa();
  REQUIRE(best != gxn::Isa::Auto);
  REQUIRE(gxn::resolve_isa(gxn::Isa::Auto) == best);
  REQUIRE(gxn::resolve_isa(gxn::Isa::Portable) == gxn::Isa::Portable);
#if defined(__x86_64__) || defined(__i386__)
  // GCC's and Clang's runtime checks also ask the OS (XCR0) before reporting AVX2 / AVX-512.
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  REQUIRE(best == (avx512 ? gxn::Isa::Avx512 : avx2 ? gxn::Isa::Avx2 : gxn::Isa::Portable));
#endif
  for (gxn::Isa isa : {gxn::Isa::Auto, gxn::Isa::Portable, gxn::Isa::Avx2, gxn::Isa::Avx512})
    REQUIRE(gxn::parse_isa(gxn::isa_name(isa)) == isa);
  require_error([] { gxn::parse_isa("sse9"); }, gxn::ErrorCode::InvalidArgument, "sse9");
  require_error([] { gxn::resolve_isa(static_cast<gxn::Isa>(9)); }, gxn::ErrorCode::InvalidArgument, "isa");
  if (best == gxn::Isa::Avx512) {
    WARN("this CPU has every instruction set gxn knows: refusing a missing one is not tested here");
  } else {
    require_error([] { scorer(gxn::Isa::Avx512, 0.5f, 1); }, gxn::ErrorCode::Unsupported, "avx512");
  }
}
