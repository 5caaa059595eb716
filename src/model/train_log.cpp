#include "gxn/model/train_log.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace gxn {
namespace {

constexpr char kLogHeader[] =
    "epoch,lr,train_loss,i2t_r1,i2t_r5,i2t_r10,t2i_r1,t2i_r5,t2i_r10,rsum,seconds,best,"
    "ranking_loss,caption_loss,generator_loss,discriminator_loss,val_cider,batch_r1\n";

}  // namespace

void StepLosses::add_step(const StepLosses& step, double batch_size) {
  total += step.total / batch_size;
  ranking += step.ranking;
  caption += step.caption;
  generator += step.generator;
  discriminator += step.discriminator;
  batch_r1 += step.batch_r1;
}

StepLosses StepLosses::mean_over(double batches) const {
  StepLosses mean = *this;
  for (double* v : {&mean.total, &mean.ranking, &mean.caption, &mean.generator, &mean.discriminator, &mean.batch_r1})
    *v /= batches;
  return mean;
}

double selection_score(const TrainingPaths& paths, const EpochReport& report) {
  if (paths.embedding) return report.val.rsum;
  if (paths.i2t) return report.val_cider;
  return static_cast<double>(report.epoch);
}

TrainLog::TrainLog(const std::string& rows) {
  // A checkpoint from before a column was added has shorter rows: the column is left empty
  // (not measured then), so every row stays under the header's columns.
  const auto columns = [](const std::string& text) { return std::count(text.begin(), text.end(), ','); };
  const auto header_columns = columns(kLogHeader);
  std::istringstream in(rows);
  for (std::string line; std::getline(in, line);) {
    if (const auto missing = header_columns - columns(line); missing > 0) line.append(missing, ',');
    rows_.push_back(line + "\n");
  }
}

void TrainLog::add(const EpochReport& r) {
  char buf[768];
  std::snprintf(
      buf, sizeof buf, "%lld,%.9g,%.9g,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%d,%.9g,%.9g,%.9g,%.9g,%.4f,%.4f\n",
      static_cast<long long>(r.epoch), r.learning_rate, r.train_loss, r.val.i2t.r1, r.val.i2t.r5, r.val.i2t.r10,
      r.val.t2i.r1, r.val.t2i.r5, r.val.t2i.r10, r.val.rsum, r.seconds, r.best ? 1 : 0, r.losses.ranking,
      r.losses.caption, r.losses.generator, r.losses.discriminator, r.val_cider, r.losses.batch_r1);
  rows_.push_back(buf);
}

std::string TrainLog::rows() const {
  std::string text;
  for (const auto& row : rows_) text += row;
  return text;
}

std::string TrainLog::text() const { return kLogHeader + rows(); }

}  // namespace gxn
