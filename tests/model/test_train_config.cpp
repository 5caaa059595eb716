#include <catch2/catch.hpp>

#include "gxn/error.hpp"
#include "gxn/model/train_config.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;

namespace {

std::string config_error(const std::string& json) {
  return error_of([&] { gxn::train_config_from_json(json, "train.json"); });
}

}  // namespace

TEST_CASE("A training config survives a JSON round trip", "[model][train_config]") {
  gxn::TrainConfig c;
  c.model.image.backbone = gxn::Backbone::CnnSmall;
  c.model.text.word_dim = 32;
  c.model.max_violation = true;
  c.run.data_dir = "/data/shapes";
  c.data_kind = gxn::DataKind::Images;
  c.run.image_dir = "/data/shapes/pics";
  c.run.epochs = 7;
  c.batch_size = 64;
  c.sampling = gxn::BatchSampling::Images;
  c.captions_per_image = 2;
  c.learning_rate = 1e-3;
  c.lr_decay = 0.5;
  c.lr_decay_epochs = 3;
  c.grad_clip = 0;
  c.seed = 18446744073709551615ull;
  c.run.threads = 2;
  c.run.device = "cuda:1";
  c.min_word_count = 2;
  c.max_caption_tokens = 40;
  c.val_max_images = 100;
  c.run.image_cache_mb = 64;
  c.run.checkpoint_steps = 500;
  c.run.quiet = true;
  c.run.out_dir = "/runs/a";
  c.model.paths = {true, true, true};
  c.model.decoder.hidden_dim = 64;
  c.model.generator.noise_dim = 20;
  c.caption_weight = 0.5;
  c.imagine_weight = 0.25;
  c.xe_epochs = 2;
  c.rl_weight = 0.7;
  c.reward = gxn::CaptionRewardKind::Bleu4;
  c.sample_temperature = 0.8;
  c.kl_weight = 1.5;
  c.fake_weight = 0.4;
  c.wrong_weight = 0.6;
  c.discriminator_learning_rate = 1e-3;
  c.max_violation_warmup_epochs = 2;
  c.max_violation_batch_r1 = 0.4;
  const auto back = gxn::train_config_from_json(gxn::to_json(c), "test");
  REQUIRE(gxn::to_json(back) == gxn::to_json(c));
  REQUIRE(back.seed == c.seed);
  REQUIRE(back.model.image.backbone == gxn::Backbone::CnnSmall);
  REQUIRE(back.data_kind == gxn::DataKind::Images);
  REQUIRE(back.run.device == "cuda:1");
  REQUIRE(back.sampling == gxn::BatchSampling::Images);
  REQUIRE(back.captions_per_image == 2);
  REQUIRE(back.model.paths.i2t);
  REQUIRE(back.model.paths.t2i);
  REQUIRE(back.model.decoder.hidden_dim == 64);
  REQUIRE(back.model.generator.noise_dim == 20);
  REQUIRE(back.reward == gxn::CaptionRewardKind::Bleu4);
  REQUIRE(back.rl_weight == 0.7);
  REQUIRE(back.max_violation_batch_r1 == 0.4);
  const auto defaults = gxn::train_config_from_json("{}", "t");
  REQUIRE_FALSE(defaults.data_kind);
  REQUIRE(defaults.batch_size == 128);
  REQUIRE(defaults.learning_rate == 2e-4);
  REQUIRE(defaults.grad_clip == 2.0);
  REQUIRE(defaults.min_word_count == 4);
  REQUIRE(defaults.sampling == gxn::BatchSampling::Captions);
  REQUIRE(gxn::to_string(defaults.model.paths) == "embedding");
}

