#include "gxn/model/trainer.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include "caption_path_loss.hpp"
#include "common/splitmix64.hpp"
#include "gxn/engine/progress.hpp"
#include "gxn/error.hpp"
#include "gxn/model/device.hpp"
#include "gxn/model/model_file.hpp"
#include "imagine_path_loss.hpp"
#include "parallel_lanes.hpp"
#include "training_data.hpp"

namespace gxn {
namespace {

// A step's place in the run, for messages.
std::string describe_position(std::int64_t epoch, std::int64_t step, std::int64_t batch, std::int64_t batches) {
  return "epoch " + std::to_string(epoch) + ", step " + std::to_string(step) + " (batch " + std::to_string(batch) +
         " of " + std::to_string(batches) + ")";
}

// The random draws of step `step` of a run seeded with `seed`, for one lane: a function of
// (seed, step, lane) alone, so a resumed run draws what the uninterrupted one would have, and
// the two lanes never share a generator.
at::Generator step_generator(std::uint64_t seed, std::int64_t step, int lane) {
  detail::SplitMix64 mix(seed ^ (0xD1B54A32D192ED03ull * static_cast<std::uint64_t>(2 * step + lane + 1)));
  return at::detail::createCPUGenerator(mix.next());
}

// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Trainer::Trainer(const TrainConfig& config, Start start) : config_(config) {
  validate(config_);
  if (config_.run.out_dir.empty()) throw Error(ErrorCode::InvalidArgument, "out_dir: the run folder is not set");
  if (config_.run.data_dir.empty()) throw Error(ErrorCode::InvalidArgument, "data_dir: the dataset folder is not set");
  device_ = parse_device(config_.run.device);
  lanes_ = std::make_unique<detail::ParallelLanes>(config_.run.threads);
  if (!config_.data_kind) config_.data_kind = detect_data_kind(config_.run.data_dir);
  if (start == Start::Resume)
    resume();
  else
    start_fresh();
}

Trainer::~Trainer() = default;

void Trainer::open_data() {
  TrainingData data = open_training_data(config_);
  train_data_ = std::move(data.train);
  val_data_ = std::move(data.validation);
  sampler_ = std::make_unique<BatchSampler>(config_, train_data_->image_count());
}

void Trainer::encode_captions() {
  train_data_->encode_captions(vocabulary_, config_.max_caption_tokens);
  val_data_->encode_captions(vocabulary_, config_.max_caption_tokens);
}

void Trainer::build_path_losses() {
  ranking_loss_ = RankingLoss(ranking_loss_options(config_.model));
  if (config_.model.paths.i2t) caption_loss_ = std::make_unique<CaptionPathLoss>(config_, *train_data_, vocabulary_);
}

void Trainer::start_fresh() {
  create_run_folder(config_.run.out_dir);  // refuses a folder that holds a run
  open_data();
  vocabulary_ = train_data_->build_vocabulary(config_.min_word_count);
  encode_captions();
  config_.model.text.vocab_size = vocabulary_.size();
  if (config_.model.paths.i2t && config_.model.decoder.max_length == 0) {
    // The decoder may write as many words as the longest training caption has.
    std::int64_t longest = 1;
    for (std::int64_t j = 0; j < train_data_->caption_count(); ++j)
      longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(train_data_->caption_ids(j).size()) - 2);
    config_.model.decoder.max_length = longest;
  }

  torch::manual_seed(config_.seed);
  model_ = GxnModel(config_.model);
  model_->load_pretrained(vocabulary_.words());
  model_->to(device_);
  state_.learning_rate = learning_rate_at(config_, 0);
  optimizers_ = std::make_unique<TrainingOptimizers>(model_, config_, state_.learning_rate);
  build_path_losses();

  write_run_settings(config_, vocabulary_);
  write_train_log(config_.run.out_dir, log_);
}

