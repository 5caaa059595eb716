#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "gxn/model/train_log.hpp"

namespace {

gxn::EpochReport report(std::int64_t epoch, double rsum, double cider) {
  gxn::EpochReport r;
  r.epoch = epoch;
  r.val.rsum = rsum;
  r.val_cider = cider;
  return r;
}

}  // namespace

TEST_CASE("best.gxn is chosen by what the run trains: rsum, else CIDEr-D, else the latest epoch",
          "[model][train_log]") {
  const gxn::EpochReport early = report(3, 200.0, 0.9), late = report(8, 150.0, 0.4);
  const auto better = [&](const char* paths) {
    const gxn::TrainingPaths p = gxn::parse_training_paths(paths);
    return gxn::selection_score(p, late) > gxn::selection_score(p, early) ? "late" : "early";
  };
  CHECK(std::string(better("embedding")) == "early");
  CHECK(std::string(better("embedding,i2t,t2i")) == "early");
  // Without the embedding path rsum is chance: an early epoch's lucky rsum must not win.
  CHECK(std::string(better("i2t")) == "early");
  CHECK(std::string(better("i2t,t2i")) == "early");
  const gxn::EpochReport captions_better = report(8, 150.0, 1.2);
  CHECK(gxn::selection_score(gxn::parse_training_paths("i2t"), captions_better) >
        gxn::selection_score(gxn::parse_training_paths("i2t"), early));
  CHECK(std::string(better("t2i")) == "late");
}

TEST_CASE("Rows from a log written before batch_r1 existed get an empty batch_r1", "[model][train_log]") {
  gxn::TrainLog now;
  now.add(report(1, 200.0, 0.9));
  const std::string row = now.rows();
  const std::string old_row = row.substr(0, row.rfind(','));  // the row without batch_r1 (nor newline)
  const gxn::TrainLog resumed(old_row + "\n" + row);
  // The old row gains an empty last field; a row of today's width stays as it was.
  CHECK(resumed.rows() == old_row + ",\n" + row);
  const std::string text = resumed.text();
  const std::string header = text.substr(0, text.find('\n'));
  CHECK(std::count(header.begin(), header.end(), ',') == std::count(row.begin(), row.end(), ','));
}
