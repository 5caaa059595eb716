#include "gxn/engine/metrics/metrics_json.hpp"

#include <nlohmann/json.hpp>

#include "gxn/error.hpp"

namespace gxn {
namespace {

using nlohmann::ordered_json;

ordered_json to_value(const RankSummary& s) {
  return {{"r1", s.r1}, {"r5", s.r5}, {"r10", s.r10}, {"medr", s.medr}, {"meanr", s.meanr}};
}

RankSummary rank_summary_from(const ordered_json& j) {
  return {j.at("r1").get<double>(), j.at("r5").get<double>(), j.at("r10").get<double>(), j.at("medr").get<double>(),
          j.at("meanr").get<double>()};
}

}  // namespace

std::string to_json(const RetrievalMetrics& m) {
  return ordered_json{{"i2t", to_value(m.i2t)}, {"t2i", to_value(m.t2i)}, {"rsum", m.rsum}}.dump();
}

std::string to_json(const CaptionMetrics& m) {
  return ordered_json{
      {"bleu1", m.bleu1}, {"bleu2", m.bleu2}, {"bleu3", m.bleu3}, {"bleu4", m.bleu4}, {"cider", m.cider}}
      .dump();
}

RetrievalMetrics retrieval_metrics_from_json(const std::string& text, const std::string& source) {
  try {
    const ordered_json j = ordered_json::parse(text);
    RetrievalMetrics m;
    m.i2t = rank_summary_from(j.at("i2t"));
    m.t2i = rank_summary_from(j.at("t2i"));
    m.rsum = j.at("rsum").get<double>();
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::Format, source + ": not retrieval metrics (" + e.what() + ")");
  }
}

}  // namespace gxn
