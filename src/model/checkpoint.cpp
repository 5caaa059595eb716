#include "gxn/model/checkpoint.hpp"

#include <cstring>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>

#include "gxn/engine/metrics/metrics_json.hpp"
#include "gxn/error.hpp"
#include "model_sections.hpp"
#include "section_file.hpp"

namespace gxn {
namespace {

constexpr char kCheckpointMagic[] = "GXNCHKPT";
using nlohmann::json;

json to_json_value(const StepLosses& l) {
  return {{"total", l.total},
          {"ranking", l.ranking},
          {"caption", l.caption},
          {"generator", l.generator},
          {"discriminator", l.discriminator},
          {"batch_r1", l.batch_r1}};
}

StepLosses step_losses_from(const json& j) {
  // Checkpoints written before batch_r1 was measured hold no sum of it.
  return {j.at("total").get<double>(),     j.at("ranking").get<double>(),       j.at("caption").get<double>(),
          j.at("generator").get<double>(), j.at("discriminator").get<double>(), j.value("batch_r1", 0.0)};
}

// The key an optimizer's state map gives `param`: LibTorch 1.x keys it by the TensorImpl's
// address as text (c10::guts::to_string), 2.x by the address itself.
template <typename Key>
Key state_key(const torch::Tensor& param) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << param.unsafeGetTensorImpl();
    return text.str();
  } else {
    return param.unsafeGetTensorImpl();
  }
}

torch::Tensor on_cpu(const torch::Tensor& t) { return !t.defined() || t.is_cpu() ? t : t.detach().to(torch::kCPU); }

// An Adam whose parameters and state are CPU copies of `optimizer`'s (the same tensors where
// they are on the CPU already): what a checkpoint stores, so a run trained on a GPU resumes on
// the CPU and back whatever LibTorch reads it. Optimizer::load matches parameters by position.
std::unique_ptr<torch::optim::Adam> cpu_twin(const torch::optim::Adam& optimizer) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (const auto& group : optimizer.param_groups()) {
    std::vector<torch::Tensor> params;
    for (const auto& p : group.params()) params.push_back(on_cpu(p));
    groups.emplace_back(std::move(params), group.options().clone());
  }
  auto twin =
      std::make_unique<torch::optim::Adam>(groups, static_cast<const torch::optim::AdamOptions&>(optimizer.defaults()));
  auto& twin_state = twin->state();
  using Key = typename std::decay_t<decltype(twin_state)>::key_type;
  const auto& state = optimizer.state();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& params = optimizer.param_groups()[g].params();
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto found = state.find(state_key<Key>(params[i]));
      if (found == state.end()) continue;
      const auto& s = static_cast<const torch::optim::AdamParamState&>(*found->second);
      auto copy = std::make_unique<torch::optim::AdamParamState>(s);
      copy->exp_avg(on_cpu(s.exp_avg()));
      copy->exp_avg_sq(on_cpu(s.exp_avg_sq()));
      copy->max_exp_avg_sq(on_cpu(s.max_exp_avg_sq()));
      twin_state[state_key<Key>(twin->param_groups()[g].params()[i])] = std::move(copy);
    }
  }
  return twin;
}

