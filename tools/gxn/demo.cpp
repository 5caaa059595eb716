// `gxn demo`: the whole path on data gxn makes itself. Generates the shapes dataset (if the
// folder has none), trains all three paths jointly (resuming a run the folder already holds),
// then evaluates retrieval and captioning on the test split, answers example queries both ways
// (with what the model imagines for them) and writes DIR/model.gxn, DIR/metrics.json (as
// `gxn eval --captions --json`) and DIR/report.html.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"
#include "encoder_args.hpp"
#include "eval_output.hpp"
#include "gxn/engine/data/evaluation_split.hpp"
#include "gxn/engine/data/shapes_dataset.hpp"
#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/progress.hpp"
#include "gxn/model/trainer.hpp"

namespace gxn::cli {
namespace {

namespace fs = std::filesystem;

struct DemoArgs {
  std::string out = "gxn-demo";
  std::int64_t images = 12000;
  std::uint64_t seed = 1;
  std::int64_t epochs = 0;  // 0: the demo config's
  int threads = 0;
  std::string device = "cpu";
  bool quiet = false;
};

void say(const DemoArgs& args, const std::string& line) {
  if (!args.quiet) std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void make_data(const DemoArgs& args, const std::string& data_dir) {
  if (fs::exists(fs::path(data_dir) / "dataset.json")) {
    say(args, "data: " + data_dir + " (already there)");
    return;
  }
  say(args, "data: generating " + std::to_string(args.images) + " shapes scenes in " + data_dir);
  ShapesDatasetOptions options;
  options.seed = args.seed;
  options.images = args.images;
  auto progress = std::make_shared<Progress>("shapes", args.images, args.quiet);
  options.progress = [progress](std::int64_t done, std::int64_t) { progress->update(done); };
  write_shapes_dataset(data_dir, options);
  progress->finish();
}

void train(const DemoArgs& args, const std::string& data_dir, const std::string& run_dir) {
  TrainConfig config = demo_train_config();
  config.run.data_dir = data_dir;
  config.run.out_dir = run_dir;
  if (args.threads > 0) config.run.threads = args.threads;
  config.run.device = args.device;
  config.run.quiet = args.quiet;
  if (args.epochs > 0) config.run.epochs = args.epochs;
  const bool resume = fs::exists(checkpoint_path(run_dir));
  say(args, std::string(resume ? "train: resuming " : "train: ") + run_dir + " (cnn-small, paths " +
                to_string(config.model.paths) + ", " + std::to_string(config.run.epochs) + " epochs)");
  const auto start = std::chrono::steady_clock::now();
  Trainer trainer(config, resume ? Trainer::Start::Resume : Trainer::Start::Fresh);
  const TrainSummary summary = trainer.train();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  say(args, "train: " + std::to_string(summary.epochs_done) + " epochs in " + format_duration(seconds) +
                ", best on validation: epoch " + std::to_string(summary.best_epoch) + ", rsum " +
                std::to_string(summary.best.rsum));
}

void print_examples(const RetrievalReport& report) {
  for (const auto& q : report.text_queries) {
    std::printf("\n\"%s\"\n", q.text.c_str());
    for (const auto& r : q.images) std::printf("  %s %-22s %9.4f\n", r.relevant ? "✓" : " ", r.name.c_str(), r.score);
  }
  for (const auto& q : report.image_queries) {
    std::printf("\n%s\n", q.name.c_str());
    for (const auto& t : q.extra_texts) std::printf("  %s: %s\n", t.label.c_str(), t.text.c_str());
    for (std::size_t i = 0; i < q.captions.size() && i < 3; ++i)
      std::printf("  %s %9.4f  %s\n", q.captions[i].relevant ? "✓" : " ", q.captions[i].score,
                  q.captions[i].text.c_str());
  }
}

// The demo's captions come from beam search. Chosen on the validation split of the demo's model:
// CIDEr-D 1.397 greedy, 1.482 with 3 beams, 1.486 with 5 (caption F1 0.159, 0.168, 0.171).
constexpr std::int64_t kDemoBeam = 3;

void run_demo(const DemoArgs& args) {
  const torch::Device device = EncoderArgs::device_option(args.device);  // refused before any work
  const std::string data_dir = (fs::path(args.out) / "data").string();
  const std::string run_dir = (fs::path(args.out) / "run").string();
  const std::string model_path = (fs::path(args.out) / "model.gxn").string();
  fs::create_directories(args.out);
  make_data(args, data_dir);
  train(args, data_dir, run_dir);
  const auto best = read_file_bytes(best_model_path(run_dir));
  write_file_atomically(model_path, best.data(), best.size());

  EncoderOptions encoder_options;
  encoder_options.threads = args.threads;
  encoder_options.quiet = args.quiet;
  encoder_options.device = device;
  const Encoder encoder(model_path, encoder_options);
  const EncodedSplit split = encode_split(encoder, read_evaluation_split(data_dir, "test", ""));
  const RetrievalMetrics m = evaluate_embeddings(split.images, split.texts, encoder.score_options(), EvalProtocol::All);
  const GenerationMeasures generation = measure_generation(encoder, split.data, true, true, kDemoBeam);
  std::printf("\ntest split:\n");
  print_metrics_table(m, "all", split.images.rows(), split.texts.rows());
  print_generation(generation);
  auto metrics = metrics_json(m, "all", split.images.rows(), split.texts.rows());
  const auto generated = generation_json(generation);
  for (const auto& [key, value] : generated.items()) metrics[key] = value;
  write_file_atomically((fs::path(args.out) / "metrics.json").string(), metrics.dump(2) + "\n");

  const RetrievalReport report = model_report(encoder, split, m, "all", model_path, data_dir, "test", 4, generation);
  if (!args.quiet) print_examples(report);
  const std::string report_path = (fs::path(args.out) / "report.html").string();
  write_retrieval_report(report_path, report);
  std::printf("\nwrote %s, %s/metrics.json and %s\n", model_path.c_str(), args.out.c_str(), report_path.c_str());
}

void add_demo(CLI::App& gxn) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "demo",
      "Generate the shapes data, train a GXN model on it (all three paths), evaluate it and write an HTML report");
  cmd->add_option("--out", args->out, "the demo's folder (data/, run/, model.gxn, metrics.json, report.html)")
      ->capture_default_str();
  cmd->add_option("--images", args->images, "scenes to generate (if the folder has no data yet)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the generated data")->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "training epochs (0: the demo's default)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", args->threads, "threads (0: the demo config's two for training, all cores for encoding)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--device", args->device,
                  "where to train and encode: cpu, cuda or cuda:N (needs a LibTorch with CUDA)")
      ->capture_default_str();
  cmd->add_flag("--quiet", args->quiet, "no progress lines and no example queries");
  cmd->callback([args] { run_demo(*args); });
}

}  // namespace

GXN_COMMAND(add_demo);

}  // namespace gxn::cli
