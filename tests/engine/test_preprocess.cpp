#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/io/preprocess.hpp"

// Fixtures: tests/data/preprocess (see make_fixture.py there for the torchvision pipeline).
namespace {

const std::string kDir = std::string(GXN_TEST_DATA) + "/preprocess/";

std::vector<float> read_f32(const std::string& name) {
  const auto bytes = gxn::read_file_bytes(kDir + name);
  std::vector<float> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), values.size() * 4);  // little-endian host
  return values;
}

struct Difference {
  double normalised = 0;  // max |gxn - torchvision| after Normalize
  int pixel = 0;          // max difference before Normalize, in 1/255 steps
};

// Compares a preprocessed image with torchvision's output, also in 8-bit steps: before
// Normalize every value is k/255, so (v * std + mean) * 255 recovers k exactly.
Difference compare(const gxn::ChwImage& out, const std::vector<float>& expected, const gxn::PreprocessOptions& o) {
  REQUIRE(out.values.size() == expected.size());
  Difference d;
  const std::size_t plane = expected.size() / 3;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const int c = static_cast<int>(i / plane);
    d.normalised = std::max(d.normalised, std::fabs(double(out.values[i]) - expected[i]));
    const long a = std::lround((double(out.values[i]) * o.std[c] + o.mean[c]) * 255.0);
    const long b = std::lround((double(expected[i]) * o.std[c] + o.mean[c]) * 255.0);
    d.pixel = std::max(d.pixel, int(std::labs(a - b)));
  }
  return d;
}

gxn::Image ramp(int width, int height) {
  gxn::Image image(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = image.pixel(x, y);
      p[0] = static_cast<std::uint8_t>(x), p[1] = static_cast<std::uint8_t>(y), p[2] = static_cast<std::uint8_t>(x + y);
    }
  return image;
}

}  // namespace

TEST_CASE("preprocess equals torchvision's Resize(256) CenterCrop(224) on a PNG", "[preprocess]") {
  // 300x217 -> 353x256 (int(256 * 300 / 217)); crop left round(64.5) = 64 (half to even).
  const gxn::PreprocessOptions options;
  const gxn::ChwImage out = gxn::preprocess(gxn::decode_image_file(kDir + "photo.png"), options);
  CHECK(out.channels == 3);
  CHECK(out.height == 224);
  CHECK(out.width == 224);
  const Difference d = compare(out, read_f32("photo_png_3x224x224.f32"), options);
  CHECK(d.pixel == 0);
  CHECK(d.normalised == 0.0);  // same pixels, same float32 operations
}

TEST_CASE("preprocess equals torchvision when upsampling to another size", "[preprocess]") {
  // 61x45 -> 98x73 -> 64x64 crop (size 64: resize round(64 * 256 / 224) = 73).
  const gxn::PreprocessOptions options = gxn::preprocess_options_for_size(64);
  REQUIRE(options.resize == 73);
  const Difference d = compare(gxn::preprocess(gxn::decode_image_file(kDir + "small.png"), options),
                               read_f32("small_png_3x64x64.f32"), options);
  CHECK(d.pixel == 0);
  CHECK(d.normalised == 0.0);
}

TEST_CASE("preprocess on a JPEG differs from torchvision only by the decoder", "[preprocess][jpeg]") {
  // Measured: max 3/255 before Normalize (stb_image versus libjpeg; see test_image.cpp).
  const gxn::PreprocessOptions options;
  const Difference d = compare(gxn::preprocess(gxn::decode_image_file(kDir + "photo.jpg"), options),
                               read_f32("photo_jpg_3x224x224.f32"), options);
  CHECK(d.pixel <= 3);
}

TEST_CASE("preprocess_options_for_size keeps the ImageNet ratio", "[preprocess]") {
  CHECK(gxn::preprocess_options_for_size(224).resize == 256);
  CHECK(gxn::preprocess_options_for_size(299).resize == 342);  // torchvision's Inception v3
  CHECK(gxn::preprocess_options_for_size(64).resize == 73);
  CHECK_THROWS_AS(gxn::preprocess_options_for_size(0), gxn::Error);
  CHECK_THROWS_AS(gxn::preprocess_options_for_size(20000), gxn::Error);
}

