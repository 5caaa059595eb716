// `gxn data shapes`: writes the built-in synthetic dataset (images + Karpathy-style dataset.json).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "gxn/engine/data/shapes.hpp"
#include "gxn/engine/data/shapes_dataset.hpp"

namespace {

struct ShapesArgs {
  std::string out;
  std::uint64_t seed = 1;
  std::int64_t images = 3000;
  bool force = false;
  bool quiet = false;
};

// "shapes: 1536/3000 images, 2410/s, ETA 1s" rewritten in place on a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

  void update(std::int64_t done, std::int64_t total) {
    if (!enabled_) return;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = seconds > 0 ? done / seconds : 0.0;
    const double eta = rate > 0 ? (total - done) / rate : 0.0;
    std::fprintf(stderr, "\rshapes: %lld/%lld images, %.0f/s, ETA %.0fs   ", static_cast<long long>(done),
                 static_cast<long long>(total), rate, eta);
    if (done == total) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

void run_shapes(const ShapesArgs& args) {
  ProgressLine progress(!args.quiet && ::isatty(STDERR_FILENO));
  gxn::ShapesDatasetOptions options;
  options.seed = args.seed;
  options.images = args.images;
  options.force = args.force;
  options.progress = [&progress](std::int64_t done, std::int64_t total) { progress.update(done, total); };
  const gxn::ShapesSplits splits = gxn::write_shapes_dataset(args.out, options);
  if (!args.quiet)
    std::printf("wrote %lld images (train %lld, val %lld, test %lld) with %d captions each to %s\n",
                static_cast<long long>(args.images), static_cast<long long>(splits.train),
                static_cast<long long>(splits.val), static_cast<long long>(splits.test), gxn::kShapeCaptions,
                args.out.c_str());
}

}  // namespace

static void add_data(CLI::App& gxn) {
  CLI::App* data = gxn.add_subcommand("data", "Write a built-in dataset");
  data->require_subcommand(1);

  auto args = std::make_shared<ShapesArgs>();
  CLI::App* shapes =
      data->add_subcommand("shapes",
                           "Synthetic 64x64 scenes of 1-3 coloured shapes, 5 captions each, split 80/10/10 into "
                           "train/val/test: DIR/images/*.png and a Karpathy-style DIR/dataset.json. "
                           "The same seed gives byte-identical files.");
  shapes->add_option("--out", args->out, "Output directory (created if missing; must be empty)")->required();
  shapes->add_option("--seed", args->seed, "Random seed")->capture_default_str()->check(gxn::cli::kSeedText);
  shapes->add_option("--images", args->images, "Number of images")
      ->capture_default_str()
      ->check(CLI::Range(gxn::kShapesMinImages, gxn::kShapesMaxImages));
  shapes->add_flag("--force", args->force, "Replace a dataset already in the output directory");
  shapes->add_flag("--quiet", args->quiet, "No progress and no summary");
  shapes->callback([args] { run_shapes(*args); });
}

GXN_COMMAND(add_data);
