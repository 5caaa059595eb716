// `gxn train`: trains a GXN model's paths (embedding, i2t, t2i; alone or jointly) on a dataset
// folder (precomputed features or images with captions) into a run folder; --resume continues
// a run from its checkpoint.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"
#include "eval_output.hpp"
#include "gxn/error.hpp"
#include "gxn/model/device.hpp"
#include "gxn/model/trainer.hpp"

namespace gxn::cli {
namespace {

struct TrainArgs {
  std::string data, config, out, backbone, paths, device;
  std::int64_t epochs = 0, batch_size = 0, feature_dim = 0;
  double lr = 0;
  int threads = 0;
  std::uint64_t seed = 0;
  bool resume = false, quiet = false, demo_config = false, print_config = false;
  // Options given on the command line (CLI11 counts them); only those override the config.
  CLI::Option *epochs_opt = nullptr, *batch_opt = nullptr, *lr_opt = nullptr, *backbone_opt = nullptr,
              *threads_opt = nullptr, *seed_opt = nullptr, *feature_dim_opt = nullptr, *paths_opt = nullptr,
              *device_opt = nullptr;
};

bool given(const CLI::Option* option) { return option && option->count() > 0; }

// The config a run starts (or resumes) with: --config's or --demo-config's, else the
// checkpoint's on --resume, else defaults suited to the data; then the options given on the
// command line.
TrainConfig make_config(const TrainArgs& args) {
  TrainConfig config;
  const bool settings_given = !args.config.empty() || args.demo_config;
  if (!args.config.empty() && args.demo_config)
    throw Error(ErrorCode::InvalidArgument,
                "train: --config and --demo-config both say where the settings come from: choose one");
  if (args.demo_config) {
    config = demo_train_config();
  } else if (!args.config.empty()) {
    config = read_train_config(args.config);
  } else if (args.resume) {
    const std::string checkpoint = checkpoint_path(args.out);
    if (!std::filesystem::exists(checkpoint))
      throw Error(ErrorCode::NotFound, "--resume: " + args.out + " holds no checkpoint.gxn to resume");
    config = read_checkpoint_config(checkpoint);
  }
  if (!args.data.empty()) config.run.data_dir = args.data;
  if (config.run.data_dir.empty())
    throw Error(ErrorCode::InvalidArgument, "train: give the dataset folder with --data DIR");
  config.run.out_dir = args.out;
  if (!settings_given && !args.resume && !given(args.backbone_opt)) choose_backbone_for_data(config);
  if (given(args.backbone_opt)) config.model.image.backbone = parse_backbone(args.backbone);
  if (given(args.feature_dim_opt)) config.model.image.feature_dim = args.feature_dim;
  if (given(args.epochs_opt)) config.run.epochs = args.epochs;
  if (given(args.batch_opt)) config.batch_size = args.batch_size;
  if (given(args.lr_opt)) config.learning_rate = args.lr;
  if (given(args.threads_opt)) config.run.threads = args.threads;
  if (given(args.device_opt)) {
    config.run.device = args.device;
    try {
      parse_device(config.run.device);  // refused here by the option's name, not the config key's
    } catch (const Error& e) {
      throw Error(e.code(), std::string("--device: ") + e.what());
    }
  }
  if (given(args.seed_opt)) config.seed = args.seed;
  if (given(args.paths_opt)) {
    config.model.paths = parse_training_paths(args.paths);
  }
  if (args.quiet) config.run.quiet = true;
  return config;
}

void run_train(const TrainArgs& args) {
  const TrainConfig config = make_config(args);
  if (args.print_config) {
    validate(config);  // a config printed for --config is one that --config accepts
    std::printf("%s\n", to_json(config, 2).c_str());
    return;
  }
  Trainer trainer(config, args.resume ? Trainer::Start::Resume : Trainer::Start::Fresh);
  const TrainConfig& c = trainer.config();
  if (!c.run.quiet) {
    std::printf(
        "training %s (paths %s) on %s (%s): %lld train images, %lld captions; validation %lld images; vocabulary %lld "
        "words\n",
        to_string(c.model.image.backbone), to_string(c.model.paths).c_str(), c.run.data_dir.c_str(),
        to_string(*c.data_kind), static_cast<long long>(trainer.train_data().image_count()),
        static_cast<long long>(trainer.train_data().caption_count()),
        static_cast<long long>(trainer.val_data().image_count()), static_cast<long long>(trainer.vocabulary().size()));
    if (args.resume)
      std::printf("resuming after epoch %lld of %lld\n", static_cast<long long>(trainer.epochs_done()),
                  static_cast<long long>(c.run.epochs));
    std::fflush(stdout);
  }
  TrainHooks hooks;
  bool gate_told = trainer.max_violation_step() >= 0;  // a resumed run has told it already
  hooks.on_epoch = [&](const EpochReport& r) {
    if (!c.run.quiet) {
      std::printf("epoch %lld/%lld  loss %.4f  lr %.3g  val R@1 i2t %.2f t2i %.2f  rsum %.2f",
                  static_cast<long long>(r.epoch), static_cast<long long>(c.run.epochs), r.train_loss, r.learning_rate,
                  r.val.i2t.r1, r.val.t2i.r1, r.val.rsum);
      if (c.model.paths.embedding) std::printf("  batch R@1 %.2f", r.losses.batch_r1);
      if (c.model.paths.i2t) std::printf("  caption loss %.3f  val CIDEr-D %.3f", r.losses.caption, r.val_cider);
      if (c.model.paths.t2i) std::printf("  G %.3f  D %.3f", r.losses.generator, r.losses.discriminator);
      std::printf("  %.1fs%s\n", r.seconds, r.best ? "  (best)" : "");
      if (!gate_told && trainer.max_violation_step() >= 0) {
        gate_told = true;
        std::printf("  the ranking loss takes the hardest negative alone from step %lld (batch R@1 reached %.2f)\n",
                    static_cast<long long>(trainer.max_violation_step() + 1), c.max_violation_batch_r1);
      }
      std::fflush(stdout);
    }
    return true;
  };
  const TrainSummary summary = trainer.train(hooks);
  if (summary.best_epoch == 0) return;
  std::printf("best epoch %lld of %lld, saved as %s; validation (%lld images, %lld captions):\n",
              static_cast<long long>(summary.best_epoch), static_cast<long long>(c.run.epochs),
              best_model_path(c.run.out_dir).c_str(), static_cast<long long>(trainer.val_data().image_count()),
              static_cast<long long>(trainer.val_data().caption_count()));
  print_metrics_table(summary.best);
}

void add_train(CLI::App& gxn) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "train",
      "Train a GXN model (the embedding path, and with --paths the caption decoder and the image generator) on a "
      "dataset folder: precomputed features (train_ims.npy, "
      "train_caps.txt, ...) or images with a Karpathy-style dataset.json. Writes RUN/best.gxn (best validation "
      "rsum), RUN/checkpoint.gxn, RUN/log.csv, RUN/vocab.txt and RUN/config.json.");
  cmd->add_option("--data", args->data, "Dataset folder (default on --resume: the run's)");
  cmd->add_option("--config", args->config,
                  "Training config JSON (its keys: --list-config); without it, defaults with the backbone chosen "
                  "by the data (images: cnn-small)");
  cmd->add_flag_callback(
      "--list-config",
      [] {
        std::printf("%s", train_config_keys().c_str());
        throw CLI::Success();
      },
      "Print every key a training config may hold, with its type, default and allowed values, and exit");
  cmd->add_flag("--demo-config", args->demo_config,
                "Start from the settings `gxn demo` trains with (a small cnn-small model for the shapes data)");
  cmd->add_flag("--print-config", args->print_config,
                "Print the config this command would train with (JSON, as --config reads it) and exit without "
                "training");
  cmd->add_option("--out", args->out, "Run folder (created if missing)")->required();
  args->epochs_opt = cmd->add_option("--epochs", args->epochs, "Number of epochs");
  args->batch_opt = cmd->add_option("--batch-size", args->batch_size, "Captions per step");
  args->lr_opt = cmd->add_option("--lr", args->lr, "Adam learning rate");
  args->backbone_opt = cmd->add_option("--backbone", args->backbone, "Image backbone")
                           ->check(CLI::IsMember({"precomp", "cnn-small", "resnet152", "vgg19", "torchscript"}));
  args->feature_dim_opt = cmd->add_option("--feature-dim", args->feature_dim, "precomp: size of a feature vector");
  args->threads_opt = cmd->add_option("--threads", args->threads, "CPU threads (0 = every core)");
  args->device_opt = cmd->add_option("--device", args->device,
                                     "Where to train: cpu, cuda or cuda:N (needs a LibTorch with CUDA; default: the "
                                     "config's run.device, cpu). A run may resume on another device");
  args->paths_opt = cmd->add_option("--paths", args->paths,
                                    "Training paths, comma-separated: embedding (look & match), i2t (caption "
                                    "decoder), t2i (image generator; needs image files); default embedding");
  args->seed_opt = cmd->add_option("--seed", args->seed, "Random seed (weights and caption order)")->check(kSeedText);
  cmd->add_flag("--resume", args->resume, "Continue the run in --out from its checkpoint");
  cmd->add_flag("--quiet", args->quiet, "No progress line and no per-epoch lines");
  cmd->callback([args] { run_train(*args); });
}

}  // namespace

GXN_COMMAND(add_train);

}  // namespace gxn::cli
