#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "gxn/engine/io/image.hpp"
#include "gxn/error.hpp"
#include "gxn/model/batch_sampler.hpp"
#include "gxn/model/caption_dataset.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"
#include "toy_captions.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

gxn::CaptionDatasetOptions precomp_options() { return {}; }

gxn::CaptionDatasetOptions image_options() {
  gxn::CaptionDatasetOptions o;
  o.kind = gxn::DataKind::Images;
  o.image.backbone = gxn::Backbone::CnnSmall;
  return o;
}

// A Karpathy dataset.json over `images` (each: filename, split, captions) with 16x16 PNGs made
// for each filename unless `skip_files`.
void write_karpathy(const std::string& dir,
                    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>& images,
                    bool skip_files = false) {
  nlohmann::json root = {{"images", nlohmann::json::array()}};
  fs::create_directories(fs::path(dir) / "images");
  int colour = 0;
  for (const auto& [file, split, captions] : images) {
    nlohmann::json sentences = nlohmann::json::array();
    for (const auto& c : captions) sentences.push_back({{"raw", c}});
    root["images"].push_back({{"filename", file}, {"split", split}, {"sentences", sentences}});
    if (skip_files) continue;
    gxn::Image image(16, 16);
    for (auto& p : image.pixels) p = static_cast<std::uint8_t>(colour);
    colour += 40;
    gxn::write_png((fs::path(dir) / "images" / file).string(), image);
  }
  std::ofstream(fs::path(dir) / "dataset.json") << root.dump();
}

std::vector<std::string> five(const std::string& what) {
  return {"a " + what, "the " + what, "one " + what, "some " + what, "this " + what};
}

}  // namespace

TEST_CASE("Precomputed features become tensors, caption j belonging to image j / 5", "[model][dataset]") {
  TempDir dir;
  toy::write_dataset(dir.path.string());
  REQUIRE(gxn::detect_data_kind(dir.path.string()) == gxn::DataKind::Precomp);
  REQUIRE(gxn::validation_split_name(dir.path.string(), gxn::DataKind::Precomp) == "val");
  gxn::CaptionDataset train(dir.path.string(), "train", precomp_options());
  REQUIRE(train.image_count() == 32);
  REQUIRE(train.caption_count() == 160);
  REQUIRE(train.feature_dim() == toy::kFeatureDim);
  const auto vocabulary = train.build_vocabulary(1);
  train.encode_captions(vocabulary);
  const auto batch = train.batch({7, 0, 159, 8});
  // Distinct images once each, in order of first use; captions map to their rows.
  REQUIRE(batch.images.sizes() == torch::IntArrayRef({3, toy::kFeatureDim}));
  REQUIRE(batch.image_rows.equal(torch::tensor({0, 1, 2, 0}, torch::kInt64)));
  REQUIRE(batch.image_ids.equal(torch::tensor({1, 0, 31, 1}, torch::kInt64)));
  // Row 0 holds image 1's features: one-hot colour 1 (green), shape 0, size 0, plus noise.
  REQUIRE(batch.images[0][1].item<float>() > 0.5f);
  REQUIRE(batch.captions.ids.size(0) == 4);
  REQUIRE(vocabulary.decode_text(train.caption_ids(7)) == toy::captions({1, 0, 0})[2]);
  // Regions: (N, R, D) files give (B, R, D) inputs.
  std::vector<float> regions(2 * 3 * 4);
  for (std::size_t i = 0; i < regions.size(); ++i) regions[i] = static_cast<float>(i);
  gxn::write_npy(dir.file("test_ims.npy"), {2, 3, 4}, regions.data());
  std::ofstream(dir.file("test_caps.txt")) << "a b\na b\na b\na b\na b\nc d\nc d\nc d\nc d\nc d\n";
  gxn::CaptionDataset test(dir.path.string(), "test", precomp_options());
  REQUIRE(test.regions() == 3);
  REQUIRE(test.feature_dim() == 4);
  const auto inputs = test.image_inputs({1});
  REQUIRE(inputs.sizes() == torch::IntArrayRef({1, 3, 4}));
  REQUIRE(inputs[0][2][3].item<float>() == 23.0f);
}

