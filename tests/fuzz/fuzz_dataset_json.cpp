// dataset.json (Karpathy style): read_karpathy_dataset accepts or refuses with gxn::Error.
#include <cstdint>

#include "gxn/engine/data/karpathy_dataset.hpp"
#include "gxn/error.hpp"
#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const gxn::KarpathyDataset dataset = gxn::read_karpathy_dataset(write_scratch(data, size, ".json"));
    for (const char* split : {"train", "val", "test"}) {
      try {
        gxn::split_images(dataset, "fuzz", split, "images");
      } catch (const gxn::Error&) {
      }
    }
  } catch (const gxn::Error&) {
  }
  return 0;
}
