#include <catch2/catch.hpp>

#include <fstream>

#include "gxn/error.hpp"
#include "gxn/model/gxn_model.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;

namespace {

gxn::ModelConfig small_config() {
  gxn::ModelConfig c;
  c.image.feature_dim = 12;
  c.text = {10, 6, 8, ""};
  c.embed_dim = 5;
  return c;
}

torch::Tensor ids() { return torch::tensor({{2, 3, 4}, {5, 6, 0}, {7, 0, 0}}, torch::kInt64); }
torch::Tensor lengths() { return torch::tensor({3, 2, 1}, torch::kInt64); }

}  // namespace

TEST_CASE("Images and captions land in the common space as unit, non-negative vectors", "[model][gxn_model]") {
  torch::manual_seed(9);
  gxn::GxnModel model(small_config());
  const auto v = model->encode_images(torch::randn({4, 12}));
  const auto t = model->encode_texts(ids(), lengths());
  for (const auto& e : {v.abstract, v.grounded}) REQUIRE(e.sizes() == torch::IntArrayRef{4, 5});
  for (const auto& e : {t.abstract, t.grounded}) REQUIRE(e.sizes() == torch::IntArrayRef{3, 5});
  for (const auto& e : {v.abstract, v.grounded, t.abstract, t.grounded}) {
    CHECK(torch::allclose(e.norm(2, 1), torch::ones({e.size(0)}), 1e-5, 1e-6));
    CHECK(e.min().item<float>() >= 0.0f);
  }
  // The two levels are different projections.
  CHECK_FALSE(torch::allclose(v.abstract, v.grounded));
  const auto s = model->similarity(t, v);
  REQUIRE(s.sizes() == torch::IntArrayRef{3, 4});
  CHECK(torch::allclose(s, gxn::blended_similarity(t, v, 0.5)));
}

TEST_CASE("Normalisation and absolute value can be switched off", "[model][gxn_model]") {
  torch::manual_seed(10);
  auto c = small_config();
  c.l2_normalize = false;
  c.non_negative = false;
  gxn::GxnModel model(c);
  const auto x = torch::randn({16, 12});
  const auto v = model->encode_images(x);
  CHECK(v.abstract.min().item<float>() < 0.0f);
  // Exactly the linear map: no normalisation, no absolute value.
  CHECK(torch::equal(v.abstract, model->image_to_abstract->linear(x)));
  CHECK(torch::equal(v.grounded, model->image_to_grounded->linear(x)));
}

TEST_CASE("A model needs its vocabulary size and a valid config", "[model][gxn_model]") {
  auto c = small_config();
  c.text.vocab_size = 0;
  CHECK_THROWS_WITH(gxn::GxnModel(c), Contains("text.vocab_size"));
  c = small_config();
  c.lambda = -1;
  CHECK_THROWS_WITH(gxn::GxnModel(c), Contains("lambda"));
}

TEST_CASE("Every parameter learns from both sides", "[model][gxn_model]") {
  torch::manual_seed(11);
  gxn::GxnModel model(small_config());
  const auto v = model->encode_images(torch::randn({3, 12}));
  const auto t = model->encode_texts(ids(), lengths());
  model->similarity(t, v).sum().backward();
  for (const auto& p : model->named_parameters()) {
    INFO(p.key());
    REQUIRE(p.value().grad().defined());
  }
}

TEST_CASE("load_pretrained reads the word vectors the config names", "[model][gxn_model]") {
  TempDir dir;
  std::ofstream(dir.file("vec.txt")) << "w3 1 2 3 4 5 6\nnope 0 0 0 0 0 0\n";
  auto c = small_config();
  c.text.word_vectors = dir.file("vec.txt");
  gxn::GxnModel model(c);
  std::vector<std::string> vocab{"<pad>", "<unk>", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9"};
  const auto report = model->load_pretrained(vocab);
  REQUIRE(report);
  CHECK(report->found == 1);
  CHECK(torch::equal(model->text_encoder->word_embedding->weight[3],
                     torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f})));
  CHECK_FALSE(gxn::GxnModel(small_config())->load_pretrained(vocab));
}
