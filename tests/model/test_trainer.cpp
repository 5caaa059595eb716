#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gxn/engine/data/shapes_dataset.hpp"
#include "gxn/error.hpp"
#include "gxn/model/checkpoint.hpp"
#include "gxn/model/encoder.hpp"
#include "gxn/model/model_file.hpp"
#include "gxn/model/trainer.hpp"
#include "support/error_of.hpp"
#include "support/same_parameters.hpp"
#include "support/temp_dir.hpp"
#include "toy_captions.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::vector<std::string> csv_rows(const std::string& path) {
  std::istringstream in(read_bytes(path));
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(line);
  return rows;
}

// Each row of log.csv without its seconds column (the only one that may differ between runs).
std::vector<std::string> rows_without_time(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& row : csv_rows(path)) {
    std::vector<std::string> fields;
    std::stringstream ss(row);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    if (fields.size() >= 12) fields.erase(fields.begin() + 10);
    std::string joined;
    for (const auto& f : fields) joined += f + ",";
    out.push_back(joined);
  }
  return out;
}

}  // namespace

TEST_CASE("The embedding path overfits a tiny dataset: loss falls, R@1 on the training data far above chance",
          "[model][trainer]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), run.path.string());
  config.run.epochs = 25;
  config.learning_rate = 5e-3;
  gxn::Trainer trainer(config);
  const auto before = trainer.evaluate(trainer.train_data());
  const auto summary = trainer.train();
  REQUIRE(summary.finished);
  REQUIRE(summary.epochs.size() == 25);
  const double first = summary.epochs.front().train_loss, last = summary.epochs.back().train_loss;
  INFO("loss " << first << " -> " << last);
  REQUIRE(last < 0.25 * first);
  const auto after = trainer.evaluate(trainer.train_data());
  INFO("train R@1 i2t " << before.i2t.r1 << " -> " << after.i2t.r1 << ", t2i " << before.t2i.r1 << " -> "
                        << after.t2i.r1);
  // 32 images: chance R@1 is about 3% (t2i); captions without size leave two candidates.
  REQUIRE(after.t2i.r1 > 40.0);
  REQUIRE(after.i2t.r1 > 40.0);
  REQUIRE(after.rsum > before.rsum + 100.0);
  // The run's files.
  for (const char* name : {"best.gxn", "checkpoint.gxn", "log.csv", "vocab.txt", "config.json"})
    REQUIRE(fs::exists(run.path / name));
  const auto rows = csv_rows(gxn::train_log_path(run.path.string()));
  REQUIRE(rows.size() == 26);
  REQUIRE(rows[0] ==
          "epoch,lr,train_loss,i2t_r1,i2t_r5,i2t_r10,t2i_r1,t2i_r5,t2i_r10,rsum,seconds,best,ranking_loss,caption_loss,"
          "generator_loss,discriminator_loss,val_cider,batch_r1");
  REQUIRE(rows[1].rfind("1,0.005,", 0) == 0);
  // best.gxn is the best epoch's model: a model file that loads, with the run's vocabulary.
  const auto loaded = gxn::load_model(gxn::best_model_path(run.path.string()));
  REQUIRE(loaded.vocabulary == trainer.vocabulary().words());
  REQUIRE(summary.best.rsum == Approx(trainer.best_score()));
  const auto saved = gxn::read_train_config(run.file("config.json"));
  REQUIRE(saved.model.text.vocab_size == trainer.vocabulary().size());
  REQUIRE(saved.data_kind == gxn::DataKind::Precomp);
}

