#pragma once
// Private to gxn::model: each config field is stated once, in a describe() function that names
// its JSON key, the member it lives in and what it allows. The visitors here drive JSON reading
// and writing, validation and the key listing from those descriptions:
//
//   template <class C, class F> Describes<C, Config> describe(C& c, F& f) {  // Config, const Config
//     f(field("batch_size", c.batch_size).range(2, 65536));
//     f.object("model", c.model);                              // a nested object, its own describe()
//   }
//
// A field's JSON type follows its C++ type: bool, integer, number, string, an enum (by the
// names EnumNames<E> lists), std::optional<enum> (absent = "auto") or TrainingPaths.
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>

#include "gxn/error.hpp"
#include "gxn/model/config.hpp"
#include "gxn/model/train_config.hpp"

namespace gxn::detail {

// ---- Enums by name --------------------------------------------------------------------------

// Specialised for each enum a config holds: `what` names it in messages, `values` lists its
// values in the order messages list their names (to_string gives each name).
template <typename E>
struct EnumNames;

template <>
struct EnumNames<Backbone> {
  static constexpr const char* what = "image backbone";
  static constexpr std::array values = {Backbone::Precomp, Backbone::CnnSmall, Backbone::ResNet152, Backbone::Vgg19,
                                        Backbone::TorchScript};
};

template <>
struct EnumNames<RegionPooling> {
  static constexpr const char* what = "region pooling";
  static constexpr std::array values = {RegionPooling::Mean, RegionPooling::Max};
};

template <>
struct EnumNames<DataKind> {
  static constexpr const char* what = "data kind";
  static constexpr std::array values = {DataKind::Precomp, DataKind::Images};
};

template <>
struct EnumNames<BatchSampling> {
  static constexpr const char* what = "sampling";
  static constexpr std::array values = {BatchSampling::Captions, BatchSampling::Images};
};

template <>
struct EnumNames<CaptionRewardKind> {
  static constexpr const char* what = "reward";
  static constexpr std::array values = {CaptionRewardKind::CiderD, CaptionRewardKind::Bleu4};
};

// "a, b, c": the names of an enum's values.
template <typename E>
std::string enum_names() {
  std::string names;
  for (E v : EnumNames<E>::values) names += (names.empty() ? "" : ", ") + std::string(to_string(v));
  return names;
}

// The value called `name`; gxn::Error(InvalidArgument) listing the names otherwise.
template <typename E>
E parse_enum(const std::string& name) {
  for (E v : EnumNames<E>::values)
    if (name == to_string(v)) return v;
  throw Error(ErrorCode::InvalidArgument,
              std::string("unknown ") + EnumNames<E>::what + " '" + name + "': allowed " + enum_names<E>());
}

template <typename T, typename = void>
struct IsNamedEnum : std::false_type {};
template <typename T>
struct IsNamedEnum<T, std::void_t<decltype(EnumNames<T>::values)>> : std::true_type {};

template <typename T>
struct IsOptionalEnum : std::false_type {};
template <typename E>
struct IsOptionalEnum<std::optional<E>> : IsNamedEnum<E> {};

// ---- Fields ---------------------------------------------------------------------------------

// One field: its key, the member, and what it allows. T may be const (describing a const config).
template <typename T>
struct Field {
  using Value = std::remove_const_t<T>;
  static constexpr bool kNumber = std::is_arithmetic_v<Value> && !std::is_same_v<Value, bool>;

  Field(const char* k, T& v) : key(k), value(v) {}

  const char* key;
  T& value;
  // Allowed values of a number: lo <= value <= hi, or lo < value <= hi with above_zero; 0 also
  // with or_zero (for "off").
  bool has_range = false, open_below = false, zero_allowed = false;
  double lo = 0, hi = 0;
  // A string's allowed values (e.g. a device name), and the text that lists them.
  bool (*allowed)(const std::string&) = nullptr;
  const char* allowed_text = "";
  bool checked = true;  // validated (false: the field is not used, e.g. its path is not trained)
  bool present = true;  // a key of the config (false: refused when read, left out when written)
  std::string absent_why;
  bool initial_file = false;  // a file read to initialise weights: a resumed run may change it

