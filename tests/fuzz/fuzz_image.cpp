// Images (JPEG, PNG, BMP, GIF) through decode_image_memory: every input is decoded or refused
// with gxn::Error, never read or written out of bounds (the DHT overflow of stb_image 2.27).
#include <cstdint>

#include "gxn/engine/io/image.hpp"
#include "gxn/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gxn::ImageLimits limits;
  limits.max_pixels = 4 << 20;  // a decompression bomb is refused, not decoded, within the fuzzer's memory
  try {
    const gxn::Image image = gxn::decode_image_memory(data, size, "fuzz", limits);
    if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3) __builtin_trap();
  } catch (const gxn::Error&) {
  }
  return 0;
}
