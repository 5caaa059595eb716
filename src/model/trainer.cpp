#include "gxn/model/trainer.hpp"

#include <dlfcn.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/progress.hpp"
#include "gxn/error.hpp"
#include "gxn/model/model_file.hpp"
#include "gxn/model/gan_loss.hpp"
#include "model_sections.hpp"
#include "gxn/model/self_critical.hpp"
#include "tensor_view.hpp"

namespace gxn {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::int64_t kEvalBatch = 256;
constexpr char kLogHeader[] =
    "epoch,lr,train_loss,i2t_r1,i2t_r5,i2t_r10,t2i_r1,t2i_r5,t2i_r10,rsum,seconds,best,"
    "ranking_loss,caption_loss,generator_loss,discriminator_loss,val_cider\n";

// Settings a resumed run may change: none of them alters the weights' trajectory.
const char* const kResumableKeys[] = {"epochs",    "threads",        "device",          "quiet", "data_dir",
                                      "image_dir", "image_cache_mb", "checkpoint_steps", "out_dir"};

json to_json_value(const RankSummary& s) {
  return {{"r1", s.r1}, {"r5", s.r5}, {"r10", s.r10}, {"medr", s.medr}, {"meanr", s.meanr}};
}

json to_json_value(const RetrievalMetrics& m) {
  return {{"i2t", to_json_value(m.i2t)}, {"t2i", to_json_value(m.t2i)}, {"rsum", m.rsum}};
}

RankSummary rank_summary_from(const json& j) {
  return {j.at("r1").get<double>(), j.at("r5").get<double>(), j.at("r10").get<double>(), j.at("medr").get<double>(),
          j.at("meanr").get<double>()};
}

RetrievalMetrics metrics_from(const json& j) {
  RetrievalMetrics m;
  m.i2t = rank_summary_from(j.at("i2t"));
  m.t2i = rank_summary_from(j.at("t2i"));
  m.rsum = j.at("rsum").get<double>();
  return m;
}

std::string log_row(const EpochReport& r) {
  char buf[768];
  std::snprintf(buf, sizeof buf, "%lld,%.9g,%.9g,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%d,%.9g,%.9g,%.9g,%.9g,%.4f\n",
                static_cast<long long>(r.epoch), r.learning_rate, r.train_loss, r.val.i2t.r1, r.val.i2t.r5,
                r.val.i2t.r10, r.val.t2i.r1, r.val.t2i.r5, r.val.t2i.r10, r.val.rsum, r.seconds, r.best ? 1 : 0,
                r.losses.ranking, r.losses.caption, r.losses.generator, r.losses.discriminator, r.val_cider);
  return buf;
}

json to_json_value(const StepLosses& l) {
  return {{"total", l.total}, {"ranking", l.ranking}, {"caption", l.caption}, {"generator", l.generator},
          {"discriminator", l.discriminator}};
}

StepLosses step_losses_from(const json& j) {
  return {j.at("total").get<double>(), j.at("ranking").get<double>(), j.at("caption").get<double>(),
          j.at("generator").get<double>(), j.at("discriminator").get<double>()};
}

void add_to(StepLosses& sum, const StepLosses& step, double batch_size) {
  sum.total += step.total / batch_size;
  sum.ranking += step.ranking;
  sum.caption += step.caption;
  sum.generator += step.generator;
  sum.discriminator += step.discriminator;
}

StepLosses mean_of(StepLosses sum, double batches) {
  for (double* v : {&sum.total, &sum.ranking, &sum.caption, &sum.generator, &sum.discriminator}) *v /= batches;
  return sum;
}

// Image i's five captions as the caption metrics see them.
std::vector<std::vector<Tokens>> reference_sets(const CaptionDataset& data) {
  std::vector<std::vector<Tokens>> sets(static_cast<std::size_t>(data.image_count()));
  for (std::int64_t j = 0; j < data.caption_count(); ++j)
    sets[static_cast<std::size_t>(j / kCaptionsPerImage)].push_back(
        caption_metric_tokens(data.captions()[static_cast<std::size_t>(j)]));
  return sets;
}

Tokens words_of(const std::vector<std::int64_t>& ids, const Vocabulary& vocabulary) {
  Tokens words;
  words.reserve(ids.size());
  for (std::int64_t id : ids) words.push_back(vocabulary.word(id));
  return words;
}

std::string archive_bytes(const std::function<void(torch::serialize::OutputArchive&)>& save) {
  torch::serialize::OutputArchive archive;
  save(archive);
  std::string bytes;
  archive.save_to([&bytes](const void* data, std::size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  return bytes;
}

const Section& require(const SectionFile& file, const std::string& name, const std::string& path) {
  if (const Section* s = file.find(name)) return *s;
  throw Error(ErrorCode::Format, path + ": damaged: no '" + name + "' section");
}

SectionFile read_checkpoint(const std::string& path) {
  return read_section_file(path, kCheckpointMagic, kCheckpointVersion, "gxn checkpoint");
}

// LibTorch's OpenMP threads do the parallel work; OpenBLAS, which LibTorch calls for GEMMs,
// keeps a thread pool of its own whose idle workers spin (sched_yield) against them. Give it
// the same count. Looked up at run time: gxn does not link OpenBLAS, and another BLAS may serve.
void set_blas_threads(int threads) {
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
}

torch::Device training_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (!torch::cuda::is_available())
    throw Error(ErrorCode::Unsupported, "device = '" + name +
                                            "': CUDA is not available (this LibTorch has no CUDA, or no GPU is "
                                            "visible); use device cpu");
  const torch::Device device(name);
  if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count()))
    throw Error(ErrorCode::InvalidArgument, "device = '" + name + "': only " +
                                                std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
  return device;
}

// The config as JSON without the settings a resume may change, and with paths that only
// mattered for the initialisation left out.
json trajectory_settings(const TrainConfig& config) {
  json j = json::parse(to_json(config));
  for (const char* key : kResumableKeys) j.erase(key);
  j["model"]["image"].erase("backbone_file");
  j["model"]["text"].erase("word_vectors");
  return j;
}

// "/model/text/word_dim" -> "model.text.word_dim"
std::string dotted_key(const std::string& pointer) {
  std::string dotted;
  for (char c : pointer.substr(1)) dotted += c == '/' ? '.' : c;
  return dotted;
}

// A step's metrics in a line for messages.
std::string describe_position(std::int64_t epoch, std::int64_t step, std::int64_t batch, std::int64_t batches) {
  return "epoch " + std::to_string(epoch) + ", step " + std::to_string(step) + " (batch " + std::to_string(batch) +
         " of " + std::to_string(batches) + ")";
}

}  // namespace

