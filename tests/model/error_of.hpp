#pragma once
// The message of the gxn::Error that `call` throws, or "no error": tests match on it.
#include <string>
#include <utility>

#include "gxn/error.hpp"

template <class F>
std::string error_of(F&& call) {
  try {
    std::forward<F>(call)();
  } catch (const gxn::Error& e) {
    return e.what();
  }
  return "no error";
}
