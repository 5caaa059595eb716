// The three paths trained together (trainer.hpp): every loss finite, every module learning,
// exact resumption with D's optimiser, and what the trained model imagines through Encoder.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "gxn/engine/data/shapes_dataset.hpp"
#include "gxn/engine/io/image.hpp"
#include "gxn/error.hpp"
#include "gxn/model/encoder.hpp"
#include "gxn/model/model_file.hpp"
#include "gxn/model/trainer.hpp"
#include "gxn/model/training_optimizers.hpp"
#include "support/same_parameters.hpp"
#include "support/temp_dir.hpp"
#include "toy_captions.hpp"

using Catch::Matchers::Contains;

namespace {

// A tiny model of every path on 40 shapes scenes (32 train): 4 steps an epoch.
gxn::TrainConfig joint_config(const std::string& data, const std::string& out) {
  gxn::TrainConfig c;
  c.model.image.backbone = gxn::Backbone::CnnSmall;
  c.model.image.crop = 32;
  c.model.text.word_dim = 16;
  c.model.text.hidden_dim = 32;
  c.model.embed_dim = 32;
  c.model.decoder.word_dim = 16;
  c.model.decoder.hidden_dim = 32;
  c.model.generator.condition_dim = 8;
  c.model.generator.noise_dim = 8;
  c.model.generator.generator_channels = 16;
  c.model.generator.discriminator_channels = 8;
  c.model.generator.discriminator_text_dim = 8;
  c.model.paths = {true, true, true};
  c.xe_epochs = 1;  // epoch 1 cross-entropy only, epoch 2 with self-critical training
  c.sampling = gxn::BatchSampling::Images;
  c.batch_size = 40;
  c.run.epochs = 2;
  c.learning_rate = 2e-3;
  c.run.threads = 1;
  c.run.quiet = true;
  c.run.data_dir = data;
  c.run.out_dir = out;
  return c;
}

void write_shapes(const std::string& dir) {
  gxn::ShapesDatasetOptions shapes;
  shapes.images = 40;
  gxn::write_shapes_dataset(dir, shapes);
}

// The first scene's image file.
std::string first_image(const TempDir& data) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(data.path / "images"))
    names.push_back(entry.path().string());
  std::sort(names.begin(), names.end());
  return names.at(0);
}

std::map<std::string, torch::Tensor> snapshot(gxn::GxnModel& model) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : model->named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
}

// Whether any parameter under `prefix` differs from the snapshot.
bool changed(gxn::GxnModel& model, const std::map<std::string, torch::Tensor>& before, const std::string& prefix) {
  for (const auto& p : model->named_parameters())
    if (p.key().rfind(prefix, 0) == 0 && !torch::equal(p.value(), before.at(p.key()))) return true;
  return false;
}

}  // namespace

TEST_CASE("All three paths train jointly: finite losses, every module learns, the model captions and imagines",
          "[model][trainer][joint]") {
  TempDir data, run;
  write_shapes(data.path.string());
  gxn::Trainer trainer(joint_config(data.path.string(), run.path.string()));
  REQUIRE(trainer.model()->has_decoder());
  REQUIRE(trainer.model()->has_generator());
  // The decoder may write as many words as the longest training caption has, and no more.
  std::int64_t longest = 0;
  for (std::int64_t j = 0; j < trainer.train_data().caption_count(); ++j)
    longest =
        std::max<std::int64_t>(longest, static_cast<std::int64_t>(trainer.train_data().caption_ids(j).size()) - 2);
  REQUIRE(trainer.config().model.decoder.max_length == longest);
  REQUIRE(trainer.model()->config().decoder.max_length == longest);
  const auto before = snapshot(trainer.model());
  const auto summary = trainer.train();
  REQUIRE(summary.finished);
  for (const auto& epoch : summary.epochs) {
    INFO("epoch " << epoch.epoch);
    for (double loss :
         {epoch.losses.ranking, epoch.losses.caption, epoch.losses.generator, epoch.losses.discriminator}) {
      REQUIRE(std::isfinite(loss));
      REQUIRE(loss > 0);
    }
    REQUIRE(std::isfinite(epoch.val_cider));
    REQUIRE(epoch.val_cider >= 0);
  }
  for (const char* module : {"image_encoder.", "text_encoder.", "caption_decoder.", "conditioning.", "image_generator.",
                             "image_discriminator."}) {
    INFO(module);
    REQUIRE(changed(trainer.model(), before, module));
  }
  REQUIRE(trainer.model()->caption_decoder->image_mean.abs().sum().item<double>() > 0);  // tracked every step

  const gxn::Encoder encoder(gxn::best_model_path(run.path.string()));
  REQUIRE(encoder.can_caption());
  REQUIRE(encoder.can_imagine());
  const auto captions = encoder.caption_images(std::vector<std::string>{first_image(data)});
  REQUIRE(captions.size() == 1);
  const auto images = encoder.imagine("a red circle", 3, 7);
  REQUIRE(images.size() == 3);
  REQUIRE(images[0].width == 64);
  REQUIRE(images[0].height == 64);
  REQUIRE(images[0].pixels != images[1].pixels);                                 // one image per noise vector
  REQUIRE(encoder.imagine("a red circle", 3, 7)[2].pixels == images[2].pixels);  // the seed decides
  REQUIRE(encoder.imagine("a red circle", 1, 8)[0].pixels != images[0].pixels);
}

