#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <random>

#include "gxn/engine/data/evaluation_split.hpp"
#include "gxn/engine/io/npy.hpp"
#include "support/error_of.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& text) { write_text(file.string(), text); }

std::string sentences(int n, const std::string& stem) {
  std::string s = "[";
  for (int i = 0; i < n; ++i)
    s += (i ? ", " : "") + std::string("{\"raw\": \"") + stem + " " + std::to_string(i) + "\"}";
  return s + "]";
}

std::string split_error(const std::string& dir, const std::string& split, const std::string& image_dir = "") {
  return error_of([&] { gxn::read_evaluation_split(dir, split, image_dir); });
}

}  // namespace

TEST_CASE("A dataset.json split gives image files and their first five captions", "[evaluation_split]") {
  TempDir d;
  fs::create_directories(d.path / "images" / "sub");
  write(d.path / "dataset.json",
        "{\"images\": [{\"filename\": \"a.png\", \"split\": \"train\", \"sentences\": " + sentences(5, "a") +
            "},"
            " {\"filename\": \"b.png\", \"filepath\": \"sub\", \"split\": \"test\", \"sentences\": " +
            sentences(7, "b") +
            "}, {\"filename\": \"c.png\", \"split\": \"test\", \"sentences\": " + sentences(5, "c") + "}]}");
  const gxn::EvaluationSplit s = gxn::read_evaluation_split(d.path.string(), "test");
  CHECK_FALSE(s.precomputed);
  REQUIRE(s.images() == 2);
  CHECK(s.image_names == std::vector<std::string>{"sub/b.png", "c.png"});
  CHECK(s.image_paths[0] == (d.path / "images" / "sub" / "b.png").string());
  REQUIRE(s.captions.size() == 10);
  CHECK(s.captions[4] == "b 4");  // b's sixth and seventh captions are dropped
  CHECK(s.captions[5] == "c 0");
  // Another image folder.
  fs::create_directories(d.path / "elsewhere");
  CHECK(gxn::read_evaluation_split(d.path.string(), "test", (d.path / "elsewhere").string()).image_paths[1] ==
        (d.path / "elsewhere" / "c.png").string());
  CHECK_THAT(split_error(d.path.string(), "test", (d.path / "nowhere").string()), Contains("nowhere: no image folder"));
  CHECK_THAT(split_error(d.path.string(), "val"), Contains("the val split has no images"));
  CHECK_THAT(split_error(d.path.string(), "dev"), Contains("'dev'"));
}

TEST_CASE("A dataset.json image with fewer than five captions is named", "[evaluation_split][bad-input]") {
  TempDir d;
  fs::create_directories(d.path / "images");
  write(d.path / "dataset.json",
        "{\"images\": [{\"filename\": \"a.png\", \"split\": \"test\", \"sentences\": " + sentences(5, "a") +
            "}, {\"filename\": \"few.png\", \"split\": \"test\", "
            "\"sentences\": " +
            sentences(4, "f") + "}]}");
  CHECK_THAT(split_error(d.path.string(), "test"), Contains("images[1] (few.png) has 4 captions"));
}

TEST_CASE("A precomputed split gives its features and captions", "[evaluation_split]") {
  TempDir d;
  const std::vector<float> values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};  // (2, 3, 2)
  gxn::write_npy((d.path / "test_ims.npy").string(), {2, 3, 2}, values.data());
  std::string caps;
  for (int i = 0; i < 10; ++i) caps += "caption " + std::to_string(i) + "\n";
  write(d.path / "test_caps.txt", caps);
  const gxn::EvaluationSplit s = gxn::read_evaluation_split(d.path.string(), "test");
  CHECK(s.precomputed);
  CHECK(s.images() == 2);
  CHECK((s.regions == 3 && s.dim == 2));
  CHECK(s.features(1, 5) == 12);
  CHECK(s.image_paths.empty());
  // Mismatched counts come from the precomp reader, naming the file.
  write(d.path / "test_caps.txt", caps + "one more\n");
  CHECK_THAT(split_error(d.path.string(), "test"), Contains("test_caps.txt"));
}

TEST_CASE("A folder with neither layout says what it looked for", "[evaluation_split][bad-input]") {
  TempDir d;
  CHECK_THAT(split_error(d.path.string(), "test"), Contains("neither dataset.json") && Contains("test_ims.npy"));
  CHECK_THAT(split_error((d.path / "missing").string(), "test"), Contains("missing: no such dataset folder"));
}
