#include <catch2/catch.hpp>

#include "gxn/engine/progress.hpp"

TEST_CASE("Durations read as a person would say them", "[progress]") {
  REQUIRE(gxn::format_duration(0) == "0s");
  REQUIRE(gxn::format_duration(12.4) == "12s");
  REQUIRE(gxn::format_duration(187) == "3m07s");
  REQUIRE(gxn::format_duration(3720) == "1h02m");
  REQUIRE(gxn::format_duration(-1) == "0s");
}

TEST_CASE("Progress stays silent when asked to be quiet", "[progress]") {
  gxn::Progress p("work", 10, /*quiet=*/true);
  REQUIRE_FALSE(p.visible());
  p.update(5, "note");  // must not draw (and must not crash) when invisible
  p.finish();
}
