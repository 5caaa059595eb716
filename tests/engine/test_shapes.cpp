#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "gxn/engine/data/shapes.hpp"
#include "gxn/engine/data/shapes_dataset.hpp"
#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/io/image.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using Tokens = std::vector<std::string>;

// The caption words for each attribute, restated here as the specification the captions meet.
const std::vector<std::vector<std::string>> kKinds = {
    {"circle", "disc"}, {"square", "block"}, {"triangle"}, {"star"}, {"cross", "plus sign"}, {"diamond", "rhombus"}};
const std::vector<std::vector<std::string>> kColours = {
    {"red"}, {"green"}, {"blue"}, {"yellow"}, {"purple", "violet"}, {"orange"}, {"white"}};
const std::vector<std::vector<std::string>> kSizes = {{"small", "little", "tiny"}, {"large", "big"}};
const std::vector<std::vector<std::string>> kPlaces = {
    {"the top left", "the upper left", "the top left corner", "the upper left corner", "top-left :"},
    {"the top middle", "the top center", "the upper middle", "the top edge", "top :"},
    {"the top right", "the upper right", "the top right corner", "the upper right corner", "top-right :"},
    {"the left side", "the left edge", "the far left", "left :"},
    {"the center", "the middle", "the centre", "center :"},
    {"the right side", "the right edge", "the far right", "right :"},
    {"the bottom left", "the lower left", "the bottom left corner", "the lower left corner", "bottom-left :"},
    {"the bottom middle", "the bottom center", "the lower middle", "the bottom edge", "bottom :"},
    {"the bottom right", "the lower right", "the bottom right corner", "the lower right corner", "bottom-right :"},
};

// How many times each attribute value is mentioned in `tokens`: scanning left to right and
// taking the longest phrase that matches at each position.
std::map<int, int> mentions(const Tokens& tokens, const std::vector<std::vector<std::string>>& table) {
  std::map<int, int> counts;
  for (std::size_t i = 0; i < tokens.size();) {
    std::size_t best_length = 0;
    int best_value = -1;
    for (std::size_t value = 0; value < table.size(); ++value)
      for (const auto& phrase : table[value]) {
        const Tokens words = gxn::tokenize(phrase);
        if (words.size() > best_length && i + words.size() <= tokens.size() &&
            std::equal(words.begin(), words.end(), tokens.begin() + static_cast<std::ptrdiff_t>(i))) {
          best_length = words.size();
          best_value = static_cast<int>(value);
        }
      }
    if (best_value >= 0) {
      ++counts[best_value];
      i += best_length;
    } else {
      ++i;
    }
  }
  return counts;
}

// Every file under `dir`, by relative path, with its bytes.
std::map<std::string, std::vector<std::uint8_t>> files_under(const std::string& dir) {
  std::map<std::string, std::vector<std::uint8_t>> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      files[fs::relative(entry.path(), dir).string()] = gxn::read_file_bytes(entry.path().string());
  return files;
}

gxn::ShapesDatasetOptions small_options(std::uint64_t seed) {
  gxn::ShapesDatasetOptions options;
  options.seed = seed;
  options.images = 20;
  return options;
}

}  // namespace

TEST_CASE("shape scenes, images and captions are functions of their seed", "[shapes]") {
  for (std::uint64_t seed : {0ull, 1ull, 12345ull}) {
    const gxn::ShapeScene a = gxn::random_shape_scene(seed), b = gxn::random_shape_scene(seed);
    CHECK(a.key() == b.key());
    CHECK(gxn::render_shape_scene(a).pixels == gxn::render_shape_scene(b).pixels);
    CHECK(gxn::describe_shape_scene(a, seed) == gxn::describe_shape_scene(b, seed));
  }
  CHECK(gxn::random_shape_scene(1).key() != gxn::random_shape_scene(2).key());
}

