#include <catch2/catch.hpp>

#include "gxn/error.hpp"
#include "gxn/model/config.hpp"
#include "support/error_of.hpp"

using Catch::Matchers::Contains;

namespace {

gxn::ModelConfig custom_config() {
  gxn::ModelConfig c;
  c.image.backbone = gxn::Backbone::TorchScript;
  c.image.feature_dim = 512;
  c.image.region_pooling = gxn::RegionPooling::Max;
  c.image.fine_tune = true;
  c.image.backbone_file = "/models/backbone.pt";
  c.text = {1234, 64, 96, "/vectors/glove.txt", true};
  c.embed_dim = 128;
  c.l2_normalize = false;
  c.non_negative = false;
  c.lambda = 0.25;
  c.margin = 0.05;
  c.max_violation = true;
  return c;
}

std::string config_error(const std::string& json) {
  return error_of([&] { gxn::model_config_from_json(json, "train.json"); });
}

}  // namespace

TEST_CASE("A model config survives a JSON round trip field for field", "[model][config]") {
  const auto c = custom_config();
  const auto back = gxn::model_config_from_json(gxn::to_json(c), "test");
  REQUIRE(back.image.backbone == c.image.backbone);
  REQUIRE(back.image.feature_dim == 512);
  REQUIRE(back.image.region_pooling == gxn::RegionPooling::Max);
  REQUIRE(back.image.fine_tune);
  REQUIRE(back.image.backbone_file == c.image.backbone_file);
  REQUIRE(back.text.vocab_size == 1234);
  REQUIRE(back.text.word_dim == 64);
  REQUIRE(back.text.hidden_dim == 96);
  REQUIRE(back.text.word_vectors == c.text.word_vectors);
  REQUIRE(back.text.grounded_bidirectional);
  REQUIRE(back.embed_dim == 128);
  REQUIRE_FALSE(back.l2_normalize);
  REQUIRE_FALSE(back.non_negative);
  REQUIRE(back.lambda == 0.25);
  REQUIRE(back.margin == 0.05);
  REQUIRE(back.max_violation);
  REQUIRE(gxn::to_json(back) == gxn::to_json(c));
}

TEST_CASE("Missing keys keep their defaults", "[model][config]") {
  const auto c = gxn::model_config_from_json(R"({"image": {"backbone": "cnn-small"}, "margin": 0.1})", "t");
  REQUIRE(c.image.backbone == gxn::Backbone::CnnSmall);
  REQUIRE(gxn::image_feature_dim(c.image) == gxn::kCnnSmallFeatureDim);
  REQUIRE(c.margin == 0.1);
  REQUIRE(c.embed_dim == 1024);
  REQUIRE(c.text.word_dim == 300);
  REQUIRE(c.text.hidden_dim == 1024);
  REQUIRE_FALSE(c.text.grounded_bidirectional);  // as every model file written before the field
  REQUIRE(c.lambda == 0.5);
}

TEST_CASE("Unknown keys are refused by their full name", "[model][config]") {
  REQUIRE_THAT(config_error(R"({"embed_dims": 5})"),
               Contains("train.json") && Contains("'embed_dims'") && Contains("not a known key"));
  REQUIRE_THAT(config_error(R"({"text": {"hiden_dim": 5}})"), Contains("'text.hiden_dim'"));
  REQUIRE_THAT(config_error(R"({"image": {"finetune": true}})"), Contains("'image.finetune'"));
}

TEST_CASE("Out-of-range values are refused with the field and its allowed range", "[model][config]") {
  REQUIRE_THAT(config_error(R"({"lambda": 1.5})"), Contains("lambda") && Contains("0..1"));
  REQUIRE_THAT(config_error(R"({"margin": -0.1})"), Contains("margin") && Contains("0..100"));
  REQUIRE_THAT(config_error(R"({"embed_dim": 0})"), Contains("embed_dim") && Contains("1..65536"));
  REQUIRE_THAT(config_error(R"({"text": {"word_dim": 100000}})"), Contains("text.word_dim") && Contains("1..65536"));
  REQUIRE_THAT(config_error(R"({"text": {"vocab_size": 1}})"), Contains("text.vocab_size") && Contains("2.."));
  REQUIRE_THAT(config_error(R"({"image": {"feature_dim": -3}})"), Contains("image.feature_dim"));
}

TEST_CASE("Wrong types, bad enum names and malformed JSON are refused by name", "[model][config]") {
  REQUIRE_THAT(config_error(R"({"embed_dim": "big"})"), Contains("'embed_dim'") && Contains("integer"));
  REQUIRE_THAT(config_error(R"({"max_violation": 1})"), Contains("'max_violation'") && Contains("true or false"));
  REQUIRE_THAT(config_error(R"({"image": {"backbone": "resnet50"}})"),
               Contains("resnet50") && Contains("precomp, cnn-small, resnet152, vgg19, torchscript"));
  REQUIRE_THAT(config_error(R"({"image": {"region_pooling": "sum"}})"), Contains("mean, max"));
  REQUIRE_THAT(config_error(R"({"image": 3})"), Contains("'image'") && Contains("object"));
  REQUIRE_THAT(config_error(R"({"lambda": 0.5,})"), Contains("train.json") && Contains("not valid JSON"));
  // A number past double's range (found by fuzzing: it escaped as nlohmann's out_of_range).
  REQUIRE_THAT(config_error(R"({"lambda": 3333e3333})"), Contains("train.json") && Contains("not valid JSON"));
  REQUIRE_THAT(config_error(R"({"image": {"backbone": "torchscript"}})"), Contains("image.backbone_file"));
}

TEST_CASE("The built-in CNNs fix their feature size", "[model][config]") {
  REQUIRE_THAT(config_error(R"({"image": {"backbone": "resnet152", "feature_dim": 1000}})"),
               Contains("image.feature_dim") && Contains("resnet152 gives 2048"));
  gxn::ImageEncoderConfig vgg;
  vgg.backbone = gxn::Backbone::Vgg19;
  REQUIRE(gxn::image_feature_dim(vgg) == 4096);
}

TEST_CASE("The fingerprint follows the architecture, not paths or training settings", "[model][config]") {
  const auto base = custom_config();
  const auto fp = gxn::model_fingerprint(base);
  REQUIRE(gxn::fingerprint_hex(fp).size() == 16);

  auto same = base;
  same.image.backbone_file = "/elsewhere.pt";
  same.text.word_vectors = "";
  same.image.fine_tune = false;
  same.margin = 0.3;
  same.max_violation = false;
  REQUIRE(gxn::model_fingerprint(same) == fp);

  auto changes = [&](auto edit) {
    auto c = base;
    edit(c);
    return gxn::model_fingerprint(c) != fp;
  };
  REQUIRE(changes([](gxn::ModelConfig& c) { c.image.backbone = gxn::Backbone::Precomp; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.image.feature_dim = 513; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.text.vocab_size += 1; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.text.word_dim += 1; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.text.hidden_dim += 1; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.text.grounded_bidirectional = false; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.embed_dim += 1; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.l2_normalize = true; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.non_negative = true; }));
  REQUIRE(changes([](gxn::ModelConfig& c) { c.lambda = 0.5; }));
}
