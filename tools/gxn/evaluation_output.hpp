#pragma once
// What `gxn eval` and `gxn demo` show of an evaluation: the metrics as a table or as the JSON
// `gxn eval --json` prints, and the HTML report of a model on a dataset split.
#include <nlohmann/json.hpp>
#include <string>

#include "gxn/engine/metrics.hpp"
#include "gxn/engine/retrieval_report.hpp"
#include "gxn/model/encoded_split.hpp"
#include "gxn/model/encoder.hpp"

namespace gxn::cli {

// {"i2t": {r1 r5 r10 medr meanr}, "t2i": {...}, "rsum", "protocol", "images", "captions"}.
nlohmann::ordered_json metrics_json(const RetrievalMetrics& m, const std::string& protocol, std::int64_t images,
                                    std::int64_t captions);

void print_metrics_table(const RetrievalMetrics& m, const std::string& protocol, std::int64_t images,
                         std::int64_t captions);

// The report of `encoder`'s model (named `model_name`) on the split `split_name` of `data`:
// facts, metrics, and `queries` example queries each way (top-5, right answers marked).
RetrievalReport split_report(const std::string& model_name, const std::string& data, const std::string& split_name,
                             const std::string& protocol, const Encoder& encoder, const EncodedSplit& split,
                             const RetrievalMetrics& m, std::int64_t queries);

}  // namespace gxn::cli