TEST_CASE("Training paths: parsed by name, and they decide the model's generative modules", "[model][train_config]") {
  REQUIRE(gxn::to_string(gxn::parse_training_paths("t2i,embedding")) == "embedding,t2i");
  REQUIRE(gxn::to_string(gxn::parse_training_paths("i2t")) == "i2t");
  REQUIRE_THROWS_WITH(gxn::parse_training_paths("embedding,gan"), Contains("'gan'") && Contains("embedding, i2t, t2i"));
  REQUIRE_THROWS_WITH(gxn::parse_training_paths(""), Contains("names no training path"));
  REQUIRE_THAT(config_error(R"({"model": {"paths": "embedding,x"}})"),
               Contains("train.json") && Contains("'model.paths'") && Contains("'x'"));
  REQUIRE_THAT(config_error(R"({"reward": "meteor"})"), Contains("'reward'") && Contains("cider, bleu4"));
  REQUIRE_THAT(config_error(R"({"rl_weight": 1.5})"), Contains("rl_weight"));
  REQUIRE_THAT(config_error(R"({"model": {"paths": "i2t", "decoder": {"max_length": 1001}}})"),
               Contains("decoder.max_length"));
  REQUIRE_THAT(config_error(R"({"model": {"decoder": {"beams": 3}}})"), Contains("'model.decoder.beams'"));
  // The paths alone decide which generative modules a model has; a module's settings are
  // checked only when its path is trained.
  REQUIRE_THAT(config_error(R"({"model": {"generator": {"enabled": true}}})"), Contains("'model.generator.enabled'"));
  REQUIRE_THAT(config_error(R"({"model": {"decoder": {"max_length": 1001}}})"), Contains("no error"));
  gxn::TrainConfig odd;
  odd.model.generator.generator_channels = 15;
  REQUIRE_NOTHROW(gxn::validate(odd));
  odd.model.paths.t2i = true;
  REQUIRE_THROWS_WITH(gxn::validate(odd), Contains("model.generator.generator_channels"));
}

TEST_CASE("A resume keeps everything but the run settings", "[model][train_config]") {
  gxn::TrainConfig stored;
  stored.model.image.backbone_file = "/weights/a.pt";
  gxn::TrainConfig given = stored;
  given.run.epochs = 50;
  given.run.threads = 3;
  given.run.data_dir = "/moved/data";
  given.model.image.backbone_file = "/weights/moved.pt";  // it only initialised the weights
  REQUIRE(gxn::trajectory_difference(stored, given).empty());
  given.batch_size = 64;
  REQUIRE(gxn::trajectory_difference(stored, given) == "batch_size = 128, not 64");
  given = stored;
  given.model.text.word_dim = 7;
  REQUIRE(gxn::trajectory_difference(stored, given) == "model.text.word_dim = 300, not 7");
}

TEST_CASE("Every config key is listed with its type, default and range", "[model][train_config]") {
  const std::string keys = gxn::train_config_keys();
  REQUIRE_THAT(keys, Contains("model.text.word_dim") && Contains("1..65536"));
  REQUIRE_THAT(keys, Contains("learning_rate") && Contains("above 0, up to 10"));
  REQUIRE_THAT(keys, Contains("max_caption_tokens") && Contains("0 or 3..100000"));
  REQUIRE_THAT(keys, Contains("device") && Contains("cpu, cuda, cuda:N"));
  REQUIRE_THAT(keys, Contains("model.paths") && Contains("\"embedding\""));
}

TEST_CASE("The learning rate decays by steps", "[model][train_config]") {
  gxn::TrainConfig c;  // 2e-4, x0.1 every 15 epochs
  REQUIRE(gxn::learning_rate_at(c, 0) == 2e-4);
  REQUIRE(gxn::learning_rate_at(c, 14) == 2e-4);
  REQUIRE(gxn::learning_rate_at(c, 15) == Approx(2e-5).epsilon(1e-12));
  REQUIRE(gxn::learning_rate_at(c, 30) == Approx(2e-6).epsilon(1e-12));
  c.lr_decay_epochs = 0;
  REQUIRE(gxn::learning_rate_at(c, 100) == 2e-4);
}

