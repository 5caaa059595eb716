#pragma once
// The order-violation similarity (the retrieval hot path).
//
//   s(t, v)  = -|| max(0, v - t) ||^2            (v an image embedding, t a caption embedding)
//   s*(t, v) = lambda * s(t_h, v_h) + (1 - lambda) * s(t_l, v_l)
//
// Embeddings are rows of 2·D floats: the abstract part x_h then the grounded part x_l (the
// (N, 2, D) embeddings file, viewed as N × 2D). Scores are <= 0; higher is more similar.
//
// The matrix and top-k calls run a fused, cache-blocked kernel for the instruction set chosen at
// run time, on OpenMP threads. They check their input first and throw gxn::Error naming the
// argument: malformed views (Shape), rows of different or odd length (Shape), NaN/Inf (NonFinite),
// k < 1 (InvalidArgument). Results do not depend on the number of threads. One OrderScorer may be
// used from several threads at once.
#include <cstdint>

#include "gxn/engine/cpu.hpp"
#include "gxn/engine/matrix.hpp"
#include "gxn/engine/search/topk.hpp"

namespace gxn {

// s(t, v) over `dim` floats, in float accumulation (portable code; for single pairs).
float order_violation(const float* t, const float* v, std::int64_t dim);

struct ScoreOptions {
  float lambda = 0.5f;  // weight of the abstract part, in [0, 1]
  int threads = 0;      // OpenMP threads; 0 = OpenMP's default (OMP_NUM_THREADS or all cores)
  Isa isa = Isa::Auto;  // kernel instruction set; Auto = the best this CPU has
  // Top-k on a CPU with AVX-512 VNNI (and isa AVX-512), for 1,000+ queries, 16K+ candidates and
  // k ≤ 1/16 of them: a 16-bit integer pass first rules out the candidates its error bounds prove cannot be
  // in the top-k, and only the rest are scored in fp32. The results are the fp32 path's, bit for
  // bit (where the bounds rule out too few, as with many equal scores, the fp32 path runs).
  bool certified_int16 = true;
};

class OrderScorer {
 public:
  // Throws gxn::Error: InvalidArgument for lambda outside [0, 1] or threads < 0, Unsupported
  // when options.isa names an instruction set this CPU (or OS) does not support.
  explicit OrderScorer(ScoreOptions options = {});

  const ScoreOptions& options() const { return options_; }
  Isa isa() const { return isa_; }  // the instruction set actually used

  // s*(t, v) for one caption row t and one image row v of `dim2` = 2·D floats.
  float score(const float* t, const float* v, std::int64_t dim2) const;

  // The full images × texts matrix: out(i, j) = s*(texts[j], images[i]), written to `out`
  // (images.rows × texts.rows floats, row stride out_stride >= texts.rows).
  void score_matrix(const MatrixView& images, const MatrixView& texts, float* out, std::int64_t out_stride) const;
  Matrix score_matrix(const MatrixView& images, const MatrixView& texts) const;

  // Top-k without materialising the full matrix (memory O(queries × k), fit for millions):
  // the k best images for every caption, and the k best captions for every image. Each row is
  // sorted best first, equal scores by lower index; k >= the number of candidates returns all.
  // Scores are those score_matrix gives, bit for bit.
  TopK top_images(const MatrixView& texts, const MatrixView& images, std::int64_t k) const;
  TopK top_texts(const MatrixView& images, const MatrixView& texts, std::int64_t k) const;

 private:
  ScoreOptions options_;
  Isa isa_;
};

}  // namespace gxn