std::string checkpoint_path(const std::string& out_dir) { return (fs::path(out_dir) / "checkpoint.gxn").string(); }
std::string best_model_path(const std::string& out_dir) { return (fs::path(out_dir) / "best.gxn").string(); }
std::string train_log_path(const std::string& out_dir) { return (fs::path(out_dir) / "log.csv").string(); }

TrainConfig read_checkpoint_config(const std::string& path) {
  const SectionFile file = read_checkpoint(path);
  return train_config_from_json(std::string(require(file, "train_config", path).bytes), path + " (train_config)");
}

Trainer::Trainer(const TrainConfig& config, Start start) : config_(config) {
  set_path_modules(config_);
  validate(config_);
  if (config_.out_dir.empty()) throw Error(ErrorCode::InvalidArgument, "out_dir: the run folder is not set");
  if (config_.data_dir.empty()) throw Error(ErrorCode::InvalidArgument, "data_dir: the dataset folder is not set");
  device_ = training_device(config_.device);
  const int threads = config_.threads > 0 ? config_.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  set_blas_threads(threads);
  if (!config_.data_kind) config_.data_kind = detect_data_kind(config_.data_dir);
  if (start == Start::Resume) resume();
  else start_fresh();
}

Trainer::~Trainer() = default;

void Trainer::open_data() {
  CaptionDatasetOptions options;
  options.kind = *config_.data_kind;
  options.image = config_.model.image;
  options.image_dir = config_.image_dir;
  options.image_cache_bytes = config_.image_cache_mb << 20;
  train_data_ = std::make_unique<CaptionDataset>(config_.data_dir, "train", options);
  options.max_images = config_.val_max_images;
  val_data_ = std::make_unique<CaptionDataset>(config_.data_dir, validation_split_name(config_.data_dir, options.kind),
                                               options);
  if (options.kind == DataKind::Precomp && config_.model.image.backbone != Backbone::Precomp)
    throw Error(ErrorCode::InvalidArgument, config_.data_dir + " holds precomputed features: model.image.backbone must be "
                                                               "precomp, not " +
                                                std::string(to_string(config_.model.image.backbone)));
  if (config_.paths.t2i && !train_data_->has_images())
    throw Error(ErrorCode::InvalidArgument, config_.data_dir + " holds precomputed features and no image files: the "
                                                               "t2i path learns to generate images and needs them "
                                                               "(train_images.txt naming each row's image file, or "
                                                               "dataset.json and images/)");
  if (options.kind == DataKind::Precomp && train_data_->feature_dim() != config_.model.image.feature_dim)
    throw Error(ErrorCode::Shape, config_.data_dir + "/train_ims.npy holds " + std::to_string(train_data_->feature_dim()) +
                                      "-d features but model.image.feature_dim = " +
                                      std::to_string(config_.model.image.feature_dim));
}

