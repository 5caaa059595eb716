#include "gxn/engine/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "gxn/error.hpp"

namespace gxn {

namespace {

constexpr std::int64_t kCocoImages = 5000;
constexpr std::int64_t kCocoFoldImages = 1000;

void check_scores(const MatrixView& scores) {
  check_view(scores, "score matrix");
  if (scores.rows < 1 || scores.cols != kCaptionsPerImage * scores.rows)
    throw Error(ErrorCode::Shape,
                "score matrix: " + std::to_string(scores.rows) + " images × " + std::to_string(scores.cols) +
                    " captions; the protocol needs at least one image and " + std::to_string(kCaptionsPerImage) +
                    " captions per image (caption j belongs to image j/" + std::to_string(kCaptionsPerImage) + ")");
  check_finite(scores, "score matrix");
}

std::vector<std::int64_t> i2t_ranks(const MatrixView& s) {
  std::vector<std::int64_t> ranks(static_cast<std::size_t>(s.rows));
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < s.rows; ++i)
    ranks[static_cast<std::size_t>(i)] = rank_of(best_own_caption(s.row(i), i), s.row(i), s.cols);
  return ranks;
}

std::vector<std::int64_t> t2i_ranks(const MatrixView& s) {
  std::vector<std::int64_t> ranks(static_cast<std::size_t>(s.cols), 0);
  // Row-major friendly: each thread owns a band of captions and walks every image row, adding
  // rank_of's count image by image.
  constexpr std::int64_t band = 1024;
  const std::int64_t bands = (s.cols + band - 1) / band;
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < bands; ++b) {
    const std::int64_t j0 = b * band, j1 = std::min(s.cols, j0 + band);
    for (std::int64_t i = 0; i < s.rows; ++i) {
      const float* row = s.row(i);
      for (std::int64_t j = j0; j < j1; ++j)
        ranks[static_cast<std::size_t>(j)] += rank_of(s(j / kCaptionsPerImage, j), row + j, 1);
    }
  }
  return ranks;
}

RetrievalMetrics metrics_of(const MatrixView& s) {
  RetrievalMetrics m;
  m.i2t = summarize_ranks(i2t_ranks(s));
  m.t2i = summarize_ranks(t2i_ranks(s));
  m.rsum = m.i2t.r1 + m.i2t.r5 + m.i2t.r10 + m.t2i.r1 + m.t2i.r5 + m.t2i.r10;
  return m;
}

void require_coco_images(const MatrixView& scores, EvalProtocol protocol) {
  if (scores.rows != kCocoImages)
    throw Error(ErrorCode::Shape, std::string("protocol ") + protocol_name(protocol) + " needs the " +
                                      std::to_string(kCocoImages) + " COCO test images (" +
                                      std::to_string(kCaptionsPerImage * kCocoImages) +
                                      " captions); the score matrix has " + std::to_string(scores.rows) +
                                      " images (use --protocol all for other sets)");
}

}  // namespace

std::int64_t rank_of(float right_score, const float* scores, std::int64_t count, std::int64_t stride) {
  // Strictly higher: a candidate that ties the right one does not push it down.
  std::int64_t above = 0;
  for (std::int64_t i = 0; i < count; ++i) above += scores[i * stride] > right_score;
  return above;
}

float best_own_caption(const float* caption_scores, std::int64_t image) {
  return *std::max_element(caption_scores + kCaptionsPerImage * image,
                           caption_scores + kCaptionsPerImage * (image + 1));
}

EvalProtocol parse_protocol(const std::string& name) {
  if (name == "all") return EvalProtocol::All;
  if (name == "1k5") return EvalProtocol::Coco1k;
  if (name == "5k") return EvalProtocol::Coco5k;
  throw Error(ErrorCode::InvalidArgument, "protocol: unknown protocol '" + name + "' (expected all, 1k5 or 5k)");
}