TEST_CASE("A training config with an unknown key or an out-of-range value names it", "[model][train_config]") {
  REQUIRE_THAT(config_error(R"({"epoch": 3})"),
               Contains("train.json") && Contains("'epoch'") && Contains("not a known key"));
  REQUIRE_THAT(config_error(R"({"model": {"text": {"hiden_dim": 5}}})"), Contains("'model.text.hiden_dim'"));
  REQUIRE_THAT(config_error(R"({"model": {"embed_dim": 0}})"), Contains("model.embed_dim") && Contains("1..65536"));
  REQUIRE_THAT(config_error(R"({"model": {"image": {"backbone": "resnet50"}}})"),
               Contains("model.image") && Contains("resnet50"));
  REQUIRE_THAT(config_error(R"({"batch_size": 1})"), Contains("batch_size") && Contains("2..65536"));
  REQUIRE_THAT(config_error(R"({"epochs": 0})"), Contains("epochs") && Contains("1.."));
  REQUIRE_THAT(config_error(R"({"learning_rate": 0})"), Contains("learning_rate") && Contains("above 0"));
  REQUIRE_THAT(config_error(R"({"learning_rate": -1e-3})"), Contains("learning_rate"));
  REQUIRE_THAT(config_error(R"({"lr_decay": 1.5})"), Contains("lr_decay"));
  REQUIRE_THAT(config_error(R"({"max_violation_batch_r1": 1.5})"),
               Contains("max_violation_batch_r1") && Contains("0..1"));
  REQUIRE_THAT(config_error(R"({"grad_clip": -1})"), Contains("grad_clip"));
  REQUIRE_THAT(config_error(R"({"threads": -2})"), Contains("threads"));
  REQUIRE_THAT(config_error(R"({"threads": 5000000000})"), Contains("threads") && Contains("out of range"));
  REQUIRE_THAT(config_error(R"({"seed": -1})"), Contains("'seed'") && Contains("non-negative"));
  REQUIRE_THAT(config_error(R"({"device": "tpu"})"), Contains("device") && Contains("cpu, cuda, cuda:N"));
  REQUIRE_THAT(config_error(R"({"device": "cuda:x"})"), Contains("device"));
  REQUIRE_THAT(config_error(R"({"min_word_count": 0})"), Contains("min_word_count"));
  REQUIRE_THAT(config_error(R"({"max_caption_tokens": 2})"), Contains("max_caption_tokens") && Contains("3.."));
  REQUIRE_THAT(config_error(R"({"val_max_images": -1})"), Contains("val_max_images"));
  REQUIRE_THAT(config_error(R"({"data_kind": "video"})"), Contains("data_kind") && Contains("precomp, images, auto"));
  REQUIRE_THAT(config_error(R"({"sampling": "words"})"), Contains("sampling") && Contains("captions, images"));
  REQUIRE_THAT(config_error(R"({"sampling": "images", "batch_size": 8})"),
               Contains("batch_size") && Contains("sampling"));
  REQUIRE_THAT(config_error(R"({"sampling": "images", "captions_per_image": 6})"),
               Contains("captions_per_image") && Contains("1..5"));
  REQUIRE_THAT(config_error(R"({"captions_per_image": 2})"),
               Contains("captions_per_image") && Contains("sampling = images"));
  REQUIRE_THAT(config_error(R"({"quiet": "yes"})"), Contains("'quiet'") && Contains("true or false"));
  REQUIRE_THAT(config_error(R"({"epochs": 3,})"), Contains("not valid JSON"));
  REQUIRE_THAT(config_error("3333e3333"), Contains("not valid JSON"));  // fuzzing's finding, as it was
  REQUIRE_THAT(config_error(R"([1, 2])"), Contains("object"));
}

TEST_CASE("read_train_config names a missing file", "[model][train_config]") {
  TempDir dir;
  try {
    gxn::read_train_config(dir.file("nope.json"));
    FAIL("no error");
  } catch (const gxn::Error& e) {
    REQUIRE(e.code() == gxn::ErrorCode::NotFound);
    REQUIRE_THAT(e.what(), Contains("nope.json"));
  }
}

TEST_CASE("The demo config is valid and trains cnn-small", "[model][train_config]") {
  const auto c = gxn::demo_train_config();
  REQUIRE_NOTHROW(gxn::validate(c));
  REQUIRE(c.model.image.backbone == gxn::Backbone::CnnSmall);
  REQUIRE(gxn::to_string(c.model.paths) == "embedding,i2t,t2i");
}