void Trainer::start_fresh() {
  const std::string checkpoint = checkpoint_path(config_.out_dir);
  std::error_code ec;
  if (fs::exists(checkpoint, ec))
    throw Error(ErrorCode::InvalidArgument, config_.out_dir + " already holds a run (checkpoint.gxn): resume it, or "
                                                              "choose another output folder");
  open_data();
  vocabulary_ = train_data_->build_vocabulary(config_.min_word_count);
  config_.model.text.vocab_size = vocabulary_.size();
  train_data_->encode_captions(vocabulary_, config_.max_caption_tokens);
  val_data_->encode_captions(vocabulary_, config_.max_caption_tokens);

  torch::manual_seed(config_.seed);
  model_ = GxnModel(config_.model);
  model_->load_pretrained(vocabulary_.words());
  model_->to(device_);
  loss_ = RankingLoss(ranking_loss_options(config_.model));
  learning_rate_ = learning_rate_at(config_, 0);
  build_optimizers();
  build_reward();

  fs::create_directories(config_.out_dir, ec);
  if (ec) throw Error(ErrorCode::Io, config_.out_dir + ": cannot create the run folder: " + ec.message());
  write_file_atomically((fs::path(config_.out_dir) / "config.json").string(), to_json(config_) + "\n");
  vocabulary_.save((fs::path(config_.out_dir) / "vocab.txt").string());
  write_log();
}

