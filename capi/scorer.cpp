// The C API's scorer: a thin shell over gxn::OrderScorer.
#include <algorithm>

#include "boundary.hpp"
#include "gxn/engine/search/score.hpp"

struct gxn_scorer {
  gxn::OrderScorer scorer;
};

using gxn::capi::guard;
using gxn::capi::require;

static void copy_top(const gxn::TopK& top, int64_t* out_index, float* out_score, int64_t* out_k) {
  std::copy(top.index.begin(), top.index.end(), out_index);
  std::copy(top.score.begin(), top.score.end(), out_score);
  *out_k = top.k;
}

extern "C" {

int gxn_scorer_new(float lambda, int threads, const char* isa, gxn_scorer** out) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    gxn::ScoreOptions options;
    options.lambda = lambda;
    options.threads = threads;
    options.isa = gxn::parse_isa(isa ? isa : "auto");
    *out = new gxn_scorer{gxn::OrderScorer(options)};
  });
}

void gxn_scorer_free(gxn_scorer* scorer) { delete scorer; }

const char* gxn_scorer_isa(const gxn_scorer* scorer) { return scorer ? gxn::isa_name(scorer->scorer.isa()) : ""; }

int gxn_score_matrix(const gxn_scorer* scorer, const float* images, int64_t n_images, const float* texts,
                     int64_t n_texts, int64_t dim2, float* out) {
  return guard([&] {
    require(scorer, "scorer");
    require(out, "out");
    scorer->scorer.score_matrix(gxn::MatrixView(images, n_images, dim2), gxn::MatrixView(texts, n_texts, dim2), out,
                                n_texts);
  });
}

int gxn_top_images(const gxn_scorer* scorer, const float* texts, int64_t n_texts, const float* images, int64_t n_images,
                   int64_t dim2, int64_t k, int64_t* out_index, float* out_score, int64_t* out_k) {
  return guard([&] {
    require(scorer, "scorer");
    require(out_index, "out_index");
    require(out_score, "out_score");
    require(out_k, "out_k");
    copy_top(
        scorer->scorer.top_images(gxn::MatrixView(texts, n_texts, dim2), gxn::MatrixView(images, n_images, dim2), k),
        out_index, out_score, out_k);
  });
}

int gxn_top_texts(const gxn_scorer* scorer, const float* images, int64_t n_images, const float* texts, int64_t n_texts,
                  int64_t dim2, int64_t k, int64_t* out_index, float* out_score, int64_t* out_k) {
  return guard([&] {
    require(scorer, "scorer");
    require(out_index, "out_index");
    require(out_score, "out_score");
    require(out_k, "out_k");
    copy_top(
        scorer->scorer.top_texts(gxn::MatrixView(images, n_images, dim2), gxn::MatrixView(texts, n_texts, dim2), k),
        out_index, out_score, out_k);
  });
}
}
