#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "gxn/engine/io/image.hpp"
#include "gxn/engine/search/score.hpp"
#include "gxn/error.hpp"
#include "gxn/model/encoder.hpp"
#include "gxn/model/model_file.hpp"
#include "gxn/model/model_inputs.hpp"
#include "model/tensor_view.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;

namespace {

constexpr std::int64_t kEncoderEmbed = 6;

gxn::Vocabulary vocabulary() {
  return gxn::Vocabulary::build({{"a", "red", "circle"}, {"a", "blue", "square"}, {"two", "shapes"}}, 1);
}

gxn::ModelConfig config(gxn::Backbone backbone) {
  gxn::ModelConfig c;
  c.image.backbone = backbone;
  if (backbone == gxn::Backbone::Precomp) c.image.feature_dim = 12;
  c.text.vocab_size = vocabulary().size();
  c.text.word_dim = 8;
  c.text.hidden_dim = 10;
  c.embed_dim = kEncoderEmbed;
  c.lambda = 0.3;
  return c;
}

// A model with random weights, saved; returns its path.
std::string saved_model(const TempDir& dir, gxn::Backbone backbone, std::uint64_t seed = 5) {
  torch::manual_seed(seed);
  gxn::GxnModel model(config(backbone));
  const std::string path = dir.file(std::string(gxn::to_string(backbone)) + ".gxn");
  gxn::save_model(path, model, vocabulary().words());
  return path;
}

gxn::Image pattern(int w, int h, int seed) {
  gxn::Image img(w, h);
  for (std::size_t i = 0; i < img.pixels.size(); ++i)
    img.pixels[i] = static_cast<std::uint8_t>((i * 31 + seed * 17) % 251);
  return img;
}

// The rows ⟨abstract, grounded⟩ of an Embeddings batch, as the encoder lays them out.
gxn::Matrix rows_of(const gxn::Embeddings& e) {
  const torch::Tensor t = torch::cat({e.abstract, e.grounded}, 1).contiguous();
  return gxn::Matrix(t.size(0), t.size(1), std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel()));
}

void require_close(const gxn::Matrix& a, const gxn::Matrix& b, float tolerance) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  for (std::int64_t i = 0; i < a.rows(); ++i)
    for (std::int64_t j = 0; j < a.cols(); ++j) {
      INFO("row " << i << ", column " << j);
      REQUIRE(std::abs(a(i, j) - b(i, j)) <= tolerance);
    }
}

const std::vector<std::string> kCaptions = {"A red circle.", "two blue squares", "a zebra", "red",
                                            "Two shapes, a circle"};

}  // namespace

TEST_CASE("Encoder gives the model's own embeddings for images, in the engine's row layout", "[model][encoder]") {
  TempDir dir;
  const std::string path = saved_model(dir, gxn::Backbone::CnnSmall);
  const gxn::Encoder encoder(path);
  REQUIRE(encoder.embed_dim() == kEncoderEmbed);
  REQUIRE(encoder.lambda() == Approx(0.3));
  REQUIRE_FALSE(encoder.takes_features());

  const std::vector<gxn::Image> images = {pattern(64, 64, 1), pattern(80, 50, 2), pattern(33, 90, 3)};
  const gxn::Matrix rows = encoder.encode_images(images);
  REQUIRE(rows.rows() == 3);
  REQUIRE(rows.cols() == 2 * kEncoderEmbed);

  gxn::LoadedModel reference = gxn::load_model(path);
  torch::NoGradGuard no_grad;
  const gxn::Embeddings e = reference.model->encode_images(gxn::image_tensor(images, reference.model->config().image));
  require_close(rows, rows_of(e), 0.0f);
  // Abstract first: the first D floats of row 1 are v_h.
  REQUIRE(rows(1, 0) == e.abstract[1][0].item<float>());
  REQUIRE(rows(1, kEncoderEmbed) == e.grounded[1][0].item<float>());

  // Files decode to the same pixels, so they encode to the same rows.
  std::vector<std::string> files;
  for (std::size_t i = 0; i < images.size(); ++i) {
    files.push_back(dir.file("img" + std::to_string(i) + ".png"));
    gxn::write_png(files.back(), images[i]);
  }
  require_close(encoder.encode_images(files), rows, 0.0f);
}

