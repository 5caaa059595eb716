#include <unistd.h>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "gxn/engine/data/precomp_dataset.hpp"
#include "gxn/engine/io/npy.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

void write_captions(const fs::path& file, int count, bool with_blank = false) {
  std::ofstream out(file);
  for (int i = 0; i < count; ++i) out << (with_blank && i == 3 ? "   " : "caption " + std::to_string(i)) << "\n";
}

std::string split_error(const fs::path& dir) {
  return error_of([&] { gxn::read_precomp_split(dir.string(), "test"); });
}

}  // namespace

TEST_CASE("Precomputed features with one row per image are read as they are", "[precomp]") {
  TempDir d;
  std::vector<float> f(2 * 3);
  for (int i = 0; i < 6; ++i) f[i] = float(i);
  gxn::write_npy((d.path / "test_ims.npy").string(), {2, 3}, f.data());
  write_captions(d.path / "test_caps.txt", 10);
  auto s = gxn::read_precomp_split(d.path.string(), "test");
  REQUIRE(s.images() == 2);
  REQUIRE(s.regions == 1);
  REQUIRE(s.dim == 3);
  REQUIRE(s.features(1, 2) == 5.0f);
  REQUIRE(s.captions.size() == 10);
  REQUIRE(s.captions[9] == "caption 9");
}

TEST_CASE("Rows repeated five times per image and region features are folded to one row", "[precomp]") {
  TempDir d;
  // (10, 2, 2): image i's five rows all hold i; regions stay side by side in the row.
  std::vector<float> f(10 * 2 * 2);
  for (int r = 0; r < 10; ++r)
    for (int k = 0; k < 4; ++k) f[r * 4 + k] = float(r / 5 * 10 + k);
  gxn::write_npy((d.path / "test_ims.npy").string(), {10, 2, 2}, f.data());
  write_captions(d.path / "test_caps.txt", 10);
  auto s = gxn::read_precomp_split(d.path.string(), "test");
  REQUIRE(s.images() == 2);
  REQUIRE(s.regions == 2);
  REQUIRE(s.dim == 2);
  REQUIRE(s.features.cols() == 4);
  REQUIRE(s.features(1, 0) == 10.0f);
  REQUIRE(s.features(1, 3) == 13.0f);
}

TEST_CASE("Features and captions that disagree, blank captions and NaN are refused by name", "[precomp]") {
  TempDir d;
  std::vector<float> f(3 * 2, 1.0f);
  gxn::write_npy((d.path / "test_ims.npy").string(), {3, 2}, f.data());
  write_captions(d.path / "test_caps.txt", 10);
  REQUIRE_THAT(split_error(d.path), Catch::Contains("test_ims.npy has 3 rows") && Catch::Contains("10 captions"));

  write_captions(d.path / "test_caps.txt", 12);
  REQUIRE_THAT(split_error(d.path), Catch::Contains("test_caps.txt") && Catch::Contains("five per image"));

  write_captions(d.path / "test_caps.txt", 15, /*with_blank=*/true);
  REQUIRE_THAT(split_error(d.path), Catch::Contains("line 4 is an empty caption"));

  write_captions(d.path / "test_caps.txt", 15);
  f[4] = std::nanf("");
  gxn::write_npy((d.path / "test_ims.npy").string(), {3, 2}, f.data());
  REQUIRE_THAT(split_error(d.path), Catch::Contains("non-finite"));

  fs::remove(d.path / "test_ims.npy");
  REQUIRE_THAT(split_error(d.path), Catch::Contains("test_ims.npy"));
}

TEST_CASE("An image list names each image's file; one that does not match the images is refused", "[precomp]") {
  TempDir d;
  std::vector<float> f(2 * 3, 1.0f);
  gxn::write_npy((d.path / "test_ims.npy").string(), {2, 3}, f.data());
  write_captions(d.path / "test_caps.txt", 10);
  REQUIRE(gxn::read_precomp_split(d.path.string(), "test").image_files.empty());

  std::ofstream(d.path / "test_images.txt") << "a/0.jpg\r\nb 1.png\n";
  REQUIRE(gxn::read_precomp_split(d.path.string(), "test").image_files ==
          std::vector<std::string>{"a/0.jpg", "b 1.png"});

  std::ofstream(d.path / "test_images.txt") << "a/0.jpg\n";
  REQUIRE_THAT(split_error(d.path),
               Catch::Contains("test_images.txt names 1 image files") && Catch::Contains("2 images"));
  std::ofstream(d.path / "test_images.txt") << "a/0.jpg\n\nb.png\n";
  REQUIRE_THAT(split_error(d.path), Catch::Contains("test_images.txt: line 2 is an empty image file"));
}
