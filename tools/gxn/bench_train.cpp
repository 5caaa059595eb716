// `gxn bench train`: the time of one embedding-path training step (precomputed features,
// word embeddings, BiGRU + GRU, projections, L_R+ over in-batch negatives, clipping, Adam), on
// random batches shaped like bench/train_step.py's, which times the same model in PyTorch. On
// a CUDA device each step ends when its loss is on the host, as train_step returns it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "command.hpp"
#include "gxn/engine/cpu.hpp"
#include "gxn/engine/io/npy.hpp"
#include "gxn/model/trainer.hpp"
#include "process_setup.hpp"

namespace gxn::cli {
namespace {

namespace fs = std::filesystem;

struct TrainBenchOptions {
  std::int64_t steps = 20, warmup = 3, batch = 128, img_dim = 2048, vocab = 10000;
  std::int64_t word_dim = 300, hidden = 1024, embed = 1024, max_len = 20;
  int threads = 2;
  std::uint64_t seed = 0;
  std::string device = "cpu";
};

// A precomp dataset whose training captions use every one of `vocab - 4` words, so the
// trainer's vocabulary (and W_e) has exactly `vocab` entries as in the PyTorch script.
void write_dataset(const fs::path& dir, const TrainBenchOptions& o) {
  const std::int64_t words = o.vocab - 4, per_caption = 10;
  const std::int64_t images = std::max<std::int64_t>(2, (words + 5 * per_caption - 1) / (5 * per_caption));
  std::mt19937_64 rng(o.seed);
  for (const auto& [split, n] : {std::pair{"train", images}, std::pair{"val", std::int64_t{2}}}) {
    std::vector<float> features(static_cast<std::size_t>(n * o.img_dim));
    for (auto& f : features) f = static_cast<float>(rng() % 1000) / 1000.0f;
    write_npy((dir / (std::string(split) + "_ims.npy")).string(), {n, o.img_dim}, features.data());
    std::ofstream caps(dir / (std::string(split) + "_caps.txt"));
    for (std::int64_t c = 0; c < 5 * n; ++c) {
      for (std::int64_t w = 0; w < per_caption; ++w) caps << (w ? " " : "") << "w" << (c * per_caption + w) % words;
      caps << "\n";
    }
  }
}

CaptionBatch random_batch(const TrainBenchOptions& o, std::mt19937_64& rng) {
  std::vector<std::vector<std::int64_t>> ids(static_cast<std::size_t>(o.batch));
  for (auto& caption : ids) {
    caption.resize(static_cast<std::size_t>(8 + rng() % (o.max_len - 7)));
    for (auto& id : caption) id = 4 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(o.vocab - 4));
  }
  CaptionBatch batch;
  batch.captions = caption_tensors(ids);
  batch.images = torch::rand({o.batch, o.img_dim});
  batch.image_rows = torch::arange(o.batch, torch::kInt64);
  batch.image_ids = torch::arange(o.batch, torch::kInt64);
  return batch;
}

void run_train_bench(const TrainBenchOptions& o) {
  if (o.steps < 1 || o.warmup < 0 || o.batch < 2 || o.max_len < 8 || o.vocab < 5)
    throw Error(ErrorCode::InvalidArgument, "bench train: need steps >= 1, batch >= 2, max-len >= 8, vocab >= 5");
  const fs::path dir = fs::temp_directory_path() / ("gxn-bench-train-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "data");
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};
  write_dataset(dir / "data", o);

  TrainConfig config;
  config.run.data_dir = (dir / "data").string();
  config.run.out_dir = (dir / "run").string();
  config.model.image.feature_dim = o.img_dim;
  config.model.text.word_dim = o.word_dim;
  config.model.text.hidden_dim = o.hidden;
  config.model.embed_dim = o.embed;
  config.batch_size = o.batch;
  config.min_word_count = 1;
  config.run.threads = o.threads;
  config.run.device = o.device;
  config.seed = o.seed;
  config.run.quiet = true;
  Trainer trainer(config);
  if (trainer.model()->config().text.vocab_size != o.vocab)
    throw Error(ErrorCode::Internal, "bench train: vocabulary of " +
                                         std::to_string(trainer.model()->config().text.vocab_size) + " words, not " +
                                         std::to_string(o.vocab));
  std::mt19937_64 rng(o.seed);
  std::vector<CaptionBatch> batches;
  for (std::int64_t i = 0; i < o.warmup + o.steps; ++i) batches.push_back(random_batch(o, rng));
  double loss = 0;
  auto start = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < o.warmup + o.steps; ++i) {
    if (i == o.warmup) start = std::chrono::steady_clock::now();
    loss = trainer.train_step(batches[static_cast<std::size_t>(i)]);
  }
  const double ms = 1000.0 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                    static_cast<double>(o.steps);
  std::printf("%s\n", nlohmann::json{{"gxn_step_ms", ms},
                                     {"steps", o.steps},
                                     {"final_loss", loss},
                                     {"device", o.device},
                                     {"blas_core", blas_core_name()}}
                          .dump()
                          .c_str());
}

void add_bench_train(CLI::App& bench) {
  auto o = std::make_shared<TrainBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "train", "One embedding-path training step (as bench/train_step.py times in PyTorch), in ms; prints JSON");
  cmd->add_option("--steps", o->steps, "timed steps")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "untimed steps first")->capture_default_str();
  cmd->add_option("--batch", o->batch, "captions (and images) per batch")->capture_default_str();
  cmd->add_option("--img-dim", o->img_dim, "precomputed feature size")->capture_default_str();
  cmd->add_option("--vocab", o->vocab, "vocabulary size, specials included")->capture_default_str();
  cmd->add_option("--word-dim", o->word_dim, "word embedding size")->capture_default_str();
  cmd->add_option("--hidden", o->hidden, "GRU hidden size")->capture_default_str();
  cmd->add_option("--embed", o->embed, "common space size")->capture_default_str();
  cmd->add_option("--max-len", o->max_len, "longest caption in words (shortest: 8)")->capture_default_str();
  cmd->add_option("--threads", o->threads, "threads")->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed")->capture_default_str();
  cmd->add_option("--device", o->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->callback([o] { run_train_bench(*o); });
}

}  // namespace

// `gxn bench` is made by bench.cpp; this adds its `train` sibling of `bench score`.
void add_train_benchmark(CLI::App& bench) { add_bench_train(bench); }

}  // namespace gxn::cli
