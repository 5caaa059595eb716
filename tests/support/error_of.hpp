#pragma once
// The message of the gxn::Error that `call` throws, or "no error": tests match on it. With
// `expected`, the error's code is checked too, and a call that throws nothing fails the test.
#include <catch2/catch.hpp>

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

template <class F>
std::string error_of(F&& call, gxn::ErrorCode expected) {
  try {
    std::forward<F>(call)();
  } catch (const gxn::Error& e) {
    CHECK(e.code() == expected);
    return e.what();
  }
  FAIL_CHECK("no gxn::Error thrown");
  return "no error";
}
