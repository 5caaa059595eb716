// Reading shapes captions back into shapes: exact for every template the data uses, partial for
// captions that only half follow them, and the precision/recall/F1 it gives.
#include <catch2/catch.hpp>

#include <algorithm>

#include "gxn/engine/data/shape_captions.hpp"

namespace {

using gxn::StatedShape;

std::vector<StatedShape> sorted(std::vector<StatedShape> shapes) {
  std::sort(shapes.begin(), shapes.end(), [](const StatedShape& a, const StatedShape& b) { return *a.cell < *b.cell; });
  return shapes;
}

StatedShape shape(int cell, gxn::ShapeKind kind, gxn::ShapeColour colour, gxn::ShapeSize size) {
  return {cell, kind, colour, size};
}

// A large red circle at the top left and a small blue star in the center.
std::vector<StatedShape> red_circle_and_blue_star() {
  return {shape(0, gxn::ShapeKind::Circle, gxn::ShapeColour::Red, gxn::ShapeSize::Large),
          shape(4, gxn::ShapeKind::Star, gxn::ShapeColour::Blue, gxn::ShapeSize::Small)};
}

}  // namespace

TEST_CASE("Every caption the shapes data writes parses to exactly its scene's shapes", "[shapes][shape_captions]") {
  for (std::uint64_t seed = 0; seed < 3000; ++seed) {
    const gxn::ShapeScene scene = gxn::random_shape_scene(seed);
    const auto truth = sorted(gxn::stated_shapes(scene));
    for (const std::string& caption : gxn::describe_shape_scene(scene, seed * 7 + 1, 8)) {  // all 8 templates
      INFO(caption);
      const auto parsed = gxn::parse_shape_caption(caption);
      REQUIRE(parsed.size() == truth.size());
      for (const auto& s : parsed) REQUIRE(s.complete());
      REQUIRE(sorted(parsed) == truth);
    }
  }
}

TEST_CASE("A caption that half follows the templates states what it can", "[shapes][shape_captions]") {
  using K = gxn::ShapeKind;
  using C = gxn::ShapeColour;
  using S = gxn::ShapeSize;
  // Cut short: the second shape has no kind, so only the first is stated.
  auto p = gxn::parse_shape_caption("a big red circle in the top left and a big");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == shape(0, K::Circle, C::Red, S::Large));
  // A shape without a place is stated but incomplete.
  p = gxn::parse_shape_caption("a big red circle and a tiny violet plus sign on the far right");
  REQUIRE(p.size() == 2);
  CHECK_FALSE(p[0].cell);
  CHECK(p[1] == shape(5, K::Cross, C::Purple, S::Small));
  // Two colours for one shape: the colour is not stated.
  p = gxn::parse_shape_caption("a small red blue square at the bottom edge");
  REQUIRE(p.size() == 1);
  CHECK_FALSE(p[0].colour);
  CHECK(p[0].cell == 7);
  // Two kinds run together in one clause state one shape that matches nothing.
  p = gxn::parse_shape_caption("a red star circle in the center");
  REQUIRE(p.size() == 1);
  CHECK_FALSE(p[0].complete());
  // Words that name nothing state nothing.
  CHECK(gxn::parse_shape_caption("").empty());
  CHECK(gxn::parse_shape_caption("two shapes on a dark background").empty());
  // "top" or "left" alone is no place; before ":" it is a label.
  p = gxn::parse_shape_caption("top : white rhombus , little");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == shape(1, K::Diamond, C::White, S::Small));
  CHECK_FALSE(gxn::parse_shape_caption("a little white rhombus top")[0].cell);
}