void Trainer::resume() {
  const std::string path = checkpoint_path(config_.out_dir);
  const SectionFile file = read_checkpoint(path);
  const TrainConfig stored =
      train_config_from_json(std::string(require(file, "train_config", path).bytes), path + " (train_config)");
  // The trajectory must be the one the run started on.
  TrainConfig given = config_;
  if (given.model.text.vocab_size == 0) given.model.text.vocab_size = stored.model.text.vocab_size;
  const json patch = json::diff(trajectory_settings(stored), trajectory_settings(given));
  if (!patch.empty()) {
    const std::string pointer = patch[0].at("path").get<std::string>();
    const json::json_pointer ptr(pointer);
    const json before = trajectory_settings(stored), after = trajectory_settings(given);
    const std::string was = before.contains(ptr) ? before.at(ptr).dump() : "(unset)";
    const std::string now = after.contains(ptr) ? after.at(ptr).dump() : "(unset)";
    throw Error(ErrorCode::InvalidArgument,
                path + ": the run was started with " + dotted_key(pointer) + " = " + was + ", not " + now +
                    "; a resumed run keeps its settings (only epochs, threads, device, quiet, data_dir, image_dir, "
                    "image_cache_mb and checkpoint_steps may change)");
  }
  config_.model = stored.model;

  LoadedModel loaded = model_from_sections(file, path);
  vocabulary_ = Vocabulary::from_words(loaded.vocabulary, path);
  model_ = loaded.model;
  open_data();
  train_data_->encode_captions(vocabulary_, config_.max_caption_tokens);
  val_data_->encode_captions(vocabulary_, config_.max_caption_tokens);
  model_->to(device_);
  model_->train();
  loss_ = RankingLoss(ranking_loss_options(config_.model));
  build_reward();

  json state;
  try {
    state = json::parse(std::string(require(file, "state", path).bytes));
    epoch_ = state.at("epoch").get<std::int64_t>();
    step_ = state.at("step").get<std::int64_t>();
    batch_in_epoch_ = state.at("batch_in_epoch").get<std::int64_t>();
    epoch_sums_ = step_losses_from(state.at("epoch_loss_sums"));
    epoch_seconds_ = state.at("epoch_seconds").get<double>();
    learning_rate_ = state.at("learning_rate").get<double>();
    best_rsum_ = state.at("best_rsum").get<double>();
    best_epoch_ = state.at("best_epoch").get<std::int64_t>();
    if (best_epoch_ > 0) best_metrics_ = metrics_from(state.at("best"));
  } catch (const json::exception& e) {
    throw Error(ErrorCode::Format, path + ": damaged: the 'state' section is not what gxn writes (" + e.what() + ")");
  }
  build_optimizers();
  auto load_optimizer = [&](torch::optim::Optimizer& optimizer, const char* section) {
    const Section& opt = require(file, section, path);
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(opt.bytes.data(), opt.bytes.size(), device_);
      optimizer.load(archive);
    } catch (const c10::Error& e) {
      throw Error(ErrorCode::Format, path + ": the '" + section + "' state does not fit the model (" +
                                         e.what_without_backtrace() + ")");
    }
  };
  load_optimizer(*optimizer_, "optimizer");
  if (discriminator_optimizer_) load_optimizer(*discriminator_optimizer_, "discriminator_optimizer");
  set_learning_rate(learning_rate_);
  const Section& rng = require(file, "torch_rng", path);
  {
    auto state_tensor = torch::empty({static_cast<std::int64_t>(rng.bytes.size())}, torch::kUInt8);
    std::memcpy(state_tensor.data_ptr<std::uint8_t>(), rng.bytes.data(), rng.bytes.size());
    auto generator = at::globalContext().defaultGenerator(torch::kCPU);
    std::lock_guard<std::mutex> lock(generator.mutex());
    try {
      generator.set_state(state_tensor);
    } catch (const c10::Error& e) {
      throw Error(ErrorCode::Format, path + ": damaged: the random generator state does not load (" +
                                         e.what_without_backtrace() + ")");
    }
  }
  const Section& log = require(file, "log", path);
  std::istringstream rows{std::string(log.bytes)};
  for (std::string line; std::getline(rows, line);) log_rows_.push_back(line + "\n");
  checkpoint_position_ = position_text();

  write_file_atomically((fs::path(config_.out_dir) / "config.json").string(), to_json(config_) + "\n");
  vocabulary_.save((fs::path(config_.out_dir) / "vocab.txt").string());
  write_log();  // drops rows a killed run wrote after its last checkpoint
}

void Trainer::build_optimizers() {
  // D learns by its own loss and optimiser; everything else by the paths' summed loss.
  for (const auto& p : model_->named_parameters()) {
    if (!p.value().requires_grad()) continue;
    const bool discriminator = p.key().rfind("image_discriminator.", 0) == 0;
    (discriminator ? discriminator_params_ : trainable_).push_back(p.value());
  }
  optimizer_ = std::make_unique<torch::optim::Adam>(trainable_, torch::optim::AdamOptions(learning_rate_));
  if (config_.paths.t2i)
    discriminator_optimizer_ = std::make_unique<torch::optim::Adam>(
        discriminator_params_,
        torch::optim::AdamOptions(config_.discriminator_learning_rate).betas(std::make_tuple(0.5, 0.999)));
}

void Trainer::build_reward() {
  if (!config_.paths.i2t) return;
  train_references_ = reference_sets(*train_data_);
  if (config_.reward == CaptionRewardKind::CiderD) cider_ = std::make_unique<CiderD>(train_references_);
}

bool Trainer::self_critical_now() const {
  return config_.paths.i2t && config_.rl_weight > 0 && epoch_ >= config_.xe_epochs;
}

