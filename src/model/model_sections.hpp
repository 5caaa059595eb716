#pragma once
// Private to gxn::model: a model as the sections of a section file, shared by the model file
// and the training checkpoint, which embeds one.
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/model/model_file.hpp"
#include "section_file.hpp"

namespace gxn {

// The sections that make a model: "config", "vocabulary", "weights" and, for a torchscript
// backbone, "backbone". The strings own the bytes the SectionFile's views point to, so keep
// this alive until the file is written.
struct ModelSections {
  std::string config, vocabulary, weights, backbone;
  std::uint64_t fingerprint = 0;            // model_fingerprint of the config
  void append_to(SectionFile& file) const;  // also sets file.fingerprint to the model's
};
ModelSections model_sections(GxnModel& model, const std::vector<std::string>& vocabulary, const std::string& path);

// The model held by a section file (read_section_file), with every check load_model makes;
// `path` names the file in errors.
LoadedModel model_from_sections(const SectionFile& file, const std::string& path);

}  // namespace gxn