const char* protocol_name(EvalProtocol protocol) {
  switch (protocol) {
    case EvalProtocol::All: return "all";
    case EvalProtocol::Coco1k: return "1k5";
    case EvalProtocol::Coco5k: return "5k";
  }
  return "?";
}

std::vector<std::int64_t> image_to_text_ranks(const MatrixView& scores) {
  check_scores(scores);
  return i2t_ranks(scores);
}

std::vector<std::int64_t> text_to_image_ranks(const MatrixView& scores) {
  check_scores(scores);
  return t2i_ranks(scores);
}

RankSummary summarize_ranks(const std::vector<std::int64_t>& ranks) {
  if (ranks.empty()) throw Error(ErrorCode::InvalidArgument, "ranks: no ranks to summarize");
  const auto n = static_cast<double>(ranks.size());
  auto recall = [&](std::int64_t k) {
    return 100.0 *
           static_cast<double>(std::count_if(ranks.begin(), ranks.end(), [k](std::int64_t r) { return r < k; })) / n;
  };
  std::vector<std::int64_t> sorted = ranks;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t mid = sorted.size() / 2;
  const double median =
      sorted.size() % 2 ? static_cast<double>(sorted[mid]) : 0.5 * static_cast<double>(sorted[mid - 1] + sorted[mid]);
  double total = 0;
  for (std::int64_t r : ranks) total += static_cast<double>(r);

  RankSummary s;
  s.r1 = recall(1);
  s.r5 = recall(5);
  s.r10 = recall(10);
  s.medr = std::floor(median) + 1;
  s.meanr = total / n + 1;
  return s;
}

RetrievalMetrics evaluate_scores(const MatrixView& scores) {
  check_scores(scores);
  return metrics_of(scores);
}

RetrievalMetrics evaluate_folds(const MatrixView& scores, std::int64_t fold_images) {
  check_scores(scores);
  if (fold_images < 1 || scores.rows % fold_images != 0)
    throw Error(ErrorCode::InvalidArgument, "folds: " + std::to_string(scores.rows) +
                                                " images do not split into folds of " + std::to_string(fold_images));
  std::vector<RetrievalMetrics> folds;
  for (std::int64_t first = 0; first < scores.rows; first += fold_images) {
    const MatrixView block(scores.row(first) + kCaptionsPerImage * first, fold_images, kCaptionsPerImage * fold_images,
                           scores.stride);
    folds.push_back(metrics_of(block));
  }
  return average_metrics(folds);
}

RetrievalMetrics average_metrics(const std::vector<RetrievalMetrics>& folds) {
  if (folds.empty()) throw Error(ErrorCode::InvalidArgument, "folds: no metrics to average");
  const auto n = static_cast<double>(folds.size());
  RetrievalMetrics mean;
  auto add = [n](RankSummary& to, const RankSummary& from) {
    to.r1 += from.r1 / n, to.r5 += from.r5 / n, to.r10 += from.r10 / n;
    to.medr += from.medr / n, to.meanr += from.meanr / n;
  };
  for (const RetrievalMetrics& m : folds) {
    add(mean.i2t, m.i2t);
    add(mean.t2i, m.t2i);
  }
  mean.rsum = mean.i2t.r1 + mean.i2t.r5 + mean.i2t.r10 + mean.t2i.r1 + mean.t2i.r5 + mean.t2i.r10;
  return mean;
}

RetrievalMetrics evaluate(const MatrixView& scores, EvalProtocol protocol) {
  switch (protocol) {
    case EvalProtocol::All: return evaluate_scores(scores);
    case EvalProtocol::Coco1k:
      check_view(scores, "score matrix");
      require_coco_images(scores, protocol);
      return evaluate_folds(scores, kCocoFoldImages);
    case EvalProtocol::Coco5k:
      check_view(scores, "score matrix");
      require_coco_images(scores, protocol);
      return evaluate_scores(scores);
  }
  throw Error(ErrorCode::InvalidArgument, "protocol: unknown protocol value");
}

}  // namespace gxn
