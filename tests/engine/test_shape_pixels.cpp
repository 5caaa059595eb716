// Reading shapes images cell by cell: exact on every rendered scene, and the rates it gives
// imagined images.
#include <catch2/catch.hpp>

#include "gxn/engine/data/shape_pixels.hpp"

TEST_CASE("Every rendered scene reads back as its shapes' cells and colours", "[shapes][shape_pixels]") {
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    const gxn::ShapeScene scene = gxn::random_shape_scene(seed);
    const auto cells = gxn::read_shape_cells(gxn::render_shape_scene(scene));
    std::array<int, gxn::kShapeCells> colour_of;
    colour_of.fill(-1);
    for (const gxn::Shape& s : scene.shapes) colour_of[static_cast<std::size_t>(s.cell)] = static_cast<int>(s.colour);
    for (int cell = 0; cell < gxn::kShapeCells; ++cell) {
      INFO("scene " << seed << ", cell " << cell << ", bright share " << cells[cell].bright_share);
      REQUIRE(cells[cell].shape == (colour_of[cell] >= 0));
      if (cells[cell].shape) REQUIRE(static_cast<int>(cells[cell].colour) == colour_of[cell]);
    }
    gxn::ImaginedScore score;
    gxn::add_image(score, cells, gxn::stated_shapes(scene));
    REQUIRE(score.colour_at_place() == 1.0);
    REQUIRE(score.background_elsewhere() == 1.0);
  }
}

TEST_CASE("Imagined images: the named colour in the named cell, background elsewhere", "[shapes][shape_pixels]") {
  gxn::Image image(64, 64);
  for (auto& v : image.pixels) v = 40;  // dark background
  const auto paint = [&](int x0, int y0, int size, std::array<std::uint8_t, 3> rgb) {
    for (int y = y0; y < y0 + size; ++y)
      for (int x = x0; x < x0 + size; ++x) std::copy(rgb.begin(), rgb.end(), image.pixel(x, y));
  };
  paint(2, 2, 12, {230, 30, 30});     // red, top left
  paint(50, 50, 10, {240, 225, 50});  // yellow, bottom right
  paint(25, 48, 2, {240, 240, 240});  // a few white pixels at the bottom: too few for a shape
  const auto cells = gxn::read_shape_cells(image);
  CHECK(cells[0].shape);
  CHECK(cells[0].colour == gxn::ShapeColour::Red);
  CHECK(cells[8].colour == gxn::ShapeColour::Yellow);
  CHECK_FALSE(cells[7].shape);
  CHECK(cells[7].bright_share > 0);

  using K = gxn::ShapeKind;
  using C = gxn::ShapeColour;
  using S = gxn::ShapeSize;
  gxn::ImaginedScore score;
  // Red at the top left (right), blue at the bottom right (yellow there: wrong); the 7 other
  // cells include the empty ones (right) and none holds a shape.
  gxn::add_image(score, cells, {{0, K::Circle, C::Red, S::Large}, {8, K::Star, C::Blue, S::Small}});
  CHECK(score.named == 2);
  CHECK(score.named_right == 1);
  CHECK(score.unnamed == 7);
  CHECK(score.unnamed_background == 7);
  // Naming only the top left: the bottom right's yellow is a shape where none was asked for.
  gxn::add_image(score, cells, {{0, K::Circle, C::Red, S::Large}});
  CHECK(score.named == 3);
  CHECK(score.named_right == 2);
  CHECK(score.unnamed == 15);
  CHECK(score.unnamed_background == 14);
  CHECK(score.colour_at_place() == Approx(2.0 / 3));
  CHECK_THROWS_AS(gxn::read_shape_cells(gxn::Image(32, 32)), gxn::Error);
}