void Trainer::resume() {
  const std::string path = checkpoint_path(config_.run.out_dir);
  const Checkpoint checkpoint(path);
  TrainConfig given = config_;
  // What the run worked out from its data when it started: the vocabulary's size, the decoder's length limit.
  if (given.model.text.vocab_size == 0) given.model.text.vocab_size = checkpoint.config().model.text.vocab_size;
  if (given.model.decoder.max_length == 0)
    given.model.decoder.max_length = checkpoint.config().model.decoder.max_length;
  const std::string difference = trajectory_difference(checkpoint.config(), given);
  if (!difference.empty())
    throw Error(ErrorCode::InvalidArgument, path + ": the run was started with " + difference +
                                                "; a resumed run keeps its settings (only " + run_setting_keys() +
                                                " may change)");
  config_.model = checkpoint.config().model;

  LoadedModel loaded = checkpoint.model();
  vocabulary_ = Vocabulary::from_words(loaded.vocabulary, path);
  model_ = loaded.model;
  open_data();
  encode_captions();
  model_->to(device_);
  model_->train();
  build_path_losses();

  state_ = checkpoint.state();
  optimizers_ = std::make_unique<TrainingOptimizers>(model_, config_, state_.learning_rate);
  checkpoint.restore(*optimizers_, device_);
  optimizers_->set_learning_rate(state_.learning_rate);
  checkpoint.restore_random_state();
  log_ = checkpoint.log();
  checkpoint_position_ = state_.position();

  write_run_settings(config_, vocabulary_);
  write_train_log(config_.run.out_dir, log_);  // drops rows a killed run wrote after its last checkpoint
}

void Trainer::save_checkpoint() {
  Checkpoint::write(checkpoint_path(config_.run.out_dir), config_, model_, vocabulary_, *optimizers_, state_, log_);
  checkpoint_position_ = state_.position();
}

void Trainer::diverged(const std::string& what, double value) const {
  std::ostringstream os;
  os << "training diverged at "
     << describe_position(state_.epoch + 1, state_.step + 1, state_.batch_in_epoch + 1, sampler_->batches_per_epoch())
     << ": " << what << " is " << value << ". ";
  if (!checkpoint_position_.empty())
    os << "The last good checkpoint, " << checkpoint_path(config_.run.out_dir) << " (" << checkpoint_position_
       << "), is kept";
  else
    os << "No checkpoint was written yet (the first epoch did not finish)";
  os << "; try a lower learning_rate (now " << state_.learning_rate
     << ") or grad_clip, and check the data for extreme values";
  throw Error(ErrorCode::NonFinite, os.str());
}

bool Trainer::use_max_violation() {
  if (!config_.model.max_violation || state_.epoch < config_.max_violation_warmup_epochs) return false;
  if (config_.max_violation_batch_r1 <= 0 || state_.max_violation_step >= 0) return true;
  if (state_.batch_r1_average < config_.max_violation_batch_r1) return false;
  state_.max_violation_step = state_.step;  // from here on, whatever the average does
  return true;
}