TEST_CASE("Precision, recall and F1 of stated shapes against the scene", "[shapes][shape_captions]") {
  const std::vector<StatedShape> scene = red_circle_and_blue_star();
  gxn::ShapeStatementScore score;
  // Right, wrong size, and the same right shape stated twice (matched once).
  gxn::add_caption(score,
                   gxn::parse_shape_caption("a big red circle in the top left , a big blue star in the center and "
                                            "a big red circle in the top left"),
                   scene);
  CHECK(score.stated == 3);
  CHECK(score.right == 1);
  CHECK(score.present == 2);
  // A caption with nothing right, and one with both shapes right.
  gxn::add_caption(score, gxn::parse_shape_caption("a green square at the bottom edge"), scene);
  gxn::add_caption(score, gxn::parse_shape_caption("top-left : red disc , large ; center : blue star , tiny"), scene);
  CHECK(score.stated == 6);
  CHECK(score.right == 3);
  CHECK(score.present == 6);
  CHECK(score.precision() == Approx(0.5));
  CHECK(score.recall() == Approx(0.5));
  CHECK(score.f1() == Approx(0.5));
  CHECK(gxn::ShapeStatementScore{}.f1() == 0.0);
}

TEST_CASE("Stated shapes at a scene shape's place are judged attribute by attribute", "[shapes][shape_captions]") {
  const std::vector<StatedShape> scene = red_circle_and_blue_star();
  gxn::ShapeStatementScore score;
  // At the top left: colour and size right, kind wrong. In the center: kind right, colour and
  // size wrong. At the bottom edge, where the scene has nothing: not judged.
  gxn::add_caption(score,
                   gxn::parse_shape_caption("a big red square in the top left , a big green star in the center and "
                                            "a small white cross at the bottom edge"),
                   scene);
  CHECK(score.stated == 3);
  CHECK(score.right == 0);
  CHECK(score.placed == 2);
  CHECK(score.colour_right == 1);
  CHECK(score.kind_right == 1);
  CHECK(score.size_right == 1);
  gxn::add_caption(score, gxn::parse_shape_caption("a small blue star in the center"), scene);
  CHECK(score.placed == 3);
  CHECK(score.placed_share(score.kind_right) == Approx(2.0 / 3));
  CHECK(score.placed_share(score.colour_right) == Approx(2.0 / 3));
  // The large red circle's kind was stated wrong once; the small blue star's right twice.
  CHECK(score.placed_large == 1);
  CHECK(score.kind_right_large == 0);
  CHECK(score.kind_share_large() == 0.0);
  CHECK(score.kind_share_small() == 1.0);
  // The circle was called a square once; the star a star twice.
  const auto circle = static_cast<int>(gxn::ShapeKind::Circle), square = static_cast<int>(gxn::ShapeKind::Square),
             star = static_cast<int>(gxn::ShapeKind::Star);
  CHECK(score.kind_stated[circle][square] == 1);
  CHECK(score.kind_stated[star][star] == 2);
  std::int64_t judged = 0;
  for (const auto& row : score.kind_stated)
    for (std::int64_t n : row) judged += n;
  CHECK(judged == 3);
  CHECK(gxn::ShapeStatementScore{}.placed_share(0) == 0.0);
}

TEST_CASE("A split's scenes are read from its reference captions when they are shapes captions",
          "[shapes][shape_captions]") {
  std::vector<std::string> captions;
  std::vector<std::vector<StatedShape>> truth;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const gxn::ShapeScene scene = gxn::random_shape_scene(seed);
    for (const auto& c : gxn::describe_shape_scene(scene, seed, 5)) captions.push_back(c);
    truth.push_back(sorted(gxn::stated_shapes(scene)));
  }
  const auto scenes = gxn::scenes_from_captions(captions);
  REQUIRE(scenes);
  REQUIRE(*scenes == truth);
  // Other data, a caption that disagrees with its image's others, or a count that is not 5 per image.
  std::vector<std::string> other(5, "a man rides a horse on the beach");
  CHECK_FALSE(gxn::scenes_from_captions(other));
  auto disagreeing = captions;
  disagreeing[3] = "a big red circle in the center";
  CHECK_FALSE(gxn::scenes_from_captions(disagreeing));
  CHECK_FALSE(gxn::scenes_from_captions(std::vector<std::string>(captions.begin(), captions.begin() + 4)));
}