  Field& range(double low, double high) { return has_range = true, lo = low, hi = high, *this; }
  Field& above_zero(double high) { return has_range = open_below = true, lo = 0, hi = high, *this; }
  Field& or_zero() { return zero_allowed = true, *this; }
  Field& one_of(bool (*is_allowed)(const std::string&), const char* text) {
    return allowed = is_allowed, allowed_text = text, *this;
  }
  Field& checked_if(bool on) { return checked = checked && on, *this; }
  Field& only_if(bool on, std::string why) { return present = on, absent_why = std::move(why), *this; }
  Field& initial_weights() { return initial_file = true, *this; }
};

template <typename T>
Field<T> field(const char* key, T& value) {
  return Field<T>(key, value);
}

// What a number field allows, in words: "2..65536", "above 0, up to 10", "0 or 3..100000".
template <typename T>
std::string range_text(const Field<T>& f) {
  std::ostringstream os;
  const auto number = [&](double v) {
    if constexpr (std::is_integral_v<typename Field<T>::Value>)
      os << static_cast<long long>(v);
    else
      os << v;
  };
  if (f.zero_allowed) os << "0 or ";
  if (f.open_below)
    os << "above ", number(f.lo), os << ", up to ", number(f.hi);
  else
    number(f.lo), os << "..", number(f.hi);
  return os.str();
}

// gxn::Error(InvalidArgument) "NAME = VALUE is out of range: allowed ..." unless the field's
// rules hold.
template <typename T>
void check_field(const Field<T>& f, const std::string& name) {
  using V = typename Field<T>::Value;
  if constexpr (Field<T>::kNumber) {
    if (!f.has_range) return;
    const auto v = static_cast<double>(f.value);
    if (f.zero_allowed && v == 0) return;
    const bool ok = f.open_below ? (v > f.lo && v <= f.hi) : (v >= f.lo && v <= f.hi);  // false for NaN
    if (ok) return;
    std::ostringstream os;
    os << name << " = " << f.value << " is out of range: allowed " << range_text(f);
    throw Error(ErrorCode::InvalidArgument, os.str());
  } else if constexpr (std::is_same_v<V, std::string>) {
    if (f.allowed && !f.allowed(f.value))
      throw Error(ErrorCode::InvalidArgument, name + " = '" + f.value + "' is not allowed: allowed " + f.allowed_text);
  }
}

// A field's value as JSON, and its type and allowed values in words (for the key listing).
template <typename V>
nlohmann::json json_value(const V& v) {
  if constexpr (IsNamedEnum<V>::value)
    return to_string(v);
  else if constexpr (IsOptionalEnum<V>::value)
    return v ? to_string(*v) : "auto";
  else if constexpr (std::is_same_v<V, TrainingPaths>)
    return to_string(v);
  else
    return v;
}

// ---- Describing -----------------------------------------------------------------------------

// The return type of describe(C& c, F& f) for a config type T, describing T and const T alike.
template <typename C, typename T>
using Describes = std::enable_if_t<std::is_same_v<std::remove_const_t<C>, T>>;

// The model config's fields (config.cpp); a train config nests it under "model".
template <typename C, typename F>
Describes<C, ModelConfig> describe(C& c, F& f);

// ---- Visitors -------------------------------------------------------------------------------

std::string qualified(const std::string& path, const std::string& key);

// Writes fields into a JSON object. Without run settings and initial-weights files it gives
// the part of a config that fixes a training run's trajectory (what a resume must keep).
class JsonWriter {
 public:
  explicit JsonWriter(bool trajectory_only = false) : trajectory_only_(trajectory_only) {}
  template <typename T>
  void operator()(const Field<T>& f) {
    if (!f.present || (trajectory_only_ && f.initial_file)) return;
    out[f.key] = json_value(f.value);
  }
  template <typename S>
  void object(const char* key, S& sub, bool = true) {
    JsonWriter inner(trajectory_only_);
    describe(sub, inner);
    out[key] = std::move(inner.out);
  }
  template <typename S>
  void run_settings(S& run) {
    if (!trajectory_only_) describe(run, *this);
  }
  nlohmann::json out = nlohmann::json::object();

 private:
  bool trajectory_only_;
};

// Reads fields from a JSON object, checking each key's JSON type; keys it does not know are
// refused (reject_unknown_keys). Missing keys keep the config's values. Errors name `source`
// and the key's full path ("model.text.word_dim").
class JsonReader {
 public:
  // `object` and `source` must outlive the reader.
  JsonReader(const nlohmann::json& object, std::string path, const std::string& source);
  JsonReader(nlohmann::json&&, std::string, const std::string&) = delete;

  template <typename T>
  void operator()(const Field<T>& f) {
    using V = typename Field<T>::Value;
    const nlohmann::json* v = take(f.key);
    if (!v) return;
    const std::string name = qualified(path_, f.key);
    if (!f.present) fail(name, f.absent_why);
    if constexpr (std::is_same_v<V, bool>) {
      if (!v->is_boolean()) fail(name, "must be true or false");
      f.value = v->get<bool>();
    } else if constexpr (std::is_integral_v<V> && std::is_unsigned_v<V>) {
      if (!v->is_number_unsigned()) fail(name, "must be a non-negative integer");
      f.value = v->get<V>();
    } else if constexpr (std::is_integral_v<V>) {
      if (!v->is_number_integer()) fail(name, "must be an integer");
      const auto n = v->get<std::int64_t>();
      if (n < std::numeric_limits<V>::min() || n > std::numeric_limits<V>::max())
        fail(name, "is out of range: " + std::to_string(n));
      f.value = static_cast<V>(n);
    } else if constexpr (std::is_floating_point_v<V>) {
      if (!v->is_number()) fail(name, "must be a number");
      f.value = v->get<V>();
    } else {
      if (!v->is_string()) fail(name, "must be a string");
      const std::string text = v->get<std::string>();
      try {
        f.value = from_text<V>(text);
      } catch (const Error& e) {
        fail(name, std::string("is not valid: ") + e.what());
      }
    }
  }