double Trainer::train_step(const CaptionBatch& batch) {
  if (!model_->is_training()) model_->train();
  const TrainingPaths& paths = config_.model.paths;
  const auto ids = batch.captions.ids.to(device_);
  const auto batch_size = static_cast<double>(ids.size(0));
  const bool caption_side = paths.embedding || paths.t2i, image_side = paths.embedding || paths.i2t;
  const bool self_critical = config_.rl_weight > 0 && state_.epoch >= config_.xe_epochs;
  const at::Generator caption_random = step_generator(config_.seed, state_.step, 0);
  const at::Generator image_random = step_generator(config_.seed, state_.step, 1);
  optimizers_->shared->zero_grad();

  // Forward in two lanes that share no parameters: the captions (the text encoder; with t2i, G
  // and D, which read t_l) and the images (the CNN; with i2t, RNN_Dec, which reads v_l).
  Embeddings texts, images;
  GeneratorPass generator;
  torch::Tensor caption, discriminator;
  lanes_->run(
      [&] {
        if (!caption_side) return;
        texts = model_->encode_texts(ids, batch.captions.lengths);
        if (!paths.t2i) return;
        const auto distinct = static_cast<std::int64_t>(batch.distinct_images.size());
        const std::int64_t shown = config_.imagine_images > 0 ? std::min(distinct, config_.imagine_images) : distinct;
        const std::vector<std::int64_t> imagined(batch.distinct_images.begin(), batch.distinct_images.begin() + shown);
        const torch::Tensor real = train_data_->generator_targets(imagined).to(device_);
        generator = generator_pass(model_, config_, texts.grounded, batch, real, caption_random);
      },
      [&] {
        if (!image_side) return;
        const Embeddings distinct = model_->encode_images(batch.images.to(device_));  // one row per distinct image
        images = distinct;
        if (batch.image_rows.defined()) {  // distinct images -> one row per caption
          const auto rows = batch.image_rows.to(device_);
          images = {distinct.abstract.index_select(0, rows), distinct.grounded.index_select(0, rows)};
        }
        if (!paths.i2t) return;
        // A batch of one image has no spread to learn from; the statistics wait for the next one.
        if (distinct.grounded.size(0) >= 2) model_->caption_decoder->track_image_statistics(distinct.grounded);
        caption = (*caption_loss_)(model_, distinct.grounded, images.grounded, batch, ids, self_critical, image_random);
      });

  // L_R+ couples the lanes: it is taken on copies of the embeddings, and its gradients go back
  // into each lane with that lane's own losses.
  StepLosses losses;
  torch::Tensor ranking;
  std::vector<torch::Tensor> leaves;  // t_h, t_l, v_h, v_l copies
  if (paths.embedding) {
    ranking_loss_->options.max_violation(use_max_violation());
    for (const auto& e : {texts.abstract, texts.grounded, images.abstract, images.grounded})
      leaves.push_back(e.detach().requires_grad_(true));
    const Embeddings text_leaves{leaves[0], leaves[1]}, image_leaves{leaves[2], leaves[3]};
    const BatchScores scored = score_batch(text_leaves, image_leaves, batch.image_ids, ranking_loss_->options.lambda());
    ranking = ranking_loss_->from_scores(scored);
    losses.ranking = ranking.item<double>() / batch_size;
    losses.batch_r1 = batch_recall_at_1(scored);
  }
  if (paths.i2t) losses.caption = caption.item<double>();
  if (paths.t2i) losses.generator = generator.loss.item<double>();
  losses.total = losses.ranking * batch_size + config_.caption_weight * batch_size * losses.caption +
                 config_.imagine_weight * batch_size * losses.generator;
  if (!std::isfinite(losses.total)) diverged("the loss", losses.total);
  if (paths.embedding) ranking.backward();

  // Backward, in the same two lanes. G's loss reaches D's parameters too, but only the shared
  // ones take its gradient: D learns from its own loss, taken in the other lane meanwhile.
  lanes_->run(
      [&] {
        std::vector<torch::Tensor> roots, grads;
        if (paths.embedding) roots = {texts.abstract, texts.grounded}, grads = {leaves[0].grad(), leaves[1].grad()};
        if (paths.t2i) roots.push_back(config_.imagine_weight * batch_size * generator.loss), grads.emplace_back();
        if (!roots.empty())
          torch::autograd::backward(roots, grads, c10::nullopt, false, optimizers_->shared_parameters);
      },
      [&] {
        std::vector<torch::Tensor> roots, grads;
        if (paths.embedding) roots = {images.abstract, images.grounded}, grads = {leaves[2].grad(), leaves[3].grad()};
        if (paths.i2t) roots.push_back(config_.caption_weight * batch_size * caption), grads.emplace_back();
        if (!roots.empty())
          torch::autograd::backward(roots, grads, c10::nullopt, false, optimizers_->shared_parameters);
        if (!paths.t2i) return;
        discriminator = discriminator_pass(model_, config_, generator);
        optimizers_->discriminator->zero_grad();
        discriminator.backward();
      });
  if (paths.t2i) {
    losses.discriminator = discriminator.item<double>();
    if (!std::isfinite(losses.discriminator)) {
      optimizers_->shared->zero_grad();
      diverged("the discriminator's loss", losses.discriminator);
    }
  }

  const double max_norm = config_.grad_clip > 0 ? config_.grad_clip : std::numeric_limits<double>::infinity();
  const double norm = torch::nn::utils::clip_grad_norm_(optimizers_->shared_parameters, max_norm);
  if (!std::isfinite(norm)) {
    optimizers_->shared->zero_grad();
    diverged("the gradient norm", norm);
  }
  if (optimizers_->discriminator) {
    const double d_norm = torch::nn::utils::clip_grad_norm_(optimizers_->discriminator_parameters, max_norm);
    if (!std::isfinite(d_norm)) {
      optimizers_->shared->zero_grad();
      optimizers_->discriminator->zero_grad();
      diverged("the discriminator's gradient norm", d_norm);
    }
    optimizers_->discriminator->step();
  }
  optimizers_->shared->step();
  if (paths.embedding)
    state_.batch_r1_average =
        state_.step == 0 ? losses.batch_r1 : 0.9 * state_.batch_r1_average + 0.1 * losses.batch_r1;
  ++state_.step;
  last_step_ = losses;
  return losses.total;
}

