#pragma once
// Images as gxn's engine sees them: 8-bit RGB, decoded from JPEG, PNG, BMP or GIF (first frame)
// by stb_image, and written as PNG by stb_image_write.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gxn/error.hpp"

namespace gxn {

// An 8-bit RGB image: `height` rows of `width` pixels, each pixel R, G, B, rows packed.
struct Image {
  static constexpr int channels = 3;
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // height * width * 3 bytes

  Image() = default;
  // A black image; throws gxn::Error(InvalidArgument) unless both sizes are positive.
  Image(int width, int height);

  std::uint8_t* pixel(int x, int y) { return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3; }
  const std::uint8_t* pixel(int x, int y) const {
    return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3;
  }
};

// Images larger than this are refused before any pixel is decoded: a small file can claim a
// huge image (a decompression bomb). max_dimension cannot exceed 1048576 (stb_image's limit).
struct ImageLimits {
  int max_dimension = 16384;            // width and height
  std::int64_t max_pixels = 100000000;  // width * height (300 MB as RGB)
};

// Decodes the image file at `path` (JPEG, PNG, BMP or GIF, told apart by content) to RGB:
// grey is replicated, alpha dropped, 16-bit samples taken to their high byte, a GIF's first
// frame used, EXIF orientation ignored (as PIL's Image.open does). Throws gxn::Error naming
// the file: NotFound, Io, Format (empty, corrupt, truncated, or another format, with
// stb_image's reason), Unsupported (above `limits`), InvalidArgument (bad limits).
Image decode_image_file(const std::string& path, const ImageLimits& limits = {});

// As decode_image_file, from `size` bytes in memory; `name` is used in error messages.
Image decode_image_memory(const void* data, std::size_t size, const std::string& name, const ImageLimits& limits = {});

// The PNG encoding of `image` (deterministic: the same pixels always give the same bytes).
std::vector<std::uint8_t> encode_png(const Image& image);

// Writes `image` as a PNG file, atomically. Throws gxn::Error(Io) naming the path.
void write_png(const std::string& path, const Image& image);

}  // namespace gxn
