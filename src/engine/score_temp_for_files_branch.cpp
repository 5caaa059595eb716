// TEMPORARY, for the `files` branch only: a plain definition of the scorer functions that
// metrics and the index call, so this branch links and its tests run. The real ones come from
// the `scorer` branch; DELETE THIS FILE when merging (duplicate symbols otherwise).
#include "gxn/engine/score.hpp"

#include <algorithm>

namespace gxn {

float order_violation(const float* t, const float* v, std::int64_t dim) {
  float sum = 0.0f;
  for (std::int64_t d = 0; d < dim; ++d) {
    const float gap = std::max(0.0f, v[d] - t[d]);
    sum += gap * gap;
  }
  return -sum;
}

OrderScorer::OrderScorer(ScoreOptions options) : options_(options), isa_(Isa::Portable) {}

float OrderScorer::score(const float* t, const float* v, std::int64_t dim2) const {
  const std::int64_t d = dim2 / 2;
  return options_.lambda * order_violation(t, v, d) + (1.0f - options_.lambda) * order_violation(t + d, v + d, d);
}

void OrderScorer::score_matrix(const MatrixView& images, const MatrixView& texts, float* out,
                               std::int64_t out_stride) const {
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < images.rows; ++i)
    for (std::int64_t j = 0; j < texts.rows; ++j) out[i * out_stride + j] = score(texts.row(j), images.row(i), images.cols);
}

Matrix OrderScorer::score_matrix(const MatrixView& images, const MatrixView& texts) const {
  Matrix out(images.rows, texts.rows);
  score_matrix(images, texts, out.data(), texts.rows);
  return out;
}

}  // namespace gxn