TEST_CASE("rendered scenes show each shape in its colour at its cell", "[shapes]") {
  gxn::ShapeScene scene;
  scene.top = scene.bottom = {30, 30, 30};
  gxn::Shape red;  // large red square in the top-left cell, centred at pixel (10.6, 10.6)
  red.kind = gxn::ShapeKind::Square, red.colour = gxn::ShapeColour::Red, red.size = gxn::ShapeSize::Large;
  red.cell = 0, red.radius = 64;
  gxn::Shape blue = red;  // small blue circle in the bottom-right cell
  blue.kind = gxn::ShapeKind::Circle, blue.colour = gxn::ShapeColour::Blue, blue.size = gxn::ShapeSize::Small;
  blue.cell = 8, blue.radius = 36;
  scene.shapes = {red, blue};
  const gxn::Image image = gxn::render_shape_scene(scene);
  REQUIRE(image.width == 64);
  REQUIRE(image.height == 64);
  auto rgb = [&](int x, int y) { return std::vector<int>(image.pixel(x, y), image.pixel(x, y) + 3); };
  CHECK(rgb(10, 10) == std::vector<int>{220, 40, 40});
  CHECK(rgb(53, 53) == std::vector<int>{50, 90, 230});
  CHECK(rgb(32, 32) == std::vector<int>{30, 30, 30});  // empty centre cell
  CHECK(rgb(47, 47) == std::vector<int>{30, 30, 30});  // outside the small circle (radius 4.5 px)
  // Anti-aliased: a pixel on the square's edge (half side 7 px: x from 3.6 to 17.6) is a blend.
  const auto edge = rgb(3, 10);
  CHECK(edge[0] > 30);
  CHECK(edge[0] < 220);
}

TEST_CASE("every caption names each shape's kind, colour, size and place", "[shapes]") {
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const gxn::ShapeScene scene = gxn::random_shape_scene(seed);
    std::map<int, int> kinds, colours, sizes, places;
    for (const auto& s : scene.shapes) {
      ++kinds[static_cast<int>(s.kind)];
      ++colours[static_cast<int>(s.colour)];
      ++sizes[static_cast<int>(s.size)];
      ++places[s.cell];
    }
    // All eight templates.
    for (const std::string& caption : gxn::describe_shape_scene(scene, seed * 7 + 3, 8)) {
      INFO(caption);
      const Tokens tokens = gxn::tokenize(caption);
      CHECK(mentions(tokens, kKinds) == kinds);
      CHECK(mentions(tokens, kColours) == colours);
      CHECK(mentions(tokens, kSizes) == sizes);
      CHECK(mentions(tokens, kPlaces) == places);
    }
  }
}

TEST_CASE("the captions of one scene come from different templates", "[shapes]") {
  const gxn::ShapeScene scene = gxn::random_shape_scene(5);
  const auto captions = gxn::describe_shape_scene(scene, 9, 8);
  CHECK(std::set<std::string>(captions.begin(), captions.end()).size() == 8);
  CHECK_THROWS_AS(gxn::describe_shape_scene(scene, 9, 0), gxn::Error);
  CHECK_THROWS_AS(gxn::describe_shape_scene(scene, 9, 9), gxn::Error);
}

TEST_CASE("malformed scenes are refused", "[shapes][bad-input]") {
  gxn::ShapeScene scene = gxn::random_shape_scene(3);
  scene.shapes.clear();
  CHECK_THROWS_AS(gxn::render_shape_scene(scene), gxn::Error);
  scene = gxn::random_shape_scene(3);
  scene.shapes[0].cell = 9;
  CHECK_THROWS_AS(gxn::render_shape_scene(scene), gxn::Error);
  scene = gxn::random_shape_scene(3);
  scene.shapes.push_back(scene.shapes[0]);  // the same cell twice
  CHECK_THROWS_AS(gxn::describe_shape_scene(scene, 1), gxn::Error);
  scene = gxn::random_shape_scene(3);
  scene.shapes[0].dx = 20;
  CHECK_THROWS_AS(gxn::render_shape_scene(scene), gxn::Error);
}

TEST_CASE("no two images of the dataset show the same scene", "[shapes]") {
  const auto items = gxn::draw_shapes_dataset(11, 3000);
  std::set<std::uint64_t> keys;
  std::set<Tokens> captions;
  for (const auto& item : items) {
    keys.insert(item.scene.key());
    for (const auto& c : item.captions) captions.insert(gxn::tokenize(c));
  }
  CHECK(keys.size() == items.size());
  CHECK(captions.size() == items.size() * gxn::kShapeCaptions);
  // Scene sizes follow 1/5, 2/5, 2/5 for 1, 2, 3 shapes (loosely: duplicates of the 756
  // one-shape scenes are drawn again).
  std::map<std::size_t, int> shape_counts;
  for (const auto& item : items) ++shape_counts[item.scene.shapes.size()];
  CHECK(shape_counts[1] > 400);
  CHECK(shape_counts[2] > 1000);
  CHECK(shape_counts[3] > 1000);
}

