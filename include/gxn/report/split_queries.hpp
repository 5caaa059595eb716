#pragma once
// Example queries for a report: a dataset split whose images and captions were encoded, ranked
// by s* in both directions, each answer marked right or wrong and the right one's rank given as
// the retrieval metrics count it (metrics.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/data/evaluation_split.hpp"
#include "gxn/engine/io/image.hpp"
#include "gxn/engine/matrix.hpp"
#include "gxn/engine/search/score.hpp"
#include "gxn/report/retrieval_report.hpp"

namespace gxn {

// A split as gxn eval sees it: N images and 5·N captions, caption j belonging to image j / 5,
// with their embeddings (N × 2D and 5N × 2D rows, x_h then x_l; see score.hpp).
struct ReportSplit {
  MatrixView images;
  MatrixView texts;
  std::vector<std::string> image_paths;  // N files, decoded for the thumbnails
  std::vector<std::string> image_names;  // N names shown; empty = image_paths
  std::vector<std::string> captions;     // 5·N
};

// Appends to `report` one text query per index in `caption_queries` (its top-k images) and one
// image query per index in `image_queries` (its top-k captions), ranked by s* under `score`,
// the right answers marked and the rank of the (first) right one recorded as the metrics
// count it (1 + the candidates scoring strictly higher). Only the images shown are decoded
// (errors name the file).
// Throws gxn::Error(Shape / InvalidArgument) for sizes that disagree or an index out of range.
void add_split_queries(RetrievalReport& report, const ReportSplit& split,
                       const std::vector<std::int64_t>& caption_queries, const std::vector<std::int64_t>& image_queries,
                       const ScoreOptions& score, std::int64_t k = 5, const ImageLimits& limits = {});

// `n` indices spread evenly over [0, count): i · count / n for i < n (all of them if n ≥ count).
// Deterministic example queries.
std::vector<std::int64_t> spread_indices(std::int64_t count, std::int64_t n);

// The split as a report answers example queries on it, from the split and the embedding rows
// of its images and captions (as encode_split gives them). gxn::Error for a split of
// precomputed features: a report shows images.
ReportSplit report_split(const EvaluationSplit& split, const MatrixView& images, const MatrixView& texts);

}  // namespace gxn