TEST_CASE("Resuming gives the weights of the uninterrupted run, bit for bit", "[model][trainer]") {
  TempDir data, straight, killed;
  toy::write_dataset(data.path.string());

  auto config = toy::config(data.path.string(), straight.path.string());
  gxn::Trainer a(config);
  a.train();

  SECTION("stopped at an epoch's end") {
    config.run.out_dir = killed.path.string();
    {
      gxn::Trainer b(config);
      gxn::TrainHooks hooks;
      hooks.on_epoch = [](const gxn::EpochReport&) { return false; };
      const auto s = b.train(hooks);
      REQUIRE(s.epochs_done == 1);
      REQUIRE_FALSE(s.finished);
    }
    gxn::Trainer c(config, gxn::Trainer::Start::Resume);
    REQUIRE(c.epochs_done() == 1);
    const auto s = c.train();
    REQUIRE(s.epochs_done == 2);
    REQUIRE(s.epochs.size() == 1);
    require_same_parameters(a.model(), c.model());
    REQUIRE(c.steps_done() == a.steps_done());
    REQUIRE(rows_without_time(gxn::train_log_path(straight.path.string())) ==
            rows_without_time(gxn::train_log_path(killed.path.string())));
  }

  SECTION("killed inside an epoch, after a step checkpoint") {
    config.run.out_dir = killed.path.string();
    config.run.checkpoint_steps = 3;
    {
      gxn::Trainer b(config);
      gxn::TrainHooks hooks;
      // 5 steps an epoch: the last checkpoint before step 9 is the one after step 6 (epoch 2, batch 1).
      hooks.on_step = [](std::int64_t step, double) { return step < 8; };
      b.train(hooks);
      REQUIRE(b.steps_done() == 8);
    }
    gxn::Trainer c(config, gxn::Trainer::Start::Resume);
    REQUIRE(c.steps_done() == 6);
    REQUIRE(c.epochs_done() == 1);
    c.train();
    require_same_parameters(a.model(), c.model());
    REQUIRE(rows_without_time(gxn::train_log_path(straight.path.string())) ==
            rows_without_time(gxn::train_log_path(killed.path.string())));
  }

  SECTION("resuming a finished run with more epochs continues its schedule") {
    config.run.out_dir = killed.path.string();
    config.run.epochs = 1;
    { gxn::Trainer(config).train(); }
    config.run.epochs = 2;
    gxn::Trainer c(config, gxn::Trainer::Start::Resume);
    c.train();
    require_same_parameters(a.model(), c.model());
  }
}

TEST_CASE("A resume refuses settings that change the run's trajectory and a fresh run refuses a used folder",
          "[model][trainer]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), run.path.string());
  config.run.epochs = 1;
  { gxn::Trainer(config).train(); }

  REQUIRE_THAT(error_of([&] { gxn::Trainer again(config); }),
               Contains("already holds a run") && Contains(run.path.string()));
  auto changed = config;
  changed.learning_rate = 0.1;
  REQUIRE_THAT(error_of([&] { gxn::Trainer t(changed, gxn::Trainer::Start::Resume); }),
               Contains("learning_rate") && Contains("checkpoint.gxn"));
  changed = config;
  changed.model.text.hidden_dim = 64;
  REQUIRE_THAT(error_of([&] { gxn::Trainer t(changed, gxn::Trainer::Start::Resume); }),
               Contains("model.text.hidden_dim"));
  // What may change: epochs, threads, quiet.
  changed = config;
  changed.run.epochs = 3;
  changed.run.threads = 2;
  gxn::Trainer ok(changed, gxn::Trainer::Start::Resume);
  REQUIRE(ok.epochs_done() == 1);
  // The config a checkpoint holds is the run's.
  const auto stored = gxn::read_checkpoint_config(gxn::checkpoint_path(run.path.string()));
  REQUIRE(stored.learning_rate == config.learning_rate);
  REQUIRE(stored.model.text.vocab_size == ok.vocabulary().size());
}

