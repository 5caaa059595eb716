#pragma once
// The C API's device names, shared by the scorer and the index: "cpu", "cuda" (device 0) or
// "cuda:N".
#include <algorithm>
#include <string>

#include "gxn/error.hpp"

namespace gxn::capi {

// The CUDA device ordinal a name asks for, -1 for "cpu"; InvalidArgument for anything else.
inline int parse_device_name(const std::string& name) {
  if (name == "cpu") return -1;
  if (name == "cuda") return 0;
  const std::string prefix = "cuda:";
  const bool digits =
      name.size() > prefix.size() && name.size() <= prefix.size() + 4 && name.compare(0, prefix.size(), prefix) == 0 &&
      std::all_of(name.begin() + prefix.size(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits)
    throw gxn::Error(gxn::ErrorCode::InvalidArgument,
                     "device: expected \"cpu\", \"cuda\" or \"cuda:N\", got \"" + name + "\"");
  return std::stoi(name.substr(prefix.size()));
}

// The name of an ordinal as parse_device_name reads it back: "cpu" for -1, else "cuda:N".
inline std::string device_name(int ordinal) { return ordinal < 0 ? "cpu" : "cuda:" + std::to_string(ordinal); }

}  // namespace gxn::capi
