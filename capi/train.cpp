// The C API's training: gxn::Trainer with a progress callback that may cancel.
#include <filesystem>
#include <string>

#include "boundary.hpp"
#include "gxn/model/checkpoint.hpp"
#include "gxn/model/run_folder.hpp"
#include "gxn/model/trainer.hpp"
#include "model_results.hpp"
#include "options_struct.hpp"

using gxn::Error;
using gxn::ErrorCode;

namespace {

// The config a run starts (or resumes) with, as `gxn train` makes it: the JSON text's or the
// file's, else on resume the checkpoint's, else the defaults for the data; then the options.
gxn::TrainConfig make_config(const gxn_train_options& o) {
  if (o.out_dir == nullptr || *o.out_dir == '\0')
    throw Error(ErrorCode::InvalidArgument, "gxn_train_options.out_dir: give the run folder");
  if (o.config_json != nullptr && o.config_file != nullptr)
    throw Error(ErrorCode::InvalidArgument,
                "gxn_train_options: config_json and config_file both give the settings: set one");
  if (o.epochs < 0 || o.threads < 0)
    throw Error(ErrorCode::InvalidArgument, "gxn_train_options: epochs and threads must be 0 (the config's) or more");
  gxn::TrainConfig config;
  if (o.config_json != nullptr) {
    config = gxn::train_config_from_json(o.config_json, "gxn_train_options.config_json");
  } else if (o.config_file != nullptr) {
    config = gxn::read_train_config(o.config_file);
  } else if (o.resume) {
    const std::string checkpoint = gxn::checkpoint_path(o.out_dir);
    if (!std::filesystem::exists(checkpoint))
      throw Error(ErrorCode::NotFound, std::string("resume: ") + o.out_dir + " holds no checkpoint.gxn to resume");
    config = gxn::read_checkpoint_config(checkpoint);
  }
  if (o.data_dir != nullptr) config.run.data_dir = o.data_dir;
  if (config.run.data_dir.empty())
    throw Error(ErrorCode::InvalidArgument, "gxn_train_options.data_dir: give the dataset folder");
  config.run.out_dir = o.out_dir;
  if (o.config_json == nullptr && o.config_file == nullptr && !o.resume) gxn::choose_backbone_for_data(config);
  if (o.epochs > 0) config.run.epochs = o.epochs;
  if (o.threads > 0) config.run.threads = o.threads;
  config.run.quiet = true;  // a library prints nothing: the callback reports
  return config;
}

void set_losses(gxn_train_progress& p, const gxn::StepLosses& losses) {
  p.ranking_loss = losses.ranking;
  p.caption_loss = losses.caption;
  p.generator_loss = losses.generator;
  p.discriminator_loss = losses.discriminator;
}

}  // namespace

extern "C" {

int gxn_train(const gxn_train_options* options) {
  bool cancelled = false;
  std::string where;
  const int status = gxn::capi::guard([&] {
    gxn::capi::require(options, "options");
    const gxn_train_options o = gxn::capi::read_options(options, gxn_train_default_options,
                                                        gxn::capi::kTrainOptionsFirstSize, "gxn_train_options");
    gxn::Trainer trainer(make_config(o), o.resume ? gxn::Trainer::Start::Resume : gxn::Trainer::Start::Fresh);
    const std::int64_t epochs = trainer.config().run.epochs;
    auto report = [&](gxn_train_progress& p) {
      p.size = sizeof(p);
      p.epochs = epochs;
      if (o.callback == nullptr || o.callback(&p, o.user_data) == 0) return true;
      cancelled = true;
      where = "epoch " + std::to_string(p.epoch) + ", step " + std::to_string(p.step);
      return false;
    };
    gxn::TrainHooks hooks;
    hooks.on_step = [&](std::int64_t step, double loss) {
      gxn_train_progress p{};
      p.epoch = trainer.epochs_done() + 1;
      p.step = step;
      p.loss = loss;
      set_losses(p, trainer.last_step());
      return report(p);
    };
    hooks.on_epoch = [&](const gxn::EpochReport& r) {
      gxn_train_progress p{};
      p.epoch = r.epoch;
      p.step = trainer.steps_done();
      p.loss = r.train_loss;
      p.epoch_end = 1;
      p.best = r.best ? 1 : 0;
      p.val_i2t_r1 = r.val.i2t.r1;
      p.val_t2i_r1 = r.val.t2i.r1;
      p.val_rsum = r.val.rsum;
      p.val_cider = r.val_cider;
      set_losses(p, r.losses);
      return report(p);
    };
    trainer.train(hooks);
  });
  if (status != GXN_OK || !cancelled) return status;
  gxn::capi::set_last_error("training cancelled by the callback at " + where + "; gxn_train with resume = 1 " +
                            "continues from the last checkpoint");
  return GXN_ERR_CANCELLED;
}
}