TEST_CASE("A NaN loss stops training with the epoch and step named and the last checkpoint kept", "[model][trainer]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), run.path.string());
  config.run.epochs = 3;
  gxn::Trainer trainer(config);
  gxn::TrainHooks hooks;
  hooks.on_epoch = [](const gxn::EpochReport&) { return false; };
  trainer.train(hooks);
  const std::string checkpoint = gxn::checkpoint_path(run.path.string());
  const std::string good = read_bytes(checkpoint);
  // Poison one weight, as a diverging step would.
  {
    torch::NoGradGuard no_grad;
    trainer.model()->image_to_abstract->parameters()[0].view(-1)[0] = std::numeric_limits<float>::infinity();
  }
  try {
    trainer.train();
    FAIL("training went on");
  } catch (const gxn::Error& e) {
    REQUIRE(e.code() == gxn::ErrorCode::NonFinite);
    REQUIRE_THAT(e.what(), Contains("diverged") && Contains("epoch 2") && Contains("step 6") && Contains("loss") &&
                               Contains(checkpoint) && Contains("after epoch 1") && Contains("is kept"));
  }
  REQUIRE(read_bytes(checkpoint) == good);
  gxn::Trainer resumed(config, gxn::Trainer::Start::Resume);
  for (const auto& p : resumed.model()->parameters()) REQUIRE(torch::isfinite(p).all().item<bool>());
}

TEST_CASE("Diverging in the first epoch: the error says no checkpoint exists yet", "[model][trainer]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  gxn::Trainer trainer(toy::config(data.path.string(), run.path.string()));
  {
    torch::NoGradGuard no_grad;
    trainer.model()->text_to_grounded->parameters()[0].view(-1)[3] = std::numeric_limits<float>::quiet_NaN();
  }
  REQUIRE_THAT(error_of([&] { trainer.train(); }),
               Contains("epoch 1, step 1 (batch 1 of 5)") && Contains("No checkpoint was written yet"));
  REQUIRE_FALSE(fs::exists(gxn::checkpoint_path(run.path.string())));
}

TEST_CASE("Max violation waits until the batch is separated, and a resumed run keeps the gate", "[model][trainer]") {
  TempDir data, straight, summed;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), straight.path.string());
  config.run.epochs = 6;
  config.learning_rate = 5e-3;
  config.model.max_violation = true;
  config.max_violation_warmup_epochs = 1;
  config.max_violation_batch_r1 = 0.2;
  gxn::Trainer a(config);
  std::vector<double> batch_r1;
  gxn::TrainHooks hooks;
  hooks.on_step = [&](std::int64_t, double) {
    batch_r1.push_back(a.last_step().batch_r1);
    return true;
  };
  a.train(hooks);
  const auto steps_per_epoch = static_cast<std::size_t>(a.steps_done() / 6);

  // The gate, replayed from the steps' batch recall: the first step after the warm-up epoch at
  // which the moving average of the steps before it has reached 0.2.
  double average = 0;
  std::int64_t expected = -1;
  for (std::size_t s = 0; s < batch_r1.size(); ++s) {
    if (expected < 0 && s >= steps_per_epoch && average >= 0.2) expected = static_cast<std::int64_t>(s);
    average = s == 0 ? batch_r1[s] : 0.9 * average + 0.1 * batch_r1[s];
  }
  std::ostringstream series;
  for (const double r : batch_r1) series << r << " ";
  INFO("batch R@1 by step: " << series.str());
  REQUIRE(batch_r1.front() < 0.2);
  REQUIRE(expected > static_cast<std::int64_t>(steps_per_epoch));  // it held past the warm-up
  REQUIRE(a.max_violation_step() == expected);

  // A threshold the batches never reach trains as the sum over negatives would, bit for bit.
  {
    auto never = config;
    never.max_violation_batch_r1 = 1.0;
    never.run.epochs = 2;
    never.run.out_dir = summed.path.string();
    gxn::Trainer gated(never);
    gated.train();
    REQUIRE(gated.max_violation_step() == -1);
    TempDir plain_run;
    never.model.max_violation = false;
    never.run.out_dir = plain_run.path.string();
    gxn::Trainer plain(never);
    plain.train();
    require_same_parameters(gated.model(), plain.model());
  }

  // Killed just before the gate opens (the average restored decides it) and just after (the
  // step it opened at is restored): the resumed runs end as the straight one.
  for (const std::int64_t kill_at : {expected, expected + 3}) {
    TempDir killed;
    auto resumed = config;
    resumed.run.out_dir = killed.path.string();
    resumed.run.checkpoint_steps = 1;
    {
      gxn::Trainer b(resumed);
      gxn::TrainHooks stop;
      stop.on_step = [&](std::int64_t step, double) { return step < kill_at; };
      b.train(stop);
    }
    gxn::Trainer c(resumed, gxn::Trainer::Start::Resume);
    INFO("killed at step " << kill_at << ", resumed after step " << c.steps_done());
    REQUIRE(c.max_violation_step() == (c.steps_done() > expected ? expected : -1));
    c.train();
    REQUIRE(c.max_violation_step() == expected);
    require_same_parameters(a.model(), c.model());
    REQUIRE(rows_without_time(gxn::train_log_path(straight.path.string())) ==
            rows_without_time(gxn::train_log_path(killed.path.string())));
  }
}

