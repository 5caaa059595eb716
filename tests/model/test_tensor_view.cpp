#include <catch2/catch.hpp>

#include "model/tensor_view.hpp"

TEST_CASE("Tensors cross into engine views and back unchanged", "[model]") {
  auto t = torch::arange(12, torch::kFloat32).reshape({3, 4});
  auto v = gxn::as_view(t, "t");
  REQUIRE(v.rows == 3);
  REQUIRE(v.cols == 4);
  REQUIRE(v(2, 1) == 9.0f);
  REQUIRE(torch::equal(gxn::to_tensor(v), t));
}

TEST_CASE("A view of a column slice keeps the row stride", "[model]") {
  auto t = torch::arange(12, torch::kFloat32).reshape({3, 4}).slice(1, 1, 3);
  auto v = gxn::as_view(t, "t");
  REQUIRE(v.stride == 4);
  REQUIRE(v(1, 0) == 5.0f);
}

TEST_CASE("Non-float or non-2-D tensors are refused by name", "[model]") {
  REQUIRE_THROWS_AS(gxn::as_view(torch::zeros({3}), "x"), gxn::Error);
  REQUIRE_THROWS_AS(gxn::as_view(torch::zeros({3, 2}, torch::kFloat64), "x"), gxn::Error);
}
