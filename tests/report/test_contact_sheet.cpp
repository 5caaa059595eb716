#include <catch2/catch.hpp>

#include "gxn/engine/io/preprocess.hpp"
#include "gxn/report/contact_sheet.hpp"

using Catch::Matchers::Contains;

namespace {

// A w × h image whose pixel (x, y) is (x, y, seed): every pixel tells where it came from.
gxn::Image coordinates(int w, int h, std::uint8_t seed) {
  gxn::Image img(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = img.pixel(x, y);
      p[0] = static_cast<std::uint8_t>(x), p[1] = static_cast<std::uint8_t>(y), p[2] = seed;
    }
  return img;
}

gxn::Rgb at(const gxn::Image& img, int x, int y) {
  const std::uint8_t* p = img.pixel(x, y);
  return {p[0], p[1], p[2]};
}

}  // namespace

TEST_CASE("Enlarging repeats pixels (nearest); shrinking is the engine's bilinear resize", "[contact_sheet]") {
  const gxn::Image small = coordinates(4, 2, 9);
  const gxn::Image big = gxn::scale_to_fit(small, 8, 100);  // width limits: factor 2
  REQUIRE(big.width == 8);
  REQUIRE(big.height == 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 8; ++x) REQUIRE(at(big, x, y) == at(small, x / 2, y / 2));

  const gxn::Image wide = coordinates(200, 100, 1);
  const gxn::Image fitted = gxn::scale_to_fit(wide, 100, 100);
  REQUIRE(fitted.width == 100);
  REQUIRE(fitted.height == 50);
  REQUIRE(fitted.pixels == gxn::resize_bilinear(wide, 100, 50).pixels);

  // Height limits when the image is tall; an exact fit is returned unchanged.
  const gxn::Image tall = gxn::scale_to_fit(coordinates(10, 40, 2), 100, 20);
  REQUIRE((tall.width == 5 && tall.height == 20));
  REQUIRE(gxn::scale_to_fit(small, 4, 2).pixels == small.pixels);
  // Never smaller than one pixel.
  const gxn::Image line = gxn::scale_to_fit(coordinates(100, 1, 3), 10, 10);
  REQUIRE((line.width == 10 && line.height == 1));
  REQUIRE_THROWS_WITH(gxn::scale_to_fit(small, 0, 5), Contains("bad size"));
}

TEST_CASE("A contact sheet frames the marked tile in the marking colour", "[contact_sheet]") {
  const gxn::Image a = coordinates(16, 16, 10), b = coordinates(16, 16, 20), c = coordinates(32, 16, 30);
  gxn::ContactSheetOptions o;
  o.thumbnail = 32;
  o.border = 3;
  o.gap = 4;
  const gxn::Image sheet = gxn::compose_contact_sheet({{&a, false}, {&b, true}, {&c, false}}, o);
  const int side = 32 + 2 * 3;
  REQUIRE(sheet.width == 4 + 3 * (side + 4));
  REQUIRE(sheet.height == side + 2 * 4);

  for (int i = 0; i < 3; ++i) {
    const gxn::TileRect r = gxn::contact_sheet_tile(i, o);
    REQUIRE(r.x == 4 + i * (side + 4));
    REQUIRE(r.y == 4);
    REQUIRE(r.side == side);
    const gxn::Rgb expected = i == 1 ? o.mark : o.frame;
    // Every pixel of the frame's four sides, and only the frame.
    for (int t = 0; t < side; ++t)
      for (int d = 0; d < o.border; ++d) {
        REQUIRE(at(sheet, r.x + t, r.y + d) == expected);
        REQUIRE(at(sheet, r.x + t, r.y + side - 1 - d) == expected);
        REQUIRE(at(sheet, r.x + d, r.y + t) == expected);
        REQUIRE(at(sheet, r.x + side - 1 - d, r.y + t) == expected);
      }
    // Gaps are background.
    REQUIRE(at(sheet, r.x - 1, r.y + side / 2) == o.background);
  }
  // Square images fill the thumbnail, each source pixel a 2 × 2 block.
  const gxn::TileRect r1 = gxn::contact_sheet_tile(1, o);
  REQUIRE(at(sheet, r1.x + 3 + 5, r1.y + 3 + 7) == at(b, 2, 3));
  // A 2:1 image is centred with background above and below: 32 × 16 in a 32 × 32 square.
  const gxn::TileRect r2 = gxn::contact_sheet_tile(2, o);
  REQUIRE(at(sheet, r2.x + 3 + 10, r2.y + 3 + 7) == o.background);
  REQUIRE(at(sheet, r2.x + 3 + 10, r2.y + 3 + 8) == at(c, 10, 0));
  REQUIRE(at(sheet, r2.x + 3 + 10, r2.y + 3 + 24) == o.background);
}

TEST_CASE("A contact sheet refuses what it cannot draw", "[contact_sheet]") {
  const gxn::Image a = coordinates(8, 8, 1);
  gxn::Image broken;
  broken.width = 4;
  broken.height = 4;  // no pixels
  REQUIRE_THROWS_WITH(gxn::compose_contact_sheet({}), Contains("no images"));
  REQUIRE_THROWS_WITH(gxn::compose_contact_sheet({{nullptr, false}}), Contains("tile 0 has no image"));
  REQUIRE_THROWS_WITH(gxn::compose_contact_sheet({{&a, false}, {&broken, true}}), Contains("tile 1: malformed"));
  gxn::ContactSheetOptions o;
  o.thumbnail = 0;
  REQUIRE_THROWS_WITH(gxn::compose_contact_sheet({{&a, false}}, o), Contains("thumbnail"));
  o = {};
  o.border = -1;
  REQUIRE_THROWS_WITH(gxn::compose_contact_sheet({{&a, false}}, o), Contains("border"));
  o = {};
  o.thumbnail = 4096;
  REQUIRE_THROWS_WITH(gxn::compose_contact_sheet(std::vector<gxn::SheetTile>(20, {&a, false}), o),
                      Contains("20 tiles"));
}