TEST_CASE("write_shapes_dataset writes images and a Karpathy-style dataset.json", "[shapes]") {
  TempDir tmp;
  const std::string dir = tmp.file("layout");
  gxn::ShapesDatasetOptions options = small_options(7);
  std::vector<std::int64_t> progress;
  options.progress = [&](std::int64_t done, std::int64_t total) {
    CHECK(total == 20);
    progress.push_back(done);
  };
  const gxn::ShapesSplits splits = gxn::write_shapes_dataset(dir, options);
  CHECK(splits.train == 16);
  CHECK(splits.val == 2);
  CHECK(splits.test == 2);
  CHECK(progress.back() == 20);

  std::ifstream in(dir + "/dataset.json");
  const nlohmann::json root = nlohmann::json::parse(in);
  CHECK(root["dataset"] == "shapes");
  const auto& images = root["images"];
  REQUIRE(images.size() == 20);
  const auto items = gxn::draw_shapes_dataset(7, 20);
  std::int64_t next_sentid = 0;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto& image = images[i];
    CHECK(image["imgid"] == i);
    CHECK(image["split"] == (i < 16 ? "train" : i < 18 ? "val" : "test"));
    const std::string file = dir + "/images/" + image["filename"].get<std::string>();
    CHECK(gxn::decode_image_file(file).pixels == gxn::render_shape_scene(items[i].scene).pixels);
    REQUIRE(image["sentences"].size() == 5);
    for (std::size_t j = 0; j < 5; ++j) {
      const auto& sentence = image["sentences"][j];
      CHECK(sentence["raw"] == items[i].captions[j]);
      CHECK(sentence["tokens"].get<Tokens>() == gxn::tokenize(items[i].captions[j]));
      CHECK(sentence["imgid"] == i);
      CHECK(sentence["sentid"] == next_sentid);
      CHECK(image["sentids"][j] == next_sentid);
      ++next_sentid;
    }
  }
  // Nothing but the dataset: the temporary folder is gone.
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  CHECK(names == std::set<std::string>{"dataset.json", "images"});
}

TEST_CASE("the same seed writes byte-identical datasets; another seed does not", "[shapes]") {
  TempDir tmp;
  const std::string a = tmp.file("same_a"), b = tmp.file("same_b"), c = tmp.file("other");
  gxn::write_shapes_dataset(a, small_options(42));
  gxn::write_shapes_dataset(b, small_options(42));
  gxn::write_shapes_dataset(c, small_options(43));
  const auto files_a = files_under(a);
  CHECK(files_a.size() == 21);
  CHECK(files_a == files_under(b));
  const auto files_c = files_under(c);
  CHECK(files_a.at("dataset.json") != files_c.at("dataset.json"));
  CHECK(files_a.at("images/shapes_000000.png") != files_c.at("images/shapes_000000.png"));
}

TEST_CASE("write_shapes_dataset refuses bad counts and never overwrites what it did not write", "[shapes][bad-input]") {
  TempDir tmp;
  const std::string dir = tmp.file("guard");
  gxn::ShapesDatasetOptions options = small_options(1);
  options.images = 9;
  CHECK_THROWS_AS(gxn::write_shapes_dataset(dir, options), gxn::Error);
  options.images = gxn::kShapesMaxImages + 1;
  CHECK_THROWS_AS(gxn::write_shapes_dataset(dir, options), gxn::Error);
  CHECK_FALSE(fs::exists(dir));

  // An existing dataset is kept unless forced, and replaced whole when forced.
  gxn::write_shapes_dataset(dir, small_options(1));
  const auto first = files_under(dir);
  try {
    gxn::write_shapes_dataset(dir, small_options(2));
    FAIL("no error");
  } catch (const gxn::Error& e) {
    CHECK(e.code() == gxn::ErrorCode::InvalidArgument);
    CHECK(std::string(e.what()).find("--force") != std::string::npos);
  }
  CHECK(files_under(dir) == first);
  gxn::ShapesDatasetOptions force = small_options(2);
  force.force = true;
  fs::create_directory(dir + "/.tmp-shapes-99999");  // left by a crashed run
  gxn::write_shapes_dataset(dir, force);
  CHECK(files_under(dir) != first);
  CHECK_FALSE(fs::exists(dir + "/.tmp-shapes-99999"));

  // A directory holding anything else is never touched, even with force.
  std::ofstream(dir + "/notes.txt") << "mine";
  const auto before = files_under(dir);
  CHECK_THROWS_AS(gxn::write_shapes_dataset(dir, force), gxn::Error);
  CHECK(files_under(dir) == before);
  fs::remove_all(dir);  // to make the output a file below

  // The output is a file, not a directory.
  std::ofstream(dir) << "x";
  CHECK_THROWS_AS(gxn::write_shapes_dataset(dir, small_options(1)), gxn::Error);
}
