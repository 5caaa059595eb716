// Images (JPEG, PNG, BMP, GIF) through decode_image_memory: every input is decoded or refused
// with gxn::Error, never read or written out of bounds (stb_image 2.27's Huffman overflows).
#include <cstdint>

#include "gxn/engine/io/image.hpp"
#include "gxn/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gxn::ImageLimits limits;
  // Small images only: large ones decode the same code paths, only slower (a 4 M pixel limit
  // ran at ~300 inputs/s); a larger claim is refused from the header, as a bomb is.
  limits.max_pixels = 1 << 16;
  try {
    const gxn::Image image = gxn::decode_image_memory(data, size, "fuzz", limits);
    if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3) __builtin_trap();
  } catch (const gxn::Error&) {
  }
  return 0;
}