std::string archive_bytes(const torch::optim::Adam& optimizer) {
  torch::serialize::OutputArchive archive;
  cpu_twin(optimizer)->save(archive);
  std::string bytes;
  archive.save_to([&bytes](const void* data, std::size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  return bytes;
}

// torch's default CPU generator, locked while its state is read or replaced.
std::string cpu_random_state() {
  auto generator = at::globalContext().defaultGenerator(torch::kCPU);
  std::lock_guard<std::mutex> lock(generator.mutex());
  const torch::Tensor s = generator.get_state().contiguous();
  return {reinterpret_cast<const char*>(s.data_ptr<std::uint8_t>()), static_cast<std::size_t>(s.numel())};
}

}  // namespace

struct Checkpoint::Sections {
  SectionFile file;
  const Section& require(const std::string& name, const std::string& path) const {
    if (const Section* s = file.find(name)) return *s;
    throw Error(ErrorCode::Format, path + ": damaged: no '" + name + "' section");
  }
  std::string text(const std::string& name, const std::string& path) const {
    return std::string(require(name, path).bytes);
  }
};

std::string TrainingState::position() const {
  if (batch_in_epoch == 0) return "after epoch " + std::to_string(epoch);
  return "epoch " + std::to_string(epoch + 1) + " after batch " + std::to_string(batch_in_epoch);
}

void Checkpoint::write(const std::string& path, const TrainConfig& config, GxnModel& model,
                       const Vocabulary& vocabulary, const TrainingOptimizers& optimizers, const TrainingState& state,
                       const TrainLog& log) {
  const ModelSections model_parts = model_sections(model, vocabulary.words(), path);
  const std::string train_config = to_json(config);
  const std::string optimizer = archive_bytes(*optimizers.shared);
  const std::string discriminator_optimizer = optimizers.discriminator ? archive_bytes(*optimizers.discriminator) : "";
  json state_json = {{"epoch", state.epoch},
                     {"step", state.step},
                     {"batch_in_epoch", state.batch_in_epoch},
                     {"epoch_loss_sums", to_json_value(state.epoch_sums)},
                     {"epoch_seconds", state.epoch_seconds},
                     {"learning_rate", state.learning_rate},
                     {"best_score", state.best_score},
                     {"best_epoch", state.best_epoch},
                     {"batch_r1_average", state.batch_r1_average},
                     {"max_violation_step", state.max_violation_step}};
  if (state.best_epoch > 0) state_json["best"] = json::parse(to_json(state.best));
  const std::string state_text = state_json.dump(2);
  const std::string random_state = cpu_random_state();
  const std::string log_rows = log.rows();

  SectionFile file;
  file.version = kCheckpointVersion;
  model_parts.append_to(file);
  file.sections.push_back({"train_config", train_config});
  file.sections.push_back({"optimizer", optimizer});
  if (optimizers.discriminator) file.sections.push_back({"discriminator_optimizer", discriminator_optimizer});
  file.sections.push_back({"state", state_text});
  file.sections.push_back({"torch_rng", random_state});
  file.sections.push_back({"log", log_rows});
  write_section_file(path, kCheckpointMagic, file);
}

Checkpoint::Checkpoint(const std::string& path) : path_(path) {
  auto sections = std::make_shared<Sections>();
  sections->file = read_section_file(path, kCheckpointMagic, kCheckpointVersion, "gxn checkpoint");
  sections_ = std::move(sections);
  config_ = train_config_from_json(sections_->text("train_config", path_), path_ + " (train_config)");
}

LoadedModel Checkpoint::model() const { return model_from_sections(sections_->file, path_); }

TrainingState Checkpoint::state() const {
  TrainingState s;
  try {
    const json j = json::parse(sections_->text("state", path_));
    s.epoch = j.at("epoch").get<std::int64_t>();
    s.step = j.at("step").get<std::int64_t>();
    s.batch_in_epoch = j.at("batch_in_epoch").get<std::int64_t>();
    s.epoch_sums = step_losses_from(j.at("epoch_loss_sums"));
    s.epoch_seconds = j.at("epoch_seconds").get<double>();
    s.learning_rate = j.at("learning_rate").get<double>();
    // Checkpoints written before best.gxn could be chosen by CIDEr-D call the score best_rsum.
    s.best_score = j.at(j.contains("best_score") ? "best_score" : "best_rsum").get<double>();
    s.best_epoch = j.at("best_epoch").get<std::int64_t>();
    // Checkpoints written before max violation could wait for the batch's recall hold neither.
    s.batch_r1_average = j.value("batch_r1_average", 0.0);
    s.max_violation_step = j.value("max_violation_step", std::int64_t{-1});
    if (s.best_epoch > 0) s.best = retrieval_metrics_from_json(j.at("best").dump(), path_ + " (state)");
  } catch (const json::exception& e) {
    throw Error(ErrorCode::Format, path_ + ": damaged: the 'state' section is not what gxn writes (" + e.what() + ")");
  }
  return s;
}

TrainLog Checkpoint::log() const { return TrainLog(sections_->text("log", path_)); }

void Checkpoint::restore(TrainingOptimizers& optimizers, const torch::Device& device) const {
  auto load = [&](torch::optim::Optimizer& optimizer, const char* section) {
    const Section& saved = sections_->require(section, path_);
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(saved.bytes.data(), saved.bytes.size(), device);
      optimizer.load(archive);
    } catch (const c10::Error& e) {
      throw Error(ErrorCode::Format,
                  path_ + ": the '" + section + "' state does not fit the model (" + e.what_without_backtrace() + ")");
    }
  };
  load(*optimizers.shared, "optimizer");
  if (optimizers.discriminator) load(*optimizers.discriminator, "discriminator_optimizer");
}

void Checkpoint::restore_random_state() const {
  const Section& saved = sections_->require("torch_rng", path_);
  auto state = torch::empty({static_cast<std::int64_t>(saved.bytes.size())}, torch::kUInt8);
  std::memcpy(state.data_ptr<std::uint8_t>(), saved.bytes.data(), saved.bytes.size());
  auto generator = at::globalContext().defaultGenerator(torch::kCPU);
  std::lock_guard<std::mutex> lock(generator.mutex());
  try {
    generator.set_state(state);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::Format,
                path_ + ": damaged: the random generator state does not load (" + e.what_without_backtrace() + ")");
  }
}

TrainConfig read_checkpoint_config(const std::string& path) { return Checkpoint(path).config(); }

}  // namespace gxn