TEST_CASE("Precomputed features with an image list also give the images, for the text->image path",
          "[model][dataset]") {
  TempDir dir;
  toy::write_dataset(dir.path.string());
  gxn::CaptionDataset without(dir.path.string(), "train", precomp_options());
  REQUIRE_FALSE(without.has_images());
  REQUIRE(without.image_path(0).empty());
  REQUIRE_THAT(error_of([&] { without.generator_targets({0}); }), Contains("train_images.txt"));

  // 32 images in a folder of the user's choice; the list gives paths relative to it.
  const fs::path folder = dir.path / "pictures";
  fs::create_directories(folder / "sub");
  std::ofstream list(dir.file("train_images.txt"));
  for (int i = 0; i < 32; ++i) {
    gxn::Image image(8, 8);
    for (auto& p : image.pixels) p = static_cast<std::uint8_t>(i * 8);
    gxn::write_png((folder / "sub" / (std::to_string(i) + ".png")).string(), image);
    list << "sub/" << i << ".png\n";
  }
  list.close();
  auto options = precomp_options();
  options.image_dir = folder.string();
  gxn::CaptionDataset train(dir.path.string(), "train", options);
  REQUIRE(train.has_images());
  REQUIRE(train.image_path(5) == (folder / "sub" / "5.png").string());
  // The model input is still the features; the generator's targets are the pictures in [-1, 1].
  REQUIRE(train.image_inputs({5}).sizes() == torch::IntArrayRef({1, toy::kFeatureDim}));
  const auto targets = train.generator_targets({5, 0});
  REQUIRE(targets.sizes() == torch::IntArrayRef({2, 3, 64, 64}));
  CHECK(targets[0].mean().item<float>() == Approx(40.0 / 255 * 2 - 1).margin(1e-6));
  CHECK(targets[1].mean().item<float>() == Approx(-1.0).margin(1e-6));

  // Without the folder option the list is read against DIR/images, where nothing is: named.
  REQUIRE_THAT(error_of([&] { gxn::CaptionDataset(dir.path.string(), "train", precomp_options()); }),
               Contains((dir.path / "images" / "sub" / "0.png").string()) && Contains("train_images.txt: line 1"));
}

TEST_CASE("The vocabulary comes from the training split; other words become <unk>", "[model][dataset]") {
  TempDir dir;
  toy::write_dataset(dir.path.string());
  std::ofstream(dir.file("val_caps.txt"), std::ios::app);  // unchanged
  gxn::CaptionDataset train(dir.path.string(), "train", precomp_options());
  const auto vocabulary = train.build_vocabulary(4);
  // Every colour, shape and size occurs at least 4 times; "one" 32 times.
  REQUIRE(vocabulary.contains("triangle"));
  REQUIRE(vocabulary.contains("one"));
  // A validation caption with a word never seen in training.
  std::vector<float> f(toy::kFeatureDim, 0.0f);
  gxn::write_npy(dir.file("test_ims.npy"), {1, toy::kFeatureDim}, f.data());
  std::ofstream(dir.file("test_caps.txt")) << "a purple circle\na circle\na circle\na circle\na circle\n";
  gxn::CaptionDataset test(dir.path.string(), "test", precomp_options());
  test.encode_captions(vocabulary);
  const auto& ids = test.caption_ids(0);
  REQUIRE(ids == std::vector<std::int64_t>{gxn::Vocabulary::start_id, vocabulary.id("a"), gxn::Vocabulary::unk_id,
                                           vocabulary.id("circle"), gxn::Vocabulary::end_id});
  // max_tokens cuts captions, keeping <end>.
  test.encode_captions(vocabulary, 3);
  REQUIRE(test.caption_ids(0) ==
          std::vector<std::int64_t>{gxn::Vocabulary::start_id, vocabulary.id("a"), gxn::Vocabulary::end_id});
}

