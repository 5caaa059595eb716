#include "gxn/model/run_folder.hpp"

#include <filesystem>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/error.hpp"

namespace gxn {
namespace fs = std::filesystem;

std::string checkpoint_path(const std::string& out_dir) { return (fs::path(out_dir) / "checkpoint.gxn").string(); }
std::string best_model_path(const std::string& out_dir) { return (fs::path(out_dir) / "best.gxn").string(); }
std::string train_log_path(const std::string& out_dir) { return (fs::path(out_dir) / "log.csv").string(); }

void create_run_folder(const std::string& out_dir) {
  std::error_code ec;
  if (fs::exists(checkpoint_path(out_dir), ec))
    throw Error(ErrorCode::InvalidArgument,
                out_dir + " already holds a run (checkpoint.gxn): resume it, or choose another output folder");
  fs::create_directories(out_dir, ec);
  if (ec) throw Error(ErrorCode::Io, out_dir + ": cannot create the run folder: " + ec.message());
}

void write_run_settings(const TrainConfig& config, const Vocabulary& vocabulary) {
  write_file_atomically((fs::path(config.run.out_dir) / "config.json").string(), to_json(config) + "\n");
  vocabulary.save((fs::path(config.run.out_dir) / "vocab.txt").string());
}

void write_train_log(const std::string& out_dir, const TrainLog& log) {
  write_file_atomically(train_log_path(out_dir), log.text());
}

}  // namespace gxn
