#pragma once
// Test check: two models hold bit-identical parameters and buffers.
#include <catch2/catch.hpp>

#include "gxn/model/gxn_model.hpp"

inline void require_same_parameters(gxn::GxnModel& a, gxn::GxnModel& b) {
  const auto pa = a->named_parameters(), pb = b->named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (const auto& p : pa) {
    INFO(p.key());
    REQUIRE(torch::equal(p.value(), pb[p.key()]));
  }
  const auto ba = a->named_buffers(), bb = b->named_buffers();
  for (const auto& buf : ba) {
    INFO(buf.key());
    REQUIRE(torch::equal(buf.value(), bb[buf.key()]));
  }
}
