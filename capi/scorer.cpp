// The C API's scorer: a thin shell over gxn::OrderScorer, or gxn::CudaOrderScorer on a GPU.
#include <algorithm>
#include <memory>
#include <string>

#include "boundary.hpp"
#include "device_name.hpp"
#include "gxn/engine/search/cuda_scorer.hpp"
#include "gxn/engine/search/score.hpp"

// Exactly one of the two scorers; both have the same calls.
struct gxn_scorer {
  std::unique_ptr<gxn::OrderScorer> cpu;
  std::unique_ptr<gxn::CudaOrderScorer> gpu;
  std::string device;  // "cpu" or "cuda:N"

  template <class Call>
  auto run(Call&& call) const {
    return gpu ? call(*gpu) : call(*cpu);
  }
};

using gxn::capi::guard;
using gxn::capi::require;

namespace {

void copy_top(const gxn::TopK& top, int64_t* out_index, float* out_score, int64_t* out_k) {
  std::copy(top.index.begin(), top.index.end(), out_index);
  std::copy(top.score.begin(), top.score.end(), out_score);
  *out_k = top.k;
}

}  // namespace

extern "C" {

int gxn_scorer_new_on(float lambda, int threads, const char* isa, const char* device, gxn_scorer** out) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    auto scorer = std::make_unique<gxn_scorer>();
    const int ordinal = gxn::capi::parse_device_name(device ? device : "cpu");
    if (ordinal < 0) {
      gxn::ScoreOptions options;
      options.lambda = lambda;
      options.threads = threads;
      options.isa = gxn::parse_isa(isa ? isa : "auto");
      scorer->cpu = std::make_unique<gxn::OrderScorer>(options);
    } else {
      gxn::CudaScoreOptions options;
      options.lambda = lambda;
      options.device = ordinal;
      scorer->gpu = std::make_unique<gxn::CudaOrderScorer>(options);
    }
    scorer->device = gxn::capi::device_name(ordinal);
    *out = scorer.release();
  });
}

int gxn_scorer_new(float lambda, int threads, const char* isa, gxn_scorer** out) {
  return gxn_scorer_new_on(lambda, threads, isa, "cpu", out);
}

void gxn_scorer_free(gxn_scorer* scorer) { delete scorer; }

const char* gxn_scorer_isa(const gxn_scorer* scorer) {
  if (!scorer) return "";
  return scorer->gpu ? "cuda" : gxn::isa_name(scorer->cpu->isa());
}

const char* gxn_scorer_device(const gxn_scorer* scorer) { return scorer ? scorer->device.c_str() : ""; }

int gxn_score_matrix(const gxn_scorer* scorer, const float* images, int64_t n_images, const float* texts,
                     int64_t n_texts, int64_t dim2, float* out) {
  return guard([&] {
    require(scorer, "scorer");
    require(out, "out");
    scorer->run([&](const auto& s) {
      s.score_matrix(gxn::MatrixView(images, n_images, dim2), gxn::MatrixView(texts, n_texts, dim2), out, n_texts);
    });
  });
}

int gxn_top_images(const gxn_scorer* scorer, const float* texts, int64_t n_texts, const float* images, int64_t n_images,
                   int64_t dim2, int64_t k, int64_t* out_index, float* out_score, int64_t* out_k) {
  return guard([&] {
    require(scorer, "scorer");
    require(out_index, "out_index");
    require(out_score, "out_score");
    require(out_k, "out_k");
    copy_top(scorer->run([&](const auto& s) {
      return s.top_images(gxn::MatrixView(texts, n_texts, dim2), gxn::MatrixView(images, n_images, dim2), k);
    }),
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
    copy_top(scorer->run([&](const auto& s) {
      return s.top_texts(gxn::MatrixView(images, n_images, dim2), gxn::MatrixView(texts, n_texts, dim2), k);
    }),
             out_index, out_score, out_k);
  });
}
}