void Trainer::set_learning_rate(double lr) {
  learning_rate_ = lr;
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

void Trainer::write_log() const {
  std::string text = kLogHeader;
  for (const auto& row : log_rows_) text += row;
  write_file_atomically(train_log_path(config_.out_dir), text);
}

void Trainer::save_checkpoint() {
  const std::string path = checkpoint_path(config_.out_dir);
  const ModelSections model = model_sections(model_, vocabulary_.words(), path);
  const std::string train_config = to_json(config_);
  const std::string optimizer = archive_bytes([this](auto& archive) { optimizer_->save(archive); });
  const std::string discriminator_optimizer =
      discriminator_optimizer_ ? archive_bytes([this](auto& archive) { discriminator_optimizer_->save(archive); }) : "";
  json state = {{"epoch", epoch_},
                {"step", step_},
                {"batch_in_epoch", batch_in_epoch_},
                {"epoch_loss_sums", to_json_value(epoch_sums_)},
                {"epoch_seconds", epoch_seconds_},
                {"learning_rate", learning_rate_},
                {"best_rsum", best_rsum_},
                {"best_epoch", best_epoch_}};
  if (best_epoch_ > 0) state["best"] = to_json_value(best_metrics_);
  const std::string state_text = state.dump(2);
  std::string rng;
  {
    auto generator = at::globalContext().defaultGenerator(torch::kCPU);
    std::lock_guard<std::mutex> lock(generator.mutex());
    const torch::Tensor s = generator.get_state().contiguous();
    rng.assign(reinterpret_cast<const char*>(s.data_ptr<std::uint8_t>()), static_cast<std::size_t>(s.numel()));
  }
  std::string log;
  for (const auto& row : log_rows_) log += row;

  SectionFile file;
  file.version = kCheckpointVersion;
  model.append_to(file);
  file.sections.push_back({"train_config", train_config});
  file.sections.push_back({"optimizer", optimizer});
  if (discriminator_optimizer_) file.sections.push_back({"discriminator_optimizer", discriminator_optimizer});
  file.sections.push_back({"state", state_text});
  file.sections.push_back({"torch_rng", rng});
  file.sections.push_back({"log", log});
  write_section_file(path, kCheckpointMagic, file);
  checkpoint_position_ = position_text();
}

std::string Trainer::position_text() const {
  if (batch_in_epoch_ == 0) return "after epoch " + std::to_string(epoch_);
  return "epoch " + std::to_string(epoch_ + 1) + " after batch " + std::to_string(batch_in_epoch_);
}

void Trainer::diverged(const std::string& what, double value) const {
  const std::int64_t batches = batches_per_epoch();
  std::ostringstream os;
  os << "training diverged at " << describe_position(epoch_ + 1, step_ + 1, batch_in_epoch_ + 1, batches) << ": "
     << what << " is " << value << ". ";
  if (!checkpoint_position_.empty())
    os << "The last good checkpoint, " << checkpoint_path(config_.out_dir) << " (" << checkpoint_position_
       << "), is kept";
  else
    os << "No checkpoint was written yet (the first epoch did not finish)";
  os << "; try a lower learning_rate (now " << learning_rate_ << ") or grad_clip, and check the data for extreme values";
  throw Error(ErrorCode::NonFinite, os.str());
}

torch::Tensor Trainer::caption_loss(const torch::Tensor& distinct_grounded, const torch::Tensor& caption_grounded,
                                    const CaptionBatch& batch, const torch::Tensor& ids) {
  const torch::Tensor xe = model_->caption_decoder->xe_loss(caption_grounded, ids, batch.captions.lengths);
  if (!self_critical_now()) return xe;
  DecodeOptions sampling = greedy_decoding(config_.model);
  sampling.mode = DecodeMode::Sample;
  sampling.temperature = config_.sample_temperature;
  // rl_samples rows per image (row r is image r % U), each sampled on its own.
  const auto images = static_cast<std::int64_t>(batch.distinct_images.size());
  const CaptionReward reward = [&](const std::vector<std::int64_t>& word_ids, std::int64_t item) {
    const auto image = static_cast<std::size_t>(batch.distinct_images[static_cast<std::size_t>(item % images)]);
    const Tokens words = words_of(word_ids, vocabulary_);
    if (cider_) return cider_->score(words, image);
    return sentence_bleu(words, train_references_[image]).bleu[3];
  };
  const SelfCriticalResult rl =
      self_critical_loss(model_->caption_decoder, distinct_grounded.repeat({config_.rl_samples, 1}), reward, sampling);
  return (1 - config_.rl_weight) * xe + config_.rl_weight * rl.loss;
}

double Trainer::train_step(const CaptionBatch& batch) {
  if (!model_->is_training()) model_->train();
  const auto ids = batch.captions.ids.to(device_);
  const auto batch_size = static_cast<double>(ids.size(0));
  optimizer_->zero_grad();
  const Embeddings texts = model_->encode_texts(ids, batch.captions.lengths);
  const Embeddings distinct = model_->encode_images(batch.images.to(device_));  // one row per distinct image
  Embeddings image_embeddings = distinct;
  if (batch.image_rows.defined()) {  // distinct images -> one row per caption
    const auto rows = batch.image_rows.to(device_);
    image_embeddings = {distinct.abstract.index_select(0, rows), distinct.grounded.index_select(0, rows)};
  }
  StepLosses losses;
  torch::Tensor loss = torch::zeros({}, texts.abstract.options());
  if (config_.paths.embedding) {
    const torch::Tensor ranking = loss_(texts, image_embeddings, batch.image_ids);
    losses.ranking = ranking.item<double>() / batch_size;
    loss = loss + ranking;
  }
  if (config_.paths.i2t) {
    // A batch of one image has no spread to learn from; the statistics wait for the next one.
    if (distinct.grounded.size(0) >= 2) model_->caption_decoder->track_image_statistics(distinct.grounded);
    const torch::Tensor caption = caption_loss(distinct.grounded, image_embeddings.grounded, batch, ids);
    losses.caption = caption.item<double>();
    loss = loss + config_.caption_weight * batch_size * caption;
  }
  torch::Tensor discriminator_loss_value;
  if (config_.paths.t2i) {
    // G and D see each distinct image once, with its first caption in the batch.
    std::vector<std::int64_t> first_caption(batch.distinct_images.size(), -1);
    const auto rows = batch.image_rows.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < rows.size(0); ++i)
      if (first_caption[static_cast<std::size_t>(rows[i])] < 0) first_caption[static_cast<std::size_t>(rows[i])] = i;
    const torch::Tensor t_l = texts.grounded.index_select(0, torch::tensor(first_caption, torch::kInt64).to(device_));
    const torch::Tensor real = train_data_->generator_targets(batch.distinct_images).to(device_);
    const auto condition = model_->conditioning(t_l);
    const torch::Tensor noise = sample_noise(t_l.size(0), config_.model.generator.noise_dim, t_l.options());
    const torch::Tensor fake = model_->image_generator(noise, condition.condition);
    const torch::Tensor wrong_rows =
        mismatched_rows(torch::tensor(batch.distinct_images, torch::kInt64)).to(device_);
    const GeneratorLoss generator = generator_loss(*model_->image_discriminator, fake, t_l, condition.mean,
                                                   condition.log_variance, config_.kl_weight);
    const DiscriminatorLoss discriminator =
        discriminator_loss(*model_->image_discriminator, real, fake.detach(), t_l.detach(),
                           t_l.index_select(0, wrong_rows).detach(), config_.fake_weight, config_.wrong_weight);
    losses.generator = generator.loss.item<double>();
    losses.discriminator = discriminator.loss.item<double>();
    if (!std::isfinite(losses.discriminator)) diverged("the discriminator's loss", losses.discriminator);
    loss = loss + config_.imagine_weight * batch_size * generator.loss;
    discriminator_loss_value = discriminator.loss;
  }
  losses.total = loss.item<double>();
  if (!std::isfinite(losses.total)) diverged("the loss", losses.total);
  const double max_norm = config_.grad_clip > 0 ? config_.grad_clip : std::numeric_limits<double>::infinity();
  loss.backward();
  const double norm = torch::nn::utils::clip_grad_norm_(trainable_, max_norm);
  if (!std::isfinite(norm)) {
    optimizer_->zero_grad();
    diverged("the gradient norm", norm);
  }
  if (discriminator_optimizer_) {
    discriminator_optimizer_->zero_grad();  // drops what G's loss left in D
    discriminator_loss_value.backward();
    const double d_norm = torch::nn::utils::clip_grad_norm_(discriminator_params_, max_norm);
    if (!std::isfinite(d_norm)) {
      optimizer_->zero_grad();
      discriminator_optimizer_->zero_grad();
      diverged("the discriminator's gradient norm", d_norm);
    }
    discriminator_optimizer_->step();
  }
  optimizer_->step();
  ++step_;
  last_step_ = losses;
  return losses.total;
}

