#include <catch2/catch.hpp>
#include <cmath>

#include "gxn/engine/matrix.hpp"

TEST_CASE("Matrix refuses a value count that does not match its shape", "[matrix]") {
  REQUIRE_THROWS_AS(gxn::Matrix(2, 3, std::vector<float>(5)), gxn::Error);
  REQUIRE_NOTHROW(gxn::Matrix(2, 3, std::vector<float>(6)));
}

TEST_CASE("check_finite names the first bad entry", "[matrix]") {
  gxn::Matrix m(2, 3, 1.0f);
  REQUIRE_NOTHROW(gxn::check_finite(m, "embeddings"));
  m(1, 2) = std::nanf("");
  try {
    gxn::check_finite(m, "embeddings");
    FAIL("no error");
  } catch (const gxn::Error& e) {
    REQUIRE(e.code() == gxn::ErrorCode::NonFinite);
    REQUIRE(std::string(e.what()).find("row 1, column 2") != std::string::npos);
  }
}

TEST_CASE("check_view refuses a stride shorter than a row", "[matrix]") {
  float x[6] = {};
  REQUIRE_THROWS_AS(gxn::check_view(gxn::MatrixView(x, 2, 3, 2), "m"), gxn::Error);
  REQUIRE_NOTHROW(gxn::check_view(gxn::MatrixView(x, 2, 3, 3), "m"));
}
