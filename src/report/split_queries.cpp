#include "gxn/report/split_queries.hpp"

#include <algorithm>

#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/error.hpp"

namespace gxn {

std::vector<std::int64_t> spread_indices(std::int64_t count, std::int64_t n) {
  if (count < 0 || n < 0) throw Error(ErrorCode::InvalidArgument, "spread_indices: negative count");
  const std::int64_t m = std::min(count, n);
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(m));
  for (std::int64_t i = 0; i < m; ++i) out.push_back(i * count / m);
  return out;
}

void add_split_queries(RetrievalReport& report, const ReportSplit& split,
                       const std::vector<std::int64_t>& caption_queries, const std::vector<std::int64_t>& image_queries,
                       const ScoreOptions& score, std::int64_t k, const ImageLimits& limits) {
  check_view(split.images, "report images");
  check_view(split.texts, "report captions");
  const std::int64_t n = split.images.rows;
  const auto count = [](const auto& v) { return static_cast<std::int64_t>(v.size()); };
  if (n < 1 || split.texts.rows != kCaptionsPerImage * n || split.texts.cols != split.images.cols)
    throw Error(ErrorCode::Shape, "report: " + std::to_string(n) + " images × " + std::to_string(split.images.cols) +
                                      " and " + std::to_string(split.texts.rows) + " captions × " +
                                      std::to_string(split.texts.cols) +
                                      " embeddings; expected 5 captions per image of one width");
  if (count(split.image_paths) != n || count(split.captions) != kCaptionsPerImage * n ||
      (!split.image_names.empty() && count(split.image_names) != n))
    throw Error(ErrorCode::Shape, "report: " + std::to_string(split.image_paths.size()) + " image paths, " +
                                      std::to_string(split.image_names.size()) + " names and " +
                                      std::to_string(split.captions.size()) + " captions for " + std::to_string(n) +
                                      " images");
  if (k < 1) throw Error(ErrorCode::InvalidArgument, "report: k must be at least 1, got " + std::to_string(k));
  for (std::int64_t j : caption_queries)
    if (j < 0 || j >= split.texts.rows)
      throw Error(ErrorCode::InvalidArgument, "report: caption query " + std::to_string(j) + " is out of range");
  for (std::int64_t i : image_queries)
    if (i < 0 || i >= n)
      throw Error(ErrorCode::InvalidArgument, "report: image query " + std::to_string(i) + " is out of range");

  const auto name_of = [&](std::int64_t i) {
    return split.image_names.empty() ? split.image_paths[static_cast<std::size_t>(i)]
                                     : split.image_names[static_cast<std::size_t>(i)];
  };
  const OrderScorer scorer(score);
  const std::int64_t dim2 = split.images.cols;

  if (!caption_queries.empty()) {
    Matrix queries(count(caption_queries), dim2);
    for (std::size_t q = 0; q < caption_queries.size(); ++q)
      std::copy(split.texts.row(caption_queries[q]), split.texts.row(caption_queries[q]) + dim2,
                queries.row(static_cast<std::int64_t>(q)));
    const TopK top = scorer.top_images(queries, split.images, k);
    const Matrix all = scorer.score_matrix(split.images, queries);  // images × queries
    for (std::size_t q = 0; q < caption_queries.size(); ++q) {
      const std::int64_t j = caption_queries[q];
      TextQueryResult result;
      result.text = split.captions[static_cast<std::size_t>(j)];
      const std::int64_t right = j / kCaptionsPerImage, column = static_cast<std::int64_t>(q);
      result.right_rank = 1 + rank_of(all(right, column), all.row(0) + column, n, all.cols());
      for (std::int64_t r = 0; r < top.k; ++r) {
        const std::int64_t i = top.indices_of(static_cast<std::int64_t>(q))[r];
        result.images.push_back({name_of(i), decode_image_file(split.image_paths[static_cast<std::size_t>(i)], limits),
                                 top.scores_of(static_cast<std::int64_t>(q))[r], i == j / kCaptionsPerImage});
      }
      report.text_queries.push_back(std::move(result));
    }
  }
  if (!image_queries.empty()) {
    Matrix queries(count(image_queries), dim2);
    for (std::size_t q = 0; q < image_queries.size(); ++q)
      std::copy(split.images.row(image_queries[q]), split.images.row(image_queries[q]) + dim2,
                queries.row(static_cast<std::int64_t>(q)));
    const TopK top = scorer.top_texts(queries, split.texts, k);
    const Matrix all = scorer.score_matrix(queries, split.texts);  // queries × captions
    for (std::size_t q = 0; q < image_queries.size(); ++q) {
      const std::int64_t i = image_queries[q];
      ImageQueryResult result;
      result.name = name_of(i);
      result.image = decode_image_file(split.image_paths[static_cast<std::size_t>(i)], limits);
      const std::int64_t row = static_cast<std::int64_t>(q);
      result.right_rank = 1 + rank_of(best_own_caption(all.row(row), i), all.row(row), split.texts.rows);
      for (std::int64_t r = 0; r < top.k; ++r) {
        const std::int64_t j = top.indices_of(static_cast<std::int64_t>(q))[r];
        result.captions.push_back({split.captions[static_cast<std::size_t>(j)],
                                   top.scores_of(static_cast<std::int64_t>(q))[r], j / kCaptionsPerImage == i});
      }
      report.image_queries.push_back(std::move(result));
    }
  }
}

ReportSplit report_split(const EvaluationSplit& split, const MatrixView& images, const MatrixView& texts) {
  if (split.precomputed)
    throw Error(ErrorCode::InvalidArgument,
                split.source + ": a report shows images; this split holds precomputed features");
  ReportSplit r;
  r.images = images;
  r.texts = texts;
  r.image_paths = split.image_paths;
  r.image_names = split.image_names;
  r.captions = split.captions;
  return r;
}

}  // namespace gxn