TEST_CASE("A checkpoint written before best_score reads its best_rsum as the score", "[model][trainer]") {
  const gxn::Checkpoint old(std::string(GXN_TEST_DATA) + "/checkpoint/before_best_score.gxn");
  CHECK(old.state().best_score == 420.0);
  CHECK(old.state().best_epoch == 1);
}

TEST_CASE("A damaged or truncated checkpoint is refused on resume by name", "[model][trainer]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), run.path.string());
  config.run.epochs = 1;
  { gxn::Trainer(config).train(); }
  const std::string checkpoint = gxn::checkpoint_path(run.path.string());
  const std::string good = read_bytes(checkpoint);
  auto resume_error = [&] { return error_of([&] { gxn::Trainer t(config, gxn::Trainer::Start::Resume); }); };

  write_bytes(checkpoint, good.substr(0, good.size() / 2));
  REQUIRE_THAT(resume_error(), Contains(checkpoint) && Contains("truncated"));
  std::string flipped = good;
  flipped[flipped.size() - 40] ^= 0x10;
  write_bytes(checkpoint, flipped);
  REQUIRE_THAT(resume_error(), Contains(checkpoint) && Contains("checksum"));
  write_bytes(checkpoint, read_bytes(gxn::best_model_path(run.path.string())));
  REQUIRE_THAT(resume_error(), Contains("not a gxn checkpoint"));
  fs::remove(checkpoint);
  REQUIRE_THAT(resume_error(), Contains(checkpoint) && Contains("no such file"));
  write_bytes(checkpoint, good);
  REQUIRE(resume_error() == "no error");
}

TEST_CASE("train_step returns the summed ranking loss and refuses a NaN before touching the weights",
          "[model][trainer]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  gxn::Trainer trainer(toy::config(data.path.string(), run.path.string()));
  auto batch = trainer.train_data().batch({0, 1, 5, 6, 10});
  REQUIRE(batch.image_ids.equal(torch::tensor({0, 0, 1, 1, 2}, torch::kInt64)));
  REQUIRE(batch.image_rows.equal(torch::tensor({0, 0, 1, 1, 2}, torch::kInt64)));
  REQUIRE(batch.images.size(0) == 3);
  const double loss = trainer.train_step(batch);
  REQUIRE(loss > 0);
  REQUIRE(trainer.steps_done() == 1);
  std::vector<torch::Tensor> before;
  for (const auto& p : trainer.model()->parameters()) before.push_back(p.detach().clone());
  batch.images[0][0] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE_THAT(error_of([&] { trainer.train_step(batch); }), Contains("diverged") && Contains("nan"));
  const auto after = trainer.model()->parameters();
  for (std::size_t i = 0; i < before.size(); ++i) REQUIRE(torch::equal(before[i], after[i]));
  REQUIRE(trainer.steps_done() == 1);
}

