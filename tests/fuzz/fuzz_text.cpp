// The tokenizer and the caption readers on any bytes: tokens are valid UTF-8; the shapes
// caption parser and the caption metrics' tokens never fail.
#include <cstdint>
#include <string_view>

#include "gxn/engine/data/shape_captions.hpp"
#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::string& token : gxn::tokenize(text))
    if (!gxn::is_valid_utf8(token)) __builtin_trap();
  if (!gxn::is_valid_utf8(gxn::sanitize_utf8(text))) __builtin_trap();
  gxn::caption_metric_tokens(text);
  gxn::parse_shape_caption(std::string(text));
  return 0;
}