TEST_CASE("Precomputed data whose counts disagree, or with a caption without a word, is refused by name",
          "[model][dataset]") {
  TempDir dir;
  std::vector<float> f(3 * 4, 1.0f);
  gxn::write_npy(dir.file("train_ims.npy"), {3, 4}, f.data());
  std::ofstream(dir.file("train_caps.txt")) << "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";  // 10 captions, 3 images
  REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "train", precomp_options()); }),
               Contains("train_ims.npy") && Contains("3 rows") && Contains("10 captions"));
  std::ofstream(dir.file("train_caps.txt")) << "a\nb\nc\nd\n";
  REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "train", precomp_options()); }),
               Contains("train_caps.txt") && Contains("4 captions"));
  gxn::write_npy(dir.file("train_ims.npy"), {2, 4}, f.data());
  std::ofstream(dir.file("train_caps.txt")) << "a\nb\nc\nd\ne\nf\ng\n\ni\nj\n";
  REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "train", precomp_options()); }),
               Contains("train_caps.txt") && Contains("line 8") && Contains("empty caption"));
  // A line of control characters only: not blank, but no word.
  std::ofstream(dir.file("train_caps.txt")) << "a\nb\nc\nd\ne\nf\n\x01\x02\nh\ni\nj\n";
  REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "train", precomp_options()); }),
               Contains("train_caps.txt: line 7") && Contains("no word"));
  REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "dev", precomp_options()); }),
               Contains("dev_caps.txt"));
}

TEST_CASE("Images with captions: decoded into the model's input, cached, and checked by name", "[model][dataset]") {
  TempDir dir;
  write_karpathy(
      dir.path.string(),
      {{"a.png", "train", five("red ball")}, {"b.png", "train", five("blue box")}, {"c.png", "val", five("red box")}});
  REQUIRE(gxn::detect_data_kind(dir.path.string()) == gxn::DataKind::Images);
  gxn::CaptionDataset train(dir.path.string(), "train", image_options());
  REQUIRE(train.image_count() == 2);
  REQUIRE(train.caption_count() == 10);
  REQUIRE(train.image_path(1) == (dir.path / "images" / "b.png").string());
  train.encode_captions(train.build_vocabulary(1));
  const auto batch = train.batch({9, 0});
  REQUIRE(batch.images.sizes() == torch::IntArrayRef({2, 3, 64, 64}));
  REQUIRE(batch.image_ids.equal(torch::tensor({1, 0}, torch::kInt64)));
  // The same conversion as inference: image_tensor of the decoded file.
  const auto expected = gxn::image_tensor({gxn::decode_image_file(train.image_path(1))}, image_options().image);
  REQUIRE(torch::equal(batch.images[0], expected[0]));
  REQUIRE(train.cached_images() == 2);
  REQUIRE(train.cached_bytes() == 2 * 16 * 16 * 3);

  SECTION("a budget too small for an image decodes it each time, with the same result") {
    auto options = image_options();
    options.image_cache_bytes = 16 * 16 * 3;  // room for one
    gxn::CaptionDataset small(dir.path.string(), "train", options);
    small.encode_captions(small.build_vocabulary(1));
    REQUIRE(torch::equal(small.batch({9, 0}).images, batch.images));
    REQUIRE(small.cached_images() == 1);
    REQUIRE(torch::equal(small.batch({9, 0}).images, batch.images));
  }
  SECTION("the precomp backbone cannot read images") {
    auto options = image_options();
    options.image.backbone = gxn::Backbone::Precomp;
    REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "train", options); }),
                 Contains("precomp backbone") && Contains("cnn-small"));
  }
}