RetrievalMetrics evaluate_retrieval(GxnModel& model, CaptionDataset& data, const torch::Device& device, int threads) {
  if (!data.captions_encoded())
    throw Error(ErrorCode::InvalidArgument, "evaluate_retrieval: the captions of split " + data.split() +
                                                " are not encoded (CaptionDataset::encode_captions)");
  const bool was_training = model->is_training();
  model->eval();
  torch::NoGradGuard no_grad;
  auto encode = [&](std::int64_t count, const std::function<Embeddings(const std::vector<std::int64_t>&)>& encode_rows) {
    std::vector<torch::Tensor> parts;
    for (std::int64_t first = 0; first < count; first += kEvalBatch) {
      std::vector<std::int64_t> rows;
      for (std::int64_t i = first; i < std::min(count, first + kEvalBatch); ++i) rows.push_back(i);
      const Embeddings e = encode_rows(rows);
      parts.push_back(torch::cat({e.abstract, e.grounded}, 1).to(torch::kCPU, torch::kFloat32));
    }
    return torch::cat(parts, 0).contiguous();
  };
  torch::Tensor images, texts;
  try {
    images = encode(data.image_count(), [&](const std::vector<std::int64_t>& rows) {
      return model->encode_images(data.image_inputs(rows).to(device));
    });
    texts = encode(data.caption_count(), [&](const std::vector<std::int64_t>& rows) {
      const CaptionTensors c = data.caption_inputs(rows);
      return model->encode_texts(c.ids.to(device), c.lengths);
    });
  } catch (...) {
    if (was_training) model->train();
    throw;
  }
  if (was_training) model->train();
  ScoreOptions options;
  options.lambda = static_cast<float>(model->config().lambda);
  options.threads = threads;
  const MatrixView image_view = as_view(images, "image embeddings");
  const MatrixView text_view = as_view(texts, "caption embeddings");
  check_finite(image_view, ("the image embeddings of split " + data.split()).c_str());
  check_finite(text_view, ("the caption embeddings of split " + data.split()).c_str());
  return evaluate_embeddings(image_view, text_view, options, EvalProtocol::All);
}

