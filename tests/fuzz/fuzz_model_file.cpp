// Model files: load_model accepts or refuses with gxn::Error; a loaded model encodes a caption.
#include <cstdint>

#include "gxn/error.hpp"
#include "gxn/model/model_file.hpp"
#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = write_scratch(data, size, ".gxn");
  try {
    gxn::LoadedModel loaded = gxn::load_model(path);
    const auto ids = torch::ones({1, 3}, torch::kInt64);
    loaded.model->encode_texts(ids.clamp_max(loaded.model->config().text.vocab_size - 1), torch::full({1}, 3));
  } catch (const gxn::Error&) {
  }
  return 0;
}
