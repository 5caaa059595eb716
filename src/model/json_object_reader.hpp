#pragma once
// Internal to gxn::model: reading config JSON objects field by field, so that a misspelt key,
// a wrong type or an out-of-range value is an error naming the file and the key's full path
// ("model.text.word_dim"). Shared by ModelConfig and TrainConfig.
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <type_traits>

#include "gxn/error.hpp"
#include "gxn/model/config.hpp"

namespace gxn::detail {

// gxn::Error(InvalidArgument) "FIELD = VALUE is out of range: allowed LO..HI" unless lo <= value <= hi.
inline void check_range(const std::string& field, std::int64_t value, std::int64_t lo, std::int64_t hi) {
  if (value < lo || value > hi)
    throw Error(ErrorCode::InvalidArgument, field + " = " + std::to_string(value) + " is out of range: allowed " +
                                                std::to_string(lo) + ".." + std::to_string(hi));
}

inline void check_range(const std::string& field, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi)) {  // also false for NaN
    std::ostringstream os;
    os << field << " = " << value << " is out of range: allowed " << lo << ".." << hi;
    throw Error(ErrorCode::InvalidArgument, os.str());
  }
}

// Reads a JSON object field by field; every key must be consumed, so a misspelt one is caught.
class ObjectReader {
 public:
  // `path`: where the object sits ("" for the top level, "model.text" for a nested one);
  // `source`: the file name (or where the text came from) that starts every message.
  ObjectReader(const nlohmann::json& object, std::string path, const std::string& source)
      : object_(object), path_(std::move(path)), source_(source) {
    if (!object_.is_object()) fail(path_.empty() ? "the top level" : path_, "must be a JSON object");
  }

  // Reads `key` into `out` if present (missing keys keep their value), checking its JSON type.
  template <typename T>
  void read(const char* key, T& out) {
    auto it = object_.find(key);
    if (it == object_.end()) return;
    seen_[key] = true;
    const std::string name = qualified(key);
    if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) fail(name, "must be true or false");
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
      if (!it->is_number_unsigned()) fail(name, "must be a non-negative integer");
    } else if constexpr (std::is_integral_v<T>) {
      if (!it->is_number_integer()) fail(name, "must be an integer");
      const auto value = it->get<std::int64_t>();
      if (value < std::numeric_limits<T>::min() || value > std::numeric_limits<T>::max())
        fail(name, "is out of range: " + std::to_string(value));
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!it->is_number()) fail(name, "must be a number");
    } else {
      if (!it->is_string()) fail(name, "must be a string");
    }
    out = it->get<T>();
  }

  // The nested object at `key`, or nullptr when absent.
  const nlohmann::json* object(const char* key) {
    auto it = object_.find(key);
    if (it == object_.end()) return nullptr;
    seen_[key] = true;
    return &*it;
  }

  bool has(const char* key) const { return object_.contains(key); }

  void reject_unknown_keys() const {
    for (auto it = object_.begin(); it != object_.end(); ++it)
      if (!seen_.count(it.key())) fail(qualified(it.key()), "is not a known key");
  }

  std::string qualified(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  [[noreturn]] void fail(const std::string& name, const std::string& what) const {
    throw Error(ErrorCode::InvalidArgument, source_ + ": '" + name + "' " + what);
  }

 private:
  const nlohmann::json& object_;
  std::string path_;
  const std::string& source_;
  std::map<std::string, bool> seen_;
};

// Parses JSON text; gxn::Error(Format) naming `source` when it is not valid JSON.
inline nlohmann::json parse_json(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::Format, source + ": not valid JSON (" + e.what() + ")");
  }
}

// The ModelConfig JSON object (see config.hpp) as a value, and read back from one that sits at
// `path` ("" at the top level, "model" nested in a training config) of `source`.
nlohmann::json model_config_to_json_value(const ModelConfig& config);
ModelConfig model_config_from_json_value(const nlohmann::json& value, const std::string& path,
                                         const std::string& source);

}  // namespace gxn::detail
