#pragma once
// Private to gxn::engine: the few stb_image / stb_image_write calls gxn makes. The stb code is
// compiled in stb_image_impl.cpp alone, with static linkage (so it never clashes with a host
// application's own copy of stb), decoders for JPEG, PNG, BMP and GIF only, no stdio, and a
// hard dimension limit; everything else in gxn goes through these functions.
#include <cstdint>
#include <vector>

namespace gxn::detail {

// stb_image's own hard limit on width and height (STBI_MAX_DIMENSIONS), a backstop well above
// gxn's ImageLimits: stbi_info must report a large image's size (not fail) for gxn to refuse it
// with a message that says so.
constexpr int kStbMaxDimension = 1 << 20;

struct StbHeader {
  int width = 0;
  int height = 0;
  int channels = 0;  // in the file: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
};

// Reads only the header. Returns false and sets *reason on failure.
bool stb_read_header(const std::uint8_t* data, int size, StbHeader* header, const char** reason);

// Decodes to 8-bit RGB (grey is replicated, alpha dropped, 16-bit taken to its high byte).
// Returns false and sets *reason on failure.
bool stb_decode_rgb(const std::uint8_t* data, int size, int* width, int* height, std::vector<std::uint8_t>* rgb,
                    const char** reason);

// A PNG file of `width` x `height` 8-bit RGB pixels, rows `stride` bytes apart.
// Returns false if stb_image_write fails (out of memory).
bool stb_encode_png_rgb(const std::uint8_t* rgb, int width, int height, int stride, std::vector<std::uint8_t>* png);

}  // namespace gxn::detail