RetrievalMetrics Trainer::evaluate(CaptionDataset& data) {
  if (!data.captions_encoded()) data.encode_captions(vocabulary_, config_.max_caption_tokens);
  return evaluate_retrieval(model_, data, device_, config_.run.threads);
}

bool Trainer::run_batches(const TrainHooks& hooks, double seconds_before) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t batches = sampler_->batches_per_epoch();
  Progress progress("epoch " + std::to_string(state_.epoch + 1) + "/" + std::to_string(config_.run.epochs),
                    sampler_->captions_per_epoch(), config_.run.quiet);
  std::int64_t done = 0;
  for (std::int64_t b = 0; b < state_.batch_in_epoch; ++b) done += static_cast<std::int64_t>(sampler_->batch(b).size());
  while (state_.batch_in_epoch < batches) {
    const std::vector<std::int64_t> captions = sampler_->batch(state_.batch_in_epoch);
    const double loss = train_step(train_data_->batch(captions));
    state_.epoch_sums.add_step(last_step_, static_cast<double>(captions.size()));
    ++state_.batch_in_epoch;
    char note[64];
    std::snprintf(note, sizeof note, "loss %.4f", state_.epoch_sums.total / static_cast<double>(state_.batch_in_epoch));
    done += static_cast<std::int64_t>(captions.size());
    progress.update(done, note);
    if (hooks.on_step && !hooks.on_step(state_.step, loss)) return false;
    if (config_.run.checkpoint_steps > 0 && state_.step % config_.run.checkpoint_steps == 0 &&
        state_.batch_in_epoch < batches) {
      state_.epoch_seconds = seconds_before + seconds_since(started);  // as a resume would count it
      save_checkpoint();
      state_.epoch_seconds = seconds_before;
    }
  }
  progress.finish();
  state_.epoch_seconds = seconds_before + seconds_since(started);
  return true;
}

EpochReport Trainer::finish_epoch(double seconds_before_validation) {
  const auto started = std::chrono::steady_clock::now();
  EpochReport report;
  report.epoch = state_.epoch + 1;
  report.learning_rate = state_.learning_rate;
  report.losses = state_.epoch_sums.mean_over(static_cast<double>(sampler_->batches_per_epoch()));
  report.train_loss = report.losses.total;
  report.val = evaluate(*val_data_);
  if (config_.model.paths.i2t)
    report.val_cider =
        evaluate_captioning(model_, *val_data_, vocabulary_, greedy_decoding(config_.model), device_).cider;
  report.seconds = seconds_before_validation + seconds_since(started);
  const double score = selection_score(config_.model.paths, report);
  report.best = score > state_.best_score;
  ++state_.epoch;
  state_.batch_in_epoch = 0;
  state_.epoch_sums = {};
  state_.epoch_seconds = 0;
  if (report.best) {
    save_model(best_model_path(config_.run.out_dir), model_, vocabulary_.words());
    state_.best_score = score;
    state_.best_epoch = report.epoch;
    state_.best = report.val;
  }
  log_.add(report);
  save_checkpoint();
  write_train_log(config_.run.out_dir, log_);
  return report;
}

TrainSummary Trainer::train(const TrainHooks& hooks) {
  TrainSummary summary;
  model_->train();
  while (state_.epoch < config_.run.epochs) {
    state_.learning_rate = learning_rate_at(config_, state_.epoch);
    optimizers_->set_learning_rate(state_.learning_rate);
    sampler_->start_epoch(state_.epoch);
    if (!run_batches(hooks, state_.epoch_seconds)) break;
    const EpochReport report = finish_epoch(state_.epoch_seconds);
    summary.epochs.push_back(report);
    if (hooks.on_epoch && !hooks.on_epoch(report)) break;
  }
  summary.epochs_done = state_.epoch;
  summary.finished = state_.epoch >= config_.run.epochs;
  summary.best_epoch = state_.best_epoch;
  summary.best = state_.best;
  return summary;
}

}  // namespace gxn
