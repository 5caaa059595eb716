#pragma once
// How `gxn eval` shows its results, shared with the commands that evaluate too (`gxn demo`):
// the metrics as JSON or a table, and a model's report on a dataset split.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/engine/metrics/metrics.hpp"
#include "gxn/engine/metrics/metrics_json.hpp"
#include "gxn/model/encoded_split.hpp"
#include "gxn/report/retrieval_report.hpp"
#include "gxn/report/split_queries.hpp"

namespace gxn::cli {

// {"i2t": {r1, r5, r10, medr, meanr}, "t2i": {...}, "rsum", "protocol", "images", "captions"}:
// the `gxn eval --json` format (and DIR/metrics.json of `gxn demo`).
nlohmann::ordered_json metrics_json(const RetrievalMetrics& m, const std::string& protocol, std::int64_t images,
                                    std::int64_t captions);

// The `gxn eval` table on stdout: a line with the counts and protocol, then the table alone
// (as `gxn train` prints its best epoch's).
void print_metrics_table(const RetrievalMetrics& m, const std::string& protocol, std::int64_t images,
                         std::int64_t captions);
void print_metrics_table(const RetrievalMetrics& m);

// {"bleu1", "bleu2", "bleu3", "bleu4", "cider"}: the `gxn eval-captions --json` format.
nlohmann::ordered_json caption_metrics_json(const CaptionMetrics& m);

// The `gxn eval-captions` table on stdout.
void print_caption_metrics_table(const CaptionMetrics& m, std::int64_t hypotheses, std::int64_t references);

// What the generative paths produce on a split: the captions the model writes (with i2t) and
// what it imagines (with t2i, on shapes data), measured.
struct GenerationMeasures {
  std::optional<CaptionedSplit> captions;
  std::optional<ImaginedSplit> imagined;
  std::int64_t references = 0;  // the split's captions
  std::int64_t beam = 0;        // the captions' beam search width; 0: greedy
};
// `captions` / `imagine`: which to measure (each only when the model has the path); `beam` > 0
// decodes the captions by beam search with that many beams, 0 greedily.
GenerationMeasures measure_generation(const Encoder& encoder, const EvaluationSplit& split, bool captions, bool imagine,
                                      std::int64_t beam = 0);

// {"captioning": {bleu1..4, cider, captions, beam, distinct, own, at_length_limit, shapes:
// {precision, recall, f1, ...}}, "imagining": {captions, images, colour_at_place,
// background_elsewhere}}: what is measured.
nlohmann::ordered_json generation_json(const GenerationMeasures& g);
// The same as tables on stdout, and as (measure, value) rows for a report.
void print_generation(const GenerationMeasures& g);
std::vector<std::pair<std::string, std::string>> generation_rows(const GenerationMeasures& g);

// A report of `model` (its file name) on split `split` of `data`: facts, the metrics, what the
// generative paths produce (`generation`), and `queries` example queries per direction spread
// over the split, with their top-5 answers. Write it with write_retrieval_report; its queries
// can be printed as they are.
RetrievalReport model_report(const Encoder& encoder, const EncodedSplit& encoded, const RetrievalMetrics& m,
                             const std::string& protocol, const std::string& model, const std::string& data,
                             const std::string& split, std::int64_t queries, const GenerationMeasures& generation = {});

}  // namespace gxn::cli
