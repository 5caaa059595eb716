// Checkpoints: every part a resume reads (config, model, state, log, optimisers, random state)
// is accepted or refused with gxn::Error.
#include <cstdint>

#include "gxn/error.hpp"
#include "gxn/model/checkpoint.hpp"
#include "gxn/model/training_optimizers.hpp"
#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = write_scratch(data, size, ".gxn");
  try {
    const gxn::Checkpoint checkpoint(path);
    checkpoint.state();
    checkpoint.log();
    gxn::LoadedModel loaded = checkpoint.model();
    gxn::TrainingOptimizers optimizers(loaded.model, checkpoint.config(), checkpoint.config().learning_rate);
    checkpoint.restore(optimizers, torch::kCPU);
    checkpoint.restore_random_state();
  } catch (const gxn::Error&) {
  }
  return 0;
}
