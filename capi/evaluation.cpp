// The C API's evaluation: gxn::evaluate over a caller's score matrix.
#include "boundary.hpp"
#include "gxn/engine/metrics/metrics.hpp"

using gxn::capi::guard;
using gxn::capi::require;

static gxn_recall to_c(const gxn::RankSummary& s) { return {s.r1, s.r5, s.r10, s.medr, s.meanr}; }

extern "C" int gxn_evaluate_scores(const float* scores, int64_t n_images, int64_t n_captions, const char* protocol,
                                   gxn_retrieval_metrics* out) {
  return guard([&] {
    require(scores, "scores");
    require(out, "out");
    const gxn::RetrievalMetrics m =
        gxn::evaluate(gxn::MatrixView(scores, n_images, n_captions), gxn::parse_protocol(protocol ? protocol : "all"));
    *out = {to_c(m.i2t), to_c(m.t2i), m.rsum};
  });
}