TEST_CASE("A config and data that disagree are refused before training", "[model][trainer]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), run.path.string());
  config.model.image.feature_dim = 8;
  REQUIRE_THAT(error_of([&] { gxn::Trainer t(config); }),
               Contains("train_ims.npy holds 16-d features") && Contains("model.image.feature_dim = 8"));
  config = toy::config(data.path.string(), run.path.string());
  config.model.image.backbone = gxn::Backbone::CnnSmall;
  REQUIRE_THAT(error_of([&] { gxn::Trainer t(config); }), Contains("must be precomp"));
  config = toy::config((data.path / "missing").string(), run.path.string());
  REQUIRE_THAT(error_of([&] { gxn::Trainer t(config); }), Contains("missing") && Contains("no such data"));
  if (!torch::cuda::is_available()) {
    config = toy::config(data.path.string(), run.path.string());
    config.run.device = "cuda";
    REQUIRE_THAT(error_of([&] { gxn::Trainer t(config); }), Contains("device") && Contains("CUDA"));
  }
}

namespace {

double max_difference(const gxn::Matrix& a, const gxn::Matrix& b) {
  REQUIRE(a.values().size() == b.values().size());
  double worst = 0;
  for (std::size_t i = 0; i < a.values().size(); ++i)
    worst = std::max(worst, static_cast<double>(std::abs(a.values()[i] - b.values()[i])));
  return worst;
}

}  // namespace

TEST_CASE("Training on a CUDA device follows the CPU run, and its model file runs on either device",
          "[model][trainer][cuda]") {
  if (!torch::cuda::is_available()) {
    WARN("SKIPPED [cuda]: no CUDA device here, or a LibTorch without CUDA");
    return;
  }
  TempDir data, on_cpu, on_gpu;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), on_cpu.path.string());
  const auto cpu = gxn::Trainer(config).train();
  config.run.out_dir = on_gpu.path.string();
  config.run.device = "cuda";
  const auto gpu = gxn::Trainer(config).train();
  // The same draws (they come from CPU generators on either device): the runs differ by
  // rounding alone.
  REQUIRE(gpu.epochs.size() == cpu.epochs.size());
  for (std::size_t e = 0; e < cpu.epochs.size(); ++e)
    CHECK(gpu.epochs[e].train_loss == Approx(cpu.epochs[e].train_loss).epsilon(1e-3));
  // The GPU run's file holds CPU tensors: it loads here and encodes as the CPU run's model
  // does, and on the GPU as on the CPU.
  std::vector<std::string> captions;
  std::ifstream lines(data.file("val_caps.txt"));
  for (std::string line; captions.size() < 16 && std::getline(lines, line);) captions.push_back(line);
  gxn::EncoderOptions cuda;
  cuda.device = torch::Device(torch::kCUDA);
  const auto cpu_file = gxn::best_model_path(on_cpu.path.string()),
             gpu_file = gxn::best_model_path(on_gpu.path.string());
  const gxn::Matrix cpu_trained = gxn::Encoder(cpu_file).encode_texts(captions);
  const gxn::Matrix gpu_trained = gxn::Encoder(gpu_file).encode_texts(captions);
  const gxn::Matrix gpu_trained_on_gpu = gxn::Encoder(gpu_file, cuda).encode_texts(captions);
  CHECK(max_difference(cpu_trained, gpu_trained) < 1e-2);
  CHECK(max_difference(gpu_trained, gpu_trained_on_gpu) < 1e-4);
}