TEST_CASE("Two threads train the caption side and the image side at once, to the very weights one thread gives",
          "[model][trainer][joint]") {
  TempDir data, one, two;
  write_shapes(data.path.string());
  gxn::TrainConfig config = joint_config(data.path.string(), one.path.string());
  gxn::Trainer a(config);
  a.train();
  config.run.out_dir = two.path.string();
  config.run.threads = 2;
  gxn::Trainer b(config);
  b.train();
  require_same_parameters(a.model(), b.model());
}

TEST_CASE("A joint run resumes bit for bit, D's optimiser and the self-critical switch included",
          "[model][trainer][joint]") {
  TempDir data, straight, killed;
  write_shapes(data.path.string());
  gxn::Trainer a(joint_config(data.path.string(), straight.path.string()));
  a.train();
  {
    gxn::Trainer b(joint_config(data.path.string(), killed.path.string()));
    gxn::TrainHooks hooks;
    hooks.on_epoch = [](const gxn::EpochReport&) { return false; };
    REQUIRE(b.train(hooks).epochs_done == 1);
  }
  gxn::Trainer c(joint_config(data.path.string(), killed.path.string()), gxn::Trainer::Start::Resume);
  c.train();
  require_same_parameters(a.model(), c.model());
}

TEST_CASE("The t2i path trains on precomputed features when the split names its image files",
          "[model][trainer][joint]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  std::filesystem::create_directories(data.path / "images");
  std::ofstream list(data.path / "train_images.txt");
  for (int i = 0; i < 32; ++i) {  // image i: its colour (toy item i % 4) filling a 16x16 square
    static const std::uint8_t rgb[4][3] = {{220, 30, 30}, {30, 200, 30}, {30, 30, 220}, {230, 220, 30}};
    gxn::Image image(16, 16);
    for (std::size_t p = 0; p < image.pixels.size(); ++p) image.pixels[p] = rgb[i % 4][p % 3];
    gxn::write_png((data.path / "images" / (std::to_string(i) + ".png")).string(), image);
    list << i << ".png\n";
  }
  list.close();
  auto config = toy::config(data.path.string(), run.path.string());
  const auto small = joint_config("", "");
  config.model.generator = small.model.generator;
  config.model.paths.t2i = true;
  config.run.epochs = 1;
  gxn::Trainer trainer(config);
  const auto before = snapshot(trainer.model());
  const auto summary = trainer.train();
  REQUIRE(summary.finished);
  REQUIRE(std::isfinite(summary.epochs[0].losses.generator));
  REQUIRE(std::isfinite(summary.epochs[0].losses.discriminator));
  for (const char* module : {"text_encoder.", "conditioning.", "image_generator.", "image_discriminator."}) {
    INFO(module);
    REQUIRE(changed(trainer.model(), before, module));
  }
  const gxn::Encoder encoder(gxn::best_model_path(run.path.string()));
  REQUIRE(encoder.imagine("a large red star", 2, 1).size() == 2);
}

