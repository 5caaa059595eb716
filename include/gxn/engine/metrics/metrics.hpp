#pragma once
// Cross-modal retrieval metrics, the VSE++ protocol.
//
// A score matrix S is images × captions, higher = more similar, with 5 captions per image:
// caption j belongs to image j / 5. Ranks count from 0:
//   image→text (i2t) rank of image i = the best (lowest) rank among its 5 captions;
//   text→image (t2i) rank of caption j = the rank of image j / 5 among all images.
// Ties: a rank is the number of candidates scoring strictly higher than the true one, so a
// candidate that ties the true one does not push it down (the true item wins ties).
// R@K = 100 · (fraction of ranks < K) for K = 1, 5, 10; medr = floor(median) + 1, with the
// median of an even count being the mean of the two middle ranks (numpy's); meanr = mean + 1;
// rsum = the six recalls added.
// Protocols: "all" (the whole matrix), "1k5" (COCO 1K: the mean over five folds of 1000
// images / 5000 captions, the diagonal blocks of a 5000-image matrix) and "5k" (the whole of
// a 5000-image matrix).
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/data/captions_per_image.hpp"
#include "gxn/engine/matrix.hpp"
#include "gxn/engine/search/score.hpp"

namespace gxn {

enum class EvalProtocol { All, Coco1k, Coco5k };

// "all", "1k5", "5k"; throws gxn::Error(InvalidArgument) naming the value otherwise.
EvalProtocol parse_protocol(const std::string& name);
const char* protocol_name(EvalProtocol protocol);

struct RankSummary {
  double r1 = 0, r5 = 0, r10 = 0;  // percent
  double medr = 0, meanr = 0;      // 1-based
};

struct RetrievalMetrics {
  RankSummary i2t, t2i;
  double rsum = 0;
};

// The rank rule, for one query (0-based): how many of `count` candidate scores, `stride`
// floats apart, are strictly higher than the right answer's score.
std::int64_t rank_of(float right_score, const float* scores, std::int64_t count, std::int64_t stride = 1);
// The right answer's score of image query `image` over all captions' scores: its best own caption.
float best_own_caption(const float* caption_scores, std::int64_t image);

// The per-query ranks of a score matrix (checked: captions = 5 × images ≥ 5, all finite).
std::vector<std::int64_t> image_to_text_ranks(const MatrixView& scores);
std::vector<std::int64_t> text_to_image_ranks(const MatrixView& scores);

// R@1/5/10, medr, meanr of a non-empty list of 0-based ranks.
RankSummary summarize_ranks(const std::vector<std::int64_t>& ranks);

// The metrics of the whole matrix ("all").
RetrievalMetrics evaluate_scores(const MatrixView& scores);

// The mean of the metrics of consecutive folds of `fold_images` images (and their
// 5 · fold_images captions): the diagonal blocks of `scores`. The image count must be a
// multiple of fold_images. "1k5" is this with fold_images = 1000 on 5000 images.
RetrievalMetrics evaluate_folds(const MatrixView& scores, std::int64_t fold_images);

// The mean of each figure over folds (rsum recomputed from the mean recalls), as VSE++ does.
RetrievalMetrics average_metrics(const std::vector<RetrievalMetrics>& folds);

// The metrics under `protocol`; "1k5" and "5k" require exactly 5000 images.
RetrievalMetrics evaluate(const MatrixView& scores, EvalProtocol protocol);

// From embeddings (N × 2D rows, x_h then x_l; see score.hpp): scores through OrderScorer with
// `options` (λ, threads, instruction set), then evaluate(). "1k5" scores only the five
// diagonal blocks; "all" and "5k" hold the whole images × captions matrix in memory
// (5000 × 25000 floats = 500 MB for COCO 5K). Implemented in metrics_embeddings.cpp.
RetrievalMetrics evaluate_embeddings(const MatrixView& images, const MatrixView& texts, const ScoreOptions& options,
                                     EvalProtocol protocol);

}  // namespace gxn