TEST_CASE("cnn-small trains on shapes images decoded once into the cache", "[model][trainer]") {
  TempDir data, run;
  gxn::ShapesDatasetOptions shapes;
  shapes.images = 40;  // 32 train, 4 val, 4 test
  gxn::write_shapes_dataset(data.path.string(), shapes);
  gxn::TrainConfig config;
  config.model.image.backbone = gxn::Backbone::CnnSmall;
  config.model.text.word_dim = 16;
  config.model.text.hidden_dim = 32;
  config.model.embed_dim = 32;
  config.run.data_dir = data.path.string();
  config.run.out_dir = run.path.string();
  config.run.epochs = 1;
  config.batch_size = 32;
  config.run.threads = 2;
  config.run.quiet = true;
  gxn::Trainer trainer(config);
  REQUIRE(*trainer.config().data_kind == gxn::DataKind::Images);
  REQUIRE(trainer.train_data().image_count() == 32);
  const auto summary = trainer.train();
  REQUIRE(summary.finished);
  REQUIRE(std::isfinite(summary.epochs[0].train_loss));
  REQUIRE(summary.epochs[0].train_loss > 0);
  REQUIRE(trainer.train_data().cached_images() == 32);
  REQUIRE(trainer.train_data().cached_bytes() == 32 * 64 * 64 * 3);
  REQUIRE(trainer.val_data().image_count() == 4);
  const auto loaded = gxn::load_model(gxn::best_model_path(run.path.string()));
  REQUIRE(loaded.model->config().image.backbone == gxn::Backbone::CnnSmall);
}

TEST_CASE("sampling = images visits every image once an epoch with some or all of its captions, and resumes exactly",
          "[model][trainer]") {
  // 32 images; 8 images a step either way: 4 steps an epoch.
  const auto [batch_size, per_image] =
      GENERATE(std::pair<std::int64_t, std::int64_t>{40, 5}, std::pair<std::int64_t, std::int64_t>{16, 2});
  INFO("batch_size " << batch_size << ", captions_per_image " << per_image);
  TempDir data, straight, killed;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), straight.path.string());
  config.sampling = gxn::BatchSampling::Images;
  config.batch_size = batch_size;
  config.captions_per_image = per_image;
  gxn::Trainer a(config);
  std::vector<double> losses;
  gxn::TrainHooks record;
  record.on_step = [&](std::int64_t, double loss) {
    losses.push_back(loss);
    return true;
  };
  a.train(record);
  REQUIRE(a.steps_done() == 8);

  config.run.out_dir = killed.path.string();
  config.run.checkpoint_steps = 2;
  {
    gxn::Trainer b(config);
    gxn::TrainHooks hooks;
    hooks.on_step = [](std::int64_t step, double) { return step < 7; };
    b.train(hooks);
  }
  gxn::Trainer c(config, gxn::Trainer::Start::Resume);
  REQUIRE(c.steps_done() == 6);
  std::vector<double> resumed;
  record.on_step = [&](std::int64_t, double loss) {
    resumed.push_back(loss);
    return true;
  };
  c.train(record);
  REQUIRE(resumed == std::vector<double>(losses.begin() + 6, losses.end()));
  require_same_parameters(a.model(), c.model());
}

TEST_CASE("captions_per_image draws different captions of each image in different epochs", "[model][trainer]") {
  TempDir data, run;
  toy::write_dataset(data.path.string());
  auto config = toy::config(data.path.string(), run.path.string());
  config.sampling = gxn::BatchSampling::Images;
  config.captions_per_image = 1;
  config.batch_size = 32;  // the whole training split in one step: its loss shows which captions came
  config.run.epochs = 3;
  config.learning_rate = 1e-12;  // the weights barely move, the captions do
  gxn::Trainer trainer(config);
  std::vector<double> losses;
  gxn::TrainHooks record;
  record.on_step = [&](std::int64_t, double loss) {
    losses.push_back(loss);
    return true;
  };
  trainer.train(record);
  REQUIRE(losses.size() == 3);
  REQUIRE(losses[0] != losses[1]);
  REQUIRE(losses[1] != losses[2]);
}