  template <typename S>
  void object(const char* key, S& sub, bool = true) {
    const nlohmann::json* v = take(key);
    if (!v) return;
    JsonReader inner(*v, qualified(path_, key), source_);
    describe(sub, inner);
    inner.reject_unknown_keys();
  }
  template <typename S>
  void run_settings(S& run) {
    describe(run, *this);
  }

  void reject_unknown_keys() const;
  [[noreturn]] void fail(const std::string& name, const std::string& what) const;

 private:
  template <typename V>
  static V from_text(const std::string& text) {
    if constexpr (IsNamedEnum<V>::value) {
      return parse_enum<V>(text);
    } else if constexpr (IsOptionalEnum<V>::value) {
      using E = typename V::value_type;
      if (text == "auto") return std::nullopt;
      for (E e : EnumNames<E>::values)
        if (text == to_string(e)) return e;
      throw Error(ErrorCode::InvalidArgument, std::string("unknown ") + EnumNames<E>::what + " '" + text +
                                                  "': allowed " + enum_names<E>() + ", auto");
    } else if constexpr (std::is_same_v<V, TrainingPaths>) {
      return parse_training_paths(text);
    } else {
      return text;
    }
  }
  const nlohmann::json* take(const char* key);

  const nlohmann::json& object_;
  std::string path_;
  const std::string& source_;
  std::map<std::string, bool> seen_;
};

// Checks every field's rules; gxn::Error(InvalidArgument) naming the first field at fault by its
// path ("model.text.word_dim").
class FieldValidator {
 public:
  explicit FieldValidator(std::string path = "") : path_(std::move(path)) {}
  template <typename T>
  void operator()(const Field<T>& f) {
    if (f.present && f.checked) check_field(f, qualified(path_, f.key));
  }
  template <typename S>
  void object(const char* key, S& sub, bool checked = true) {
    if (!checked) return;
    FieldValidator inner(qualified(path_, key));
    describe(sub, inner);
  }
  template <typename S>
  void run_settings(S& run) {
    describe(run, *this);
  }

 private:
  std::string path_;
};

// Lists the keys, one per line: "model.text.word_dim  integer  300  1..65536", run settings
// (which a resumed run may change) marked.
class KeyLister {
 public:
  explicit KeyLister(std::string path = "") : path_(std::move(path)) {}
  template <typename T>
  void operator()(const Field<T>& f) {
    using V = typename Field<T>::Value;
    std::string type, allowed;
    if constexpr (std::is_same_v<V, bool>)
      type = "true|false";
    else if constexpr (std::is_integral_v<V>)
      type = "integer";
    else if constexpr (std::is_floating_point_v<V>)
      type = "number";
    else if constexpr (IsNamedEnum<V>::value)
      type = "one of " + enum_names<V>();
    else if constexpr (IsOptionalEnum<V>::value)
      type = "one of " + enum_names<typename V::value_type>() + ", auto";
    else if constexpr (std::is_same_v<V, TrainingPaths>)
      type = "comma-separated embedding, i2t, t2i";
    else
      type = "string";
    if constexpr (Field<T>::kNumber) {
      if (f.has_range) allowed = range_text(f);
    } else if constexpr (std::is_same_v<V, std::string>) {
      allowed = f.allowed_text;
    }
    lines.push_back({qualified(path_, f.key), type, json_value(f.value).dump(), allowed, f.initial_file});
  }
  template <typename S>
  void object(const char* key, S& sub, bool = true) {
    KeyLister inner(qualified(path_, key));
    describe(sub, inner);
    lines.insert(lines.end(), inner.lines.begin(), inner.lines.end());
  }
  template <typename S>
  void run_settings(S& run) {
    const std::size_t first = lines.size();
    describe(run, *this);
    for (std::size_t i = first; i < lines.size(); ++i) lines[i].run_setting = true;
  }

  struct Line {
    std::string key, type, default_value, allowed;
    bool run_setting;
  };
  std::vector<Line> lines;
  std::string text() const;  // aligned columns

 private:
  std::string path_;
};

// Parses JSON text; gxn::Error(Format) naming `source` when it is not valid JSON.
nlohmann::json parse_json(const std::string& text, const std::string& source);

// A config as JSON text, and read back from it: every key checked, then validate(config), with
// `source` at the head of every message.
template <typename Config>
std::string config_to_json(const Config& config, int indent) {
  JsonWriter writer;
  describe(config, writer);
  return writer.out.dump(indent);
}

template <typename Config>
Config config_from_json(const std::string& text, const std::string& source) {
  Config config;
  const nlohmann::json json = parse_json(text, source);
  JsonReader reader(json, "", source);
  describe(config, reader);
  reader.reject_unknown_keys();
  try {
    validate(config);
  } catch (const Error& e) {
    throw Error(e.code(), source + ": " + e.what());
  }
  return config;
}

}  // namespace gxn::detail
