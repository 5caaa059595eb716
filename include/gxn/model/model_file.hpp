#pragma once
// The model file (.gxn): config, vocabulary and weights in one versioned file of checksummed
// sections with magic "GXNMODEL" and the model fingerprint in its header.
// Sections: "config" (JSON), "vocabulary" (words, one per line, row order), "weights"
// (a torch::serialize archive of GxnModel), and "backbone" (the TorchScript module, only for
// a torchscript backbone, so the file is self-contained).
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/model/gxn_model.hpp"

namespace gxn {

// The format version this gxn writes and reads.
constexpr std::uint32_t kModelFileVersion = 2;  // 2: the training paths in the config

// Saves atomically (temporary file + rename). `vocabulary` must have config().text.vocab_size
// words, none empty or containing a line break. Tensors may live on any device.
void save_model(const std::string& path, GxnModel& model, const std::vector<std::string>& vocabulary);

struct LoadedModel {
  GxnModel model{nullptr};  // on the CPU, in eval mode
  std::vector<std::string> vocabulary;
};

// gxn::Error naming `path` and the fault: not a model file, another format version, truncated,
// a damaged section (checksum), a config or vocabulary that disagrees with the header, or
// weights that do not fit the config.
LoadedModel load_model(const std::string& path);

// The config, vocabulary and fingerprint without building the model (to say what a model file
// is, or to check compatibility before loading weights).
struct ModelFileInfo {
  ModelConfig config;
  std::uint32_t version = 0;
  std::uint64_t fingerprint = 0;
  std::vector<std::string> vocabulary;
};
ModelFileInfo read_model_info(const std::string& path);

}  // namespace gxn