TEST_CASE("resize_bilinear matches Pillow's antialiased weights worked by hand", "[preprocess]") {
  // 4 -> 2: scale 2, support 2. Output 0 (centre 1.0) reads inputs 0..2 with triangle weights
  // 0.75 0.75 0.25 -> 3/7 3/7 1/7; output 1 (centre 3.0) reads 1..3 with 1/7 3/7 3/7.
  gxn::Image in(4, 1);
  const std::uint8_t values[4] = {0, 70, 140, 210};
  for (int x = 0; x < 4; ++x) in.pixel(x, 0)[0] = in.pixel(x, 0)[1] = in.pixel(x, 0)[2] = values[x];
  const gxn::Image out = gxn::resize_bilinear(in, 2, 1);
  CHECK(int(out.pixel(0, 0)[0]) == 50);   // (0*3 + 70*3 + 140) / 7
  CHECK(int(out.pixel(1, 0)[0]) == 160);  // (70 + 140*3 + 210*3) / 7
  // 2 -> 4 upsampling: plain bilinear, edges clamped. Output 1 (centre 0.75): 0.75*a + 0.25*b.
  gxn::Image two(2, 1);
  two.pixel(0, 0)[0] = 0, two.pixel(1, 0)[0] = 200;
  const gxn::Image four = gxn::resize_bilinear(two, 4, 1);
  CHECK(int(four.pixel(0, 0)[0]) == 0);
  CHECK(int(four.pixel(1, 0)[0]) == 50);
  CHECK(int(four.pixel(2, 0)[0]) == 150);
  CHECK(int(four.pixel(3, 0)[0]) == 200);
  // The same size is the identity; bad sizes are refused.
  const gxn::Image r = ramp(9, 6);
  CHECK(gxn::resize_bilinear(r, 9, 6).pixels == r.pixels);
  CHECK_THROWS_AS(gxn::resize_bilinear(r, 0, 6), gxn::Error);
}

TEST_CASE("resize_shorter_side uses torchvision's output size", "[preprocess]") {
  const gxn::Image landscape = gxn::resize_shorter_side(ramp(300, 217), 256);
  CHECK(landscape.width == 353);  // int(256 * 300 / 217) = int(353.9)
  CHECK(landscape.height == 256);
  const gxn::Image portrait = gxn::resize_shorter_side(ramp(45, 61), 73);
  CHECK(portrait.width == 73);
  CHECK(portrait.height == 98);  // int(73 * 61 / 45) = int(98.96)
  const gxn::Image same = ramp(256, 300);
  CHECK(gxn::resize_shorter_side(same, 256).pixels == same.pixels);
  CHECK_THROWS_AS(gxn::resize_shorter_side(ramp(16384, 1), 256), gxn::Error);  // 4 G pixels out
}

TEST_CASE("center_crop rounds half offsets to even and pads like torchvision", "[preprocess]") {
  const gxn::Image r = ramp(10, 9);
  // Width 10 -> 3: (10 - 3) / 2 = 3.5 -> 4. Height 9 -> 4: 2.5 -> 2.
  const gxn::Image c = gxn::center_crop(r, 3, 4);
  CHECK(int(c.pixel(0, 0)[0]) == 4);
  CHECK(int(c.pixel(0, 0)[1]) == 2);
  // Width 10 -> 5: 2.5 -> 2.
  CHECK(int(gxn::center_crop(r, 5, 9).pixel(0, 0)[0]) == 2);
  // A crop larger than the image pads: 10 wide into 13: 1 column of black on the left.
  const gxn::Image padded = gxn::center_crop(r, 13, 9);
  CHECK(int(padded.pixel(0, 3)[1]) == 0);
  CHECK(int(padded.pixel(1, 3)[1]) == 3);
  CHECK(int(padded.pixel(1, 3)[0]) == 0);
  CHECK(int(padded.pixel(10, 3)[0]) == 9);
  CHECK(int(padded.pixel(12, 3)[1]) == 0);
}

TEST_CASE("normalize_to_chw is ToTensor then Normalize in float32", "[preprocess]") {
  gxn::Image image(2, 1);
  image.pixel(0, 0)[0] = 255, image.pixel(0, 0)[1] = 0, image.pixel(0, 0)[2] = 128;
  const gxn::ChwImage t = gxn::normalize_to_chw(image, {0.5f, 0.5f, 0.5f}, {0.5f, 0.25f, 2.0f});
  CHECK(t.at(0, 0, 0) == 1.0f);
  CHECK(t.at(1, 0, 0) == -2.0f);
  CHECK(t.at(2, 0, 0) == (128.0f / 255.0f - 0.5f) / 2.0f);
  CHECK(t.at(0, 0, 1) == -1.0f);
  CHECK_THROWS_AS(gxn::normalize_to_chw(image, {0, 0, 0}, {1, 0, 1}), gxn::Error);
  CHECK_THROWS_AS(gxn::normalize_to_chw(image, {0, 0, NAN}, {1, 1, 1}), gxn::Error);
}
