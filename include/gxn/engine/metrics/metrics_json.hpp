#pragma once
// The metrics as JSON text, the one form every writer and reader of them shares (`gxn eval
// --json`, `gxn demo`'s metrics.json, a training checkpoint's record of its best epoch):
//   retrieval: {"i2t": {"r1", "r5", "r10", "medr", "meanr"}, "t2i": {...}, "rsum"}
//   captions:  {"bleu1", "bleu2", "bleu3", "bleu4", "cider"}
// Numbers are written so that reading them back gives the same doubles.
#include <string>

#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/engine/metrics/metrics.hpp"

namespace gxn {

std::string to_json(const RetrievalMetrics& metrics);
std::string to_json(const CaptionMetrics& metrics);

// gxn::Error(Format) naming `source` when `text` is not such an object.
RetrievalMetrics retrieval_metrics_from_json(const std::string& text, const std::string& source);

}  // namespace gxn
