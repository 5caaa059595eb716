// Caption metrics on any captions: the input's lines are a hypothesis and its references
// (split at '|'); BLEU and CIDEr-D are finite and in range, or the input is refused.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<gxn::Tokens> hypotheses;
  std::vector<std::vector<gxn::Tokens>> references;
  std::size_t start = 0;
  while (start <= text.size() && hypotheses.size() < 64) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    const std::size_t bar = line.find('|');
    hypotheses.push_back(gxn::caption_metric_tokens(line.substr(0, bar)));
    references.emplace_back();
    for (std::size_t at = bar; at != std::string::npos && at < line.size();) {
      const std::size_t next = line.find('|', at + 1);
      references.back().push_back(gxn::caption_metric_tokens(line.substr(at + 1, next - at - 1)));
      at = next;
    }
    start = end + 1;
  }
  try {
    const gxn::CaptionMetrics m = gxn::evaluate_captions(hypotheses, references);
    if (!std::isfinite(m.cider) || m.cider < 0) __builtin_trap();
  } catch (const gxn::Error&) {
  }
  return 0;
}
