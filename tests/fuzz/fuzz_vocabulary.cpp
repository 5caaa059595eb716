// Vocabulary files: Vocabulary::load accepts or refuses with gxn::Error.
#include <cstdint>

#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/error.hpp"
#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const gxn::Vocabulary vocabulary = gxn::Vocabulary::load(write_scratch(data, size, ".vocab"));
    if (vocabulary.size() < 1) __builtin_trap();
  } catch (const gxn::Error&) {
  }
  return 0;
}