TEST_CASE("Paths a run cannot train, and generative calls on a model without them, are clear errors",
          "[model][trainer][joint][bad-input]") {
  TempDir data, run;
  SECTION("t2i needs image files: precomputed features without an image list are refused") {
    toy::write_dataset(data.path.string());
    auto config = toy::config(data.path.string(), run.path.string());
    config.model.paths.t2i = true;
    REQUIRE_THROWS_WITH(gxn::Trainer(config),
                        Contains("t2i") && Contains("image files") && Contains("train_images.txt"));
  }
  SECTION("caption and imagine on an embedding-only model") {
    write_shapes(data.path.string());
    auto config = joint_config(data.path.string(), run.path.string());
    config.model.paths = {};
    config.run.epochs = 1;
    gxn::Trainer(config).train();
    const gxn::Encoder encoder(gxn::best_model_path(run.path.string()));
    REQUIRE_FALSE(encoder.can_caption());
    REQUIRE_THROWS_WITH(encoder.caption_images(std::vector<std::string>{first_image(data)}),
                        Contains("no caption decoder") && Contains("i2t"));
    REQUIRE_THROWS_WITH(encoder.imagine("a red circle", 2), Contains("no image generator") && Contains("t2i"));
  }
}

TEST_CASE("generative_lr_scale steps RNN_Dec, the conditioning augmentation and G that many times faster, and resumes",
          "[model][trainer][joint]") {
  TempDir data, run;
  write_shapes(data.path.string());
  gxn::TrainConfig config = joint_config(data.path.string(), run.path.string());
  config.learning_rate = 1e-3;
  config.generative_lr_scale = 4;
  gxn::Trainer trainer(config);
  const auto before = snapshot(trainer.model());
  trainer.train_step(trainer.train_data().batch({0, 5, 10, 15, 20, 25}));
  // Adam's first step moves each weight whose gradient is not 0 by its rate: lr g / (|g| + eps).
  auto largest_step = [&](const std::string& prefix) {
    double largest = 0;
    for (const auto& p : trainer.model()->named_parameters())
      if (p.key().rfind(prefix, 0) == 0)
        largest = std::max(largest, (p.value() - before.at(p.key())).abs().max().item<double>());
    return largest;
  };
  for (const char* module : {"image_encoder.", "text_encoder.", "image_to_grounded.", "text_to_abstract."}) {
    INFO(module);
    REQUIRE(largest_step(module) == Approx(1e-3).epsilon(0.01));
  }
  for (const char* module : {"caption_decoder.", "conditioning.", "image_generator."}) {
    INFO(module);
    REQUIRE(largest_step(module) == Approx(4e-3).epsilon(0.01));
  }
  REQUIRE(largest_step("image_discriminator.") == Approx(config.discriminator_learning_rate).epsilon(0.01));

  // The schedule moves both rates; one rate for all keeps the one-group layout of older checkpoints.
  gxn::TrainingOptimizers optimizers(trainer.model(), config, 1e-3);
  optimizers.set_learning_rate(5e-4);
  const auto& groups = optimizers.shared->param_groups();
  REQUIRE(groups.size() == 2);
  REQUIRE(static_cast<const torch::optim::AdamOptions&>(groups[0].options()).lr() == Approx(5e-4));
  REQUIRE(static_cast<const torch::optim::AdamOptions&>(groups[1].options()).lr() == Approx(2e-3));
  config.generative_lr_scale = 1;
  REQUIRE(gxn::TrainingOptimizers(trainer.model(), config, 1e-3).shared->param_groups().size() == 1);
  config.generative_lr_scale = 4;

  // A resumed run restores both groups' moments and rates (the second epoch runs at a tenth).
  TempDir straight, killed;
  config.lr_decay_epochs = 1;
  config.run.out_dir = straight.path.string();
  gxn::Trainer a(config);
  a.train();
  config.run.out_dir = killed.path.string();
  {
    gxn::Trainer b(config);
    gxn::TrainHooks hooks;
    hooks.on_epoch = [](const gxn::EpochReport&) { return false; };
    REQUIRE(b.train(hooks).epochs_done == 1);
  }
  gxn::Trainer c(config, gxn::Trainer::Start::Resume);
  c.train();
  require_same_parameters(a.model(), c.model());
}
