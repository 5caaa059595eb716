#pragma once
// Private to gxn::report: text made safe for an HTML page.
#include <string>
#include <string_view>

namespace gxn {

// `text` safe inside HTML text and attribute values: & < > " ' as entities; invalid UTF-8
// replaced by U+FFFD (tokenizer.hpp's sanitize_utf8).
std::string html_escape(std::string_view text);

}  // namespace gxn
