#pragma once
// A training run's folder (TrainConfig::run.out_dir) and the files in it:
//   config.json     the run's TrainConfig (vocab_size filled in)
//   vocab.txt       the vocabulary, built from the training split
//   checkpoint.gxn  everything needed to resume (checkpoint.hpp)
//   best.gxn        the model with the best validation rsum so far (model_file.hpp)
//   log.csv         one row per finished epoch (train_log.hpp)
// Every file is written atomically.
#include <string>

#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/train_config.hpp"
#include "gxn/model/train_log.hpp"

namespace gxn {

std::string checkpoint_path(const std::string& out_dir);  // out_dir/checkpoint.gxn
std::string best_model_path(const std::string& out_dir);  // out_dir/best.gxn
std::string train_log_path(const std::string& out_dir);   // out_dir/log.csv

// Makes out_dir for a new run: gxn::Error when it already holds a run (a checkpoint), or
// cannot be created.
void create_run_folder(const std::string& out_dir);

// Writes config.json and vocab.txt.
void write_run_settings(const TrainConfig& config, const Vocabulary& vocabulary);

// Writes log.csv.
void write_train_log(const std::string& out_dir, const TrainLog& log);

}  // namespace gxn
