#include "config_fields.hpp"

#include <algorithm>

namespace gxn::detail {

std::string qualified(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

JsonReader::JsonReader(const nlohmann::json& object, std::string path, const std::string& source)
    : object_(object), path_(std::move(path)), source_(source) {
  if (!object_.is_object()) fail(path_.empty() ? "the top level" : path_, "must be a JSON object");
}

const nlohmann::json* JsonReader::take(const char* key) {
  auto it = object_.find(key);
  if (it == object_.end()) return nullptr;
  seen_[key] = true;
  return &*it;
}

void JsonReader::reject_unknown_keys() const {
  for (auto it = object_.begin(); it != object_.end(); ++it)
    if (!seen_.count(it.key())) fail(qualified(path_, it.key()), "is not a known key");
}

void JsonReader::fail(const std::string& name, const std::string& what) const {
  throw Error(ErrorCode::InvalidArgument, source_ + ": '" + name + "' " + what);
}

std::string KeyLister::text() const {
  std::size_t widths[4] = {3, 4, 7, 7};  // at least the headings
  for (const Line& l : lines) {
    widths[0] = std::max(widths[0], l.key.size());
    widths[1] = std::max(widths[1], l.type.size());
    widths[2] = std::max(widths[2], l.default_value.size());
    widths[3] = std::max(widths[3], l.allowed.size());
  }
  const auto pad = [](const std::string& s, std::size_t width) { return s + std::string(width - s.size() + 2, ' '); };
  std::string out = pad("key", widths[0]) + pad("type", widths[1]) + pad("default", widths[2]) +
                    pad("allowed", widths[3]) + "on resume\n";
  for (const Line& l : lines)
    out += pad(l.key, widths[0]) + pad(l.type, widths[1]) + pad(l.default_value, widths[2]) +
           pad(l.allowed, widths[3]) + (l.run_setting ? "may change" : "kept") + "\n";
  return out;
}

nlohmann::json parse_json(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number past double's range
    throw Error(ErrorCode::Format, source + ": not valid JSON (" + e.what() + ")");
  }
}

}  // namespace gxn::detail