CaptionMetrics evaluate_captioning(GxnModel& model, CaptionDataset& data, const Vocabulary& vocabulary,
                                   const DecodeOptions& decode, const torch::Device& device) {
  if (!model->has_decoder())
    throw Error(ErrorCode::InvalidArgument, "evaluate_captioning: the model has no caption decoder (train the i2t path)");
  std::vector<Tokens> hypotheses;
  hypotheses.reserve(static_cast<std::size_t>(data.image_count()));
  for (std::int64_t first = 0; first < data.image_count(); first += kEvalBatch) {
    std::vector<std::int64_t> rows;
    for (std::int64_t i = first; i < std::min(data.image_count(), first + kEvalBatch); ++i) rows.push_back(i);
    const DecodedCaptions captions = model->caption_images(data.image_inputs(rows).to(device), decode);
    for (const auto& ids : captions.ids) hypotheses.push_back(words_of(ids, vocabulary));
  }
  return evaluate_captions(hypotheses, reference_sets(data));
}

RetrievalMetrics Trainer::evaluate(CaptionDataset& data) {
  if (!data.captions_encoded()) data.encode_captions(vocabulary_, config_.max_caption_tokens);
  return evaluate_retrieval(model_, data, device_, config_.threads);
}

std::int64_t Trainer::units_per_batch() const {
  return config_.sampling == BatchSampling::Captions ? config_.batch_size
                                                     : config_.batch_size / config_.captions_per_image;
}

std::int64_t Trainer::batches_per_epoch() const {
  const std::int64_t units = config_.sampling == BatchSampling::Captions ? train_data_->caption_count()
                                                                         : train_data_->image_count();
  return (units + units_per_batch() - 1) / units_per_batch();
}