TEST_CASE("Encoder gives the model's own embeddings for captions; unknown words are <unk>", "[model][encoder]") {
  TempDir dir;
  const std::string path = saved_model(dir, gxn::Backbone::CnnSmall);
  const gxn::Encoder encoder(path);
  const gxn::Matrix rows = encoder.encode_texts(kCaptions);
  REQUIRE(rows.rows() == 5);
  REQUIRE(rows.cols() == 2 * kEncoderEmbed);

  gxn::LoadedModel reference = gxn::load_model(path);
  std::vector<std::vector<std::int64_t>> ids;
  for (const auto& c : kCaptions) ids.push_back(gxn::caption_ids(c, vocabulary()));
  const gxn::CaptionTensors t = gxn::caption_tensors(ids);
  torch::NoGradGuard no_grad;
  require_close(rows, rows_of(reference.model->encode_texts(t.ids, t.lengths)), 1e-6f);
  // "a zebra" and "a <unk>" are the same caption to the model.
  require_close(encoder.encode_texts({"a zebra"}), encoder.encode_texts({"a okapi"}), 0.0f);
  REQUIRE(encoder.encode_texts({}).rows() == 0);
}

TEST_CASE("Encoder takes precomputed features, one vector or R regions per row", "[model][encoder]") {
  TempDir dir;
  const std::string path = saved_model(dir, gxn::Backbone::Precomp);
  const gxn::Encoder encoder(path);
  REQUIRE(encoder.takes_features());
  torch::manual_seed(3);
  const torch::Tensor single = torch::randn({4, 12});
  const torch::Tensor regions = torch::randn({4, 3, 12});

  gxn::LoadedModel reference = gxn::load_model(path);
  torch::NoGradGuard no_grad;
  require_close(encoder.encode_features(gxn::as_view(single, "single")),
                rows_of(reference.model->encode_images(single)), 0.0f);
  const torch::Tensor flat = regions.reshape({4, 36});
  require_close(encoder.encode_features(gxn::as_view(flat, "regions")),
                rows_of(reference.model->encode_images(regions)), 1e-6f);
  // A strided view (every other row of a wider matrix) is read row by row.
  const torch::Tensor wide = torch::randn({4, 30});
  const gxn::MatrixView strided(wide.data_ptr<float>(), 2, 12, 60);
  const torch::Tensor picked = torch::stack({wide[0].slice(0, 0, 12), wide[2].slice(0, 0, 12)});
  require_close(encoder.encode_features(strided), rows_of(reference.model->encode_images(picked)), 0.0f);
}

TEST_CASE("Batching does not change the embeddings", "[model][encoder]") {
  TempDir dir;
  const std::string cnn = saved_model(dir, gxn::Backbone::CnnSmall);
  gxn::EncoderOptions one_batch, small_batches;
  small_batches.batch_size = 2;
  const gxn::Encoder a(cnn, one_batch), b(cnn, small_batches);
  std::vector<gxn::Image> images;
  for (int i = 0; i < 5; ++i) images.push_back(pattern(64, 64, i));
  require_close(a.encode_images(images), b.encode_images(images), 1e-5f);
  require_close(a.encode_texts(kCaptions), b.encode_texts(kCaptions), 1e-5f);

  const std::string precomp = saved_model(dir, gxn::Backbone::Precomp);
  const gxn::Encoder c(precomp, one_batch), d(precomp, small_batches);
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({5, 24});
  require_close(c.encode_features(gxn::as_view(x, "x")), d.encode_features(gxn::as_view(x, "x")), 1e-5f);
}

TEST_CASE("Encoder scores with the model's lambda", "[model][encoder]") {
  TempDir dir;
  const gxn::Encoder encoder(saved_model(dir, gxn::Backbone::CnnSmall));
  const gxn::Matrix images = encoder.encode_images(std::vector<gxn::Image>{pattern(64, 64, 1), pattern(64, 64, 2)});
  const gxn::Matrix texts = encoder.encode_texts(kCaptions);
  const gxn::Matrix s = encoder.score(images, texts);
  REQUIRE((s.rows() == 2 && s.cols() == 5));
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 5; ++j) {
      double h = 0, l = 0;  // double-precision reference of s* with λ = 0.3
      for (std::int64_t k = 0; k < kEncoderEmbed; ++k) {
        const double dh = std::max(0.0, double(images(i, k)) - texts(j, k));
        const double dl = std::max(0.0, double(images(i, kEncoderEmbed + k)) - texts(j, kEncoderEmbed + k));
        h += dh * dh, l += dl * dl;
      }
      REQUIRE(s(i, j) == Approx(-(0.3 * h + 0.7 * l)).margin(1e-6));
    }
  REQUIRE(encoder.score_options().lambda == Approx(0.3f));
  REQUIRE_THROWS_WITH(encoder.score(images, gxn::Matrix(2, 4)), Contains("hold 12"));
}

