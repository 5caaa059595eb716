// Metrics from embeddings: the score matrix through OrderScorer, then the protocol. Kept apart
// from metrics.cpp so that ranking score matrices needs nothing but the matrix.
#include "gxn/engine/metrics/metrics.hpp"

#include "gxn/error.hpp"

namespace gxn {

RetrievalMetrics evaluate_embeddings(const MatrixView& images, const MatrixView& texts, const ScoreOptions& options,
                                     EvalProtocol protocol) {
  check_view(images, "image embeddings");
  check_view(texts, "caption embeddings");
  if (images.cols != texts.cols || images.cols <= 0 || images.cols % 2 != 0)
    throw Error(ErrorCode::Shape, "embeddings: images have " + std::to_string(images.cols) + " columns, captions " +
                                      std::to_string(texts.cols) + "; both must be the same 2·D (x_h then x_l)");
  if (texts.rows != kCaptionsPerImage * images.rows)
    throw Error(ErrorCode::Shape, "embeddings: " + std::to_string(images.rows) + " images and " +
                                      std::to_string(texts.rows) + " captions; the protocol needs " +
                                      std::to_string(kCaptionsPerImage) + " captions per image");
  check_finite(images, "image embeddings");
  check_finite(texts, "caption embeddings");
  const OrderScorer scorer(options);

  if (protocol != EvalProtocol::Coco1k) return evaluate(scorer.score_matrix(images, texts), protocol);

  // COCO 1K: only the five diagonal 1000 × 5000 blocks are ever ranked, so only they are scored.
  constexpr std::int64_t fold = 1000;
  if (images.rows != 5 * fold)
    throw Error(ErrorCode::Shape, "protocol 1k5 needs the 5000 COCO test images (25000 captions); given " +
                                      std::to_string(images.rows) + " images (use protocol all for other sets)");
  std::vector<RetrievalMetrics> folds;
  for (std::int64_t first = 0; first < images.rows; first += fold) {
    const MatrixView fold_images(images.row(first), fold, images.cols, images.stride);
    const MatrixView fold_texts(texts.row(kCaptionsPerImage * first), kCaptionsPerImage * fold, texts.cols,
                                texts.stride);
    folds.push_back(evaluate_scores(scorer.score_matrix(fold_images, fold_texts)));
  }
  return average_metrics(folds);
}

}  // namespace gxn