TEST_CASE("Images: a missing or corrupt file, too few captions and an empty caption are named", "[model][dataset]") {
  TempDir dir;
  SECTION("missing image") {
    write_karpathy(dir.path.string(), {{"a.png", "train", five("red ball")}}, /*skip_files=*/true);
    REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "train", image_options()); }),
                 Contains("a.png") && Contains("no such image") && Contains("images[0]"));
  }
  SECTION("corrupt image") {
    write_karpathy(dir.path.string(), {{"a.png", "train", five("red ball")}, {"b.png", "train", five("blue box")}});
    std::ofstream(dir.path / "images" / "b.png", std::ios::binary) << "\x89PNG\r\n\x1a\n garbage";
    gxn::CaptionDataset d(dir.path.string(), "train", image_options());
    d.encode_captions(d.build_vocabulary(1));
    REQUIRE_NOTHROW(d.batch({0}));
    REQUIRE_THAT(error_of([&] { d.batch({0, 7}); }), Contains("b.png"));
  }
  SECTION("four captions") {
    auto four = five("red ball");
    four.pop_back();
    write_karpathy(dir.path.string(), {{"a.png", "train", five("x")}, {"b.png", "train", four}});
    REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "train", image_options()); }),
                 Contains("dataset.json") && Contains("images[1]") && Contains("b.png") && Contains("4 captions"));
  }
  SECTION("six captions: the first five are used") {
    auto six = five("red ball");
    six.push_back("an extra caption");
    write_karpathy(dir.path.string(), {{"a.png", "train", six}, {"b.png", "train", five("blue box")}});
    gxn::CaptionDataset d(dir.path.string(), "train", image_options());
    REQUIRE(d.caption_count() == 10);
    REQUIRE(d.captions()[5] == "a blue box");
  }
  SECTION("empty caption") {
    auto captions = five("red ball");
    captions[3] = "  ";
    write_karpathy(dir.path.string(), {{"a.png", "train", five("x")}, {"b.png", "train", captions}});
    REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "train", image_options()); }),
                 Contains("dataset.json") && Contains("images[1]") && Contains("sentences[3]") && Contains("no word"));
  }
  SECTION("no image in the split, and a folder that is no dataset") {
    write_karpathy(dir.path.string(), {{"a.png", "train", five("x")}});
    REQUIRE_THAT(error_of([&] { gxn::CaptionDataset d(dir.path.string(), "val", image_options()); }),
                 Contains("the val split has no images"));
    fs::remove(dir.path / "dataset.json");
    REQUIRE_THAT(error_of([&] { gxn::detect_data_kind(dir.path.string()); }),
                 Contains(dir.path.string()) && Contains("dataset.json") && Contains("train_ims.npy"));
  }
}

TEST_CASE("epoch_order is a seeded permutation that changes with the epoch", "[model][dataset]") {
  const auto a = gxn::epoch_order(7, 0, 1000);
  REQUIRE(std::set<std::int64_t>(a.begin(), a.end()).size() == 1000);
  REQUIRE(*std::min_element(a.begin(), a.end()) == 0);
  REQUIRE(*std::max_element(a.begin(), a.end()) == 999);
  REQUIRE(a == gxn::epoch_order(7, 0, 1000));
  REQUIRE(a != gxn::epoch_order(7, 1, 1000));
  REQUIRE(a != gxn::epoch_order(8, 0, 1000));
  std::vector<std::int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  REQUIRE(a != identity);
  // Golden values (worked out with a Python transcription of splitmix64 + Fisher-Yates): the order
  // must not change across platforms or versions, or resumed runs would diverge.
  REQUIRE(gxn::epoch_order(1, 0, 8) == std::vector<std::int64_t>{4, 1, 7, 5, 3, 0, 6, 2});
  REQUIRE(gxn::epoch_order(1, 1, 8) == std::vector<std::int64_t>{2, 0, 4, 3, 1, 6, 5, 7});
  REQUIRE(gxn::epoch_order(0, 0, 1) == std::vector<std::int64_t>{0});
  REQUIRE(gxn::epoch_order(0, 0, 0).empty());
}