TEST_CASE("A model in memory is shared, run in eval mode, and left in the mode it was in", "[model][encoder]") {
  TempDir dir;
  const std::string path = saved_model(dir, gxn::Backbone::CnnSmall);
  gxn::LoadedModel loaded = gxn::load_model(path);
  loaded.model->train();
  const gxn::Encoder shared(loaded.model, loaded.vocabulary, {}, "trainer's model");
  const gxn::Encoder from_file(path);
  const std::vector<gxn::Image> images = {pattern(64, 64, 7), pattern(64, 64, 8)};
  require_close(shared.encode_images(images), from_file.encode_images(images), 0.0f);
  REQUIRE(loaded.model->is_training());
  // Training changes the weights the encoder sees.
  {
    torch::NoGradGuard no_grad;
    loaded.model->image_to_abstract->linear->weight.add_(0.5);
  }
  REQUIRE(shared.encode_images(images)(0, 0) != from_file.encode_images(images)(0, 0));
  REQUIRE_THROWS_WITH(gxn::Encoder(loaded.model, {"<pad>", "<start>", "<end>", "<unk>"}, {}, "trainer's model"),
                      Contains("trainer's model") && Contains("vocabulary of 4 words"));
}

TEST_CASE("Encoder refuses the wrong kind of input and names what is wrong", "[model][encoder][bad-input]") {
  TempDir dir;
  const gxn::Encoder cnn(saved_model(dir, gxn::Backbone::CnnSmall));
  const gxn::Encoder precomp(saved_model(dir, gxn::Backbone::Precomp));
  const gxn::Matrix features(2, 12, 0.5f);

  CHECK_THAT(error_of([&] { cnn.encode_features(features); }), Contains("cnn-small.gxn") && Contains("takes images"));
  CHECK_THAT(error_of([&] { precomp.encode_images(std::vector<gxn::Image>{pattern(64, 64, 1)}); }),
             Contains("precomp.gxn") && Contains("precomputed image features"));
  CHECK_THAT(error_of([&] { precomp.encode_images(std::vector<std::string>{"a.png"}); }),
             Contains("precomputed image features"));
  CHECK_THAT(error_of([&] { precomp.encode_features(gxn::Matrix(2, 13)); }), Contains("rows of 13 floats"));
  gxn::Matrix bad(2, 12, 0.5f);
  bad(1, 3) = std::nanf("");
  CHECK_THAT(error_of([&] { precomp.encode_features(bad); }), Contains("row 1, column 3"));

  // Files: a missing one and a damaged one are named, in list order.
  const std::string good = dir.file("good.png"), damaged = dir.file("damaged.png");
  gxn::write_png(good, pattern(64, 64, 1));
  std::ofstream(damaged, std::ios::binary) << "\x89PNG not really";
  CHECK_THAT(error_of([&] {
               cnn.encode_images(std::vector<std::string>{good, dir.file("missing.png")});
             }),
             Contains("missing.png"));
  CHECK_THAT(error_of([&] {
               cnn.encode_images(std::vector<std::string>{good, damaged, dir.file("missing.png")});
             }),
             Contains("damaged.png"));
  gxn::Image malformed;
  malformed.width = 3;
  malformed.height = 3;
  CHECK_THAT(error_of([&] {
               cnn.encode_images(std::vector<gxn::Image>{pattern(64, 64, 1), malformed});
             }),
             Contains("image 1"));

  // Captions with no word are named by index before anything is encoded.
  CHECK_THAT(error_of([&] { cnn.encode_texts({"a red circle", "  ", "?"}); }), Contains("caption 1"));
  CHECK_THAT(error_of([&] { cnn.encode_texts({"a red circle", ""}); }), Contains("caption 1: the caption has no word"));

  // Options and model files.
  gxn::EncoderOptions zero;
  zero.batch_size = 0;
  CHECK_THAT(error_of([&] { gxn::Encoder(dir.file("cnn-small.gxn"), zero); }), Contains("batch_size"));
  CHECK_THAT(error_of([&] { gxn::Encoder(dir.file("none.gxn")); }), Contains("none.gxn"));
  std::ofstream(dir.file("junk.gxn"), std::ios::binary) << "not a model";
  CHECK_THAT(error_of([&] { gxn::Encoder(dir.file("junk.gxn")); }), Contains("junk.gxn"));
}
