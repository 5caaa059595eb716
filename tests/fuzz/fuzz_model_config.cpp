// Config JSON (training configs, which hold the model's): parsed and checked, or refused with
// gxn::Error; an accepted config writes JSON that reads back to the same config.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gxn/error.hpp"
#include "gxn/model/train_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const gxn::TrainConfig config = gxn::train_config_from_json(text, "fuzz.json");
    const std::string again = gxn::to_json(config);
    if (gxn::to_json(gxn::train_config_from_json(again, "again.json")) != again) std::abort();
  } catch (const gxn::Error&) {
  }
  try {
    gxn::model_config_from_json(text, "fuzz.json");
  } catch (const gxn::Error&) {
  }
  return 0;
}
