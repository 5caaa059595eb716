#include <catch2/catch.hpp>

#include "gxn/engine/io/preprocess.hpp"
#include "gxn/model/model_inputs.hpp"

namespace {
gxn::Vocabulary tiny_vocabulary() {
  return gxn::Vocabulary::build({{"a", "red", "circle"}, {"a", "blue", "square"}}, /*min_count=*/1);
}
}  // namespace

TEST_CASE("Captions become <start> ids <end>, unknown words <unk>, padded to the longest", "[inputs]") {
  const auto v = tiny_vocabulary();
  const auto red = gxn::caption_ids("A red circle.", v);
  REQUIRE(red.size() == 6);  // <start> a red circle . <end>  ('.' is <unk>)
  REQUIRE(red.front() == gxn::Vocabulary::start_id);
  REQUIRE(red.back() == gxn::Vocabulary::end_id);
  REQUIRE(red[4] == gxn::Vocabulary::unk_id);
  const auto batch = gxn::caption_tensors({red, gxn::caption_ids("blue", v)});
  REQUIRE(batch.ids.sizes() == torch::IntArrayRef({2, 6}));
  REQUIRE(batch.lengths[1].item<std::int64_t>() == 3);
  REQUIRE(batch.ids[1][3].item<std::int64_t>() == gxn::Vocabulary::pad_id);
}

TEST_CASE("Long captions are cut keeping <end>; empty ones are refused by name", "[inputs]") {
  const auto v = tiny_vocabulary();
  const auto cut = gxn::caption_ids("a red circle a blue square", v, 4);
  REQUIRE(cut == std::vector<std::int64_t>{gxn::Vocabulary::start_id, v.id("a"), v.id("red"), gxn::Vocabulary::end_id});
  REQUIRE_THROWS_WITH(gxn::caption_ids("  ", v, 0, "captions.txt line 3"), Catch::Contains("captions.txt line 3"));
}

TEST_CASE("Images become the encoder's normalised input, as the engine preprocesses them", "[inputs]") {
  gxn::Image img;
  img.width = 80;
  img.height = 64;
  img.pixels.resize(80 * 64 * 3);
  for (std::size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<std::uint8_t>(i * 7 % 256);
  gxn::ImageEncoderConfig config;
  config.backbone = gxn::Backbone::CnnSmall;
  const auto t = gxn::image_tensor({img, img}, config);
  REQUIRE(t.sizes() == torch::IntArrayRef({2, 3, 64, 64}));
  gxn::PreprocessOptions o;
  o.resize = 64;
  o.crop = 64;
  const auto chw = gxn::preprocess(img, o);
  REQUIRE(t[1][2][5][7].item<float>() == chw.at(2, 5, 7));
  config.backbone = gxn::Backbone::Precomp;
  REQUIRE_THROWS_AS(gxn::image_tensor({img}, config), gxn::Error);
}