std::vector<std::int64_t> Trainer::batch_captions(const std::vector<std::int64_t>& order,
                                                           std::int64_t batch) const {
  const auto size = static_cast<std::int64_t>(order.size());
  const std::int64_t first = batch * units_per_batch(), last = std::min(size, first + units_per_batch());
  if (config_.sampling == BatchSampling::Captions) return {order.begin() + first, order.begin() + last};
  constexpr std::int64_t kPerImage = kCaptionsPerImage;
  std::vector<std::int64_t> captions;
  for (std::int64_t i = first; i < last; ++i) {
    const std::int64_t image = order[static_cast<std::size_t>(i)];
    if (config_.captions_per_image == kPerImage) {
      for (std::int64_t k = 0; k < kPerImage; ++k) captions.push_back(image * kPerImage + k);
    } else {
      // This epoch's draw of the image's captions: a function of (seed, epoch, image) alone.
      const std::uint64_t image_seed = config_.seed ^ (0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(image + 1));
      const std::vector<std::int64_t> pick = epoch_order(image_seed, epoch_, kPerImage);
      for (std::int64_t k = 0; k < config_.captions_per_image; ++k)
        captions.push_back(image * kPerImage + pick[static_cast<std::size_t>(k)]);
    }
  }
  return captions;
}

TrainSummary Trainer::train(const TrainHooks& hooks) {
  TrainSummary summary;
  const std::int64_t captions = train_data_->caption_count();
  const std::int64_t batches = batches_per_epoch();
  model_->train();
  bool stopped = false;
  while (epoch_ < config_.epochs && !stopped) {
    set_learning_rate(learning_rate_at(config_, epoch_));
    // What an epoch shuffles: captions, or images (each with its five captions).
    const std::vector<std::int64_t> order = epoch_order(
        config_.seed, epoch_,
        config_.sampling == BatchSampling::Captions ? captions : train_data_->image_count());
    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    {
      Progress progress("epoch " + std::to_string(epoch_ + 1) + "/" + std::to_string(config_.epochs), captions,
                        config_.quiet);
      std::int64_t done = 0;
      for (std::int64_t b = 0; b < batch_in_epoch_; ++b) done += static_cast<std::int64_t>(batch_captions(order, b).size());
      while (batch_in_epoch_ < batches) {
        const std::vector<std::int64_t> indices = batch_captions(order, batch_in_epoch_);
        const double loss = train_step(train_data_->batch(indices));
        add_to(epoch_sums_, last_step_, static_cast<double>(indices.size()));
        ++batch_in_epoch_;
        char note[64];
        std::snprintf(note, sizeof note, "loss %.4f", epoch_sums_.total / static_cast<double>(batch_in_epoch_));
        done += static_cast<std::int64_t>(indices.size());
        progress.update(done, note);
        if (hooks.on_step && !hooks.on_step(step_, loss)) {
          stopped = true;
          break;
        }
        if (config_.checkpoint_steps > 0 && step_ % config_.checkpoint_steps == 0 && batch_in_epoch_ < batches) {
          const double seconds_before = epoch_seconds_;
          epoch_seconds_ += elapsed();
          save_checkpoint();
          epoch_seconds_ = seconds_before;
        }
      }
      if (!stopped) progress.finish();
    }
    if (stopped) break;
    EpochReport report;
    report.epoch = epoch_ + 1;
    report.learning_rate = learning_rate_;
    report.losses = mean_of(epoch_sums_, static_cast<double>(batches));
    report.train_loss = report.losses.total;
    report.val = evaluate(*val_data_);
    if (config_.paths.i2t)
      report.val_cider =
          evaluate_captioning(model_, *val_data_, vocabulary_, greedy_decoding(config_.model), device_).cider;
    report.seconds = epoch_seconds_ + elapsed();
    report.best = report.val.rsum > best_rsum_;
    ++epoch_;
    batch_in_epoch_ = 0;
    epoch_sums_ = {};
    epoch_seconds_ = 0;
    if (report.best) {
      save_model(best_model_path(config_.out_dir), model_, vocabulary_.words());
      best_rsum_ = report.val.rsum;
      best_epoch_ = report.epoch;
      best_metrics_ = report.val;
    }
    log_rows_.push_back(log_row(report));
    save_checkpoint();
    write_log();
    summary.epochs.push_back(report);
    if (hooks.on_epoch && !hooks.on_epoch(report)) stopped = true;
  }
  summary.epochs_done = epoch_;
  summary.finished = epoch_ >= config_.epochs;
  summary.best_epoch = best_epoch_;
  summary.best = best_metrics_;
  return summary;
}

}  // namespace gxn
