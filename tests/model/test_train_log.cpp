#include <catch2/catch.hpp>

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
