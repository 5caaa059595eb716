#include "gxn/engine/io/image.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

#include "gxn/engine/io/atomic_file.hpp"
#include "stb_image_impl.hpp"

namespace gxn {

namespace {

std::string size_text(std::int64_t w, std::int64_t h) { return std::to_string(w) + "x" + std::to_string(h); }

std::uint32_t le16(const std::uint8_t* p) { return p[0] | (p[1] << 8); }
std::uint32_t le32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// stb_image refuses truncated JPEG and PNG data but decodes a cut GIF or BMP into a partly
// black image without a word; these checks refuse those. A GIF is complete when the first
// frame's data sub-blocks reach their terminator within the file.
bool gif_first_frame_complete(const std::uint8_t* d, std::size_t n) {
  if (n < 13) return false;
  std::size_t p = 13;
  if (d[10] & 0x80) p += std::size_t{3} << ((d[10] & 7) + 1);  // global colour table
  auto skip_sub_blocks = [&]() {
    for (;;) {
      if (p >= n) return false;
      const std::uint8_t length = d[p++];
      if (length == 0) return true;
      p += length;
    }
  };
  while (p < n) {
    const std::uint8_t introducer = d[p++];
    if (introducer == 0x21) {  // extension: label, then sub-blocks
      ++p;
      if (!skip_sub_blocks()) return false;
    } else if (introducer == 0x2C) {  // image descriptor
      if (p + 9 > n) return false;
      const std::uint8_t flags = d[p + 8];
      p += 9;
      if (flags & 0x80) p += std::size_t{3} << ((flags & 7) + 1);  // local colour table
      ++p;                                                         // LZW minimum code size
      return skip_sub_blocks();
    } else {
      return false;
    }
  }
  return false;
}

// Debian 12's stb_image (2.27) trusts a JPEG's Huffman table sizes: counts adding up to more
// than 256 make it write past its tables (fixed upstream in 2.28). Every DHT segment, before
// and between scans, is checked here first, walking the markers as stb_image does. stb_image
// reads the bytes of a truncated file as zeros and a segment as long as its length field says,
// so a table cut short by the end of the file is checked with zeros for the missing counts.
// stb_image also takes a JPEG whose SOI follows any number of 0xFF fill bytes. True for a file
// that is not a JPEG.
bool jpeg_huffman_tables_valid(const std::uint8_t* d, std::size_t n) {
  const auto byte = [&](std::size_t i) -> std::size_t { return i < n ? d[i] : 0; };
  std::size_t p = 0;
  while (p < n && d[p] == 0xFF) ++p;
  if (p == 0 || p >= n || d[p] != 0xD8) return true;  // no SOI: stb_image will not read it as a JPEG
  ++p;                                                // after SOI
  while (p + 1 < n) {
    if (d[p] != 0xFF) {  // entropy-coded data: look for the next marker
      ++p;
      continue;
    }
    const std::uint8_t marker = d[p + 1];
    if (marker == 0xFF) {  // fill byte
      ++p;
      continue;
    }
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // stuffing, TEM, RSTn, SOI
      p += 2;
      continue;
    }
    if (marker == 0xD9 || p + 4 > n) break;  // EOI, or a truncated file stb will refuse
    const std::size_t length = (static_cast<std::size_t>(d[p + 2]) << 8) | d[p + 3];
    if (marker == 0xC4) {
      std::size_t q = p + 4, left = length < 2 ? 0 : length - 2;
      while (left > 0 && q < n) {  // past the file's end stb reads zero counts: no table to check
        std::size_t symbols = 0;
        for (std::size_t i = 1; i <= 16; ++i) symbols += byte(q + i);
        if (symbols > 256) return false;
        q += 17 + symbols;
        left = left > 17 + symbols ? left - 17 - symbols : 0;
      }
    }
    p += 2 + (length < 2 ? 2 : length);
  }
  return true;
}

// stb_image 2.27 grows its buffer to an IDAT chunk's declared length before reading it: a
// 377-byte PNG claiming 2 GB allocated 2 GB (found by fuzz_image). True when every chunk's
// length fits in what is left of the file, up to IEND.
bool png_chunks_fit(const std::uint8_t* d, std::size_t n) {
  if (n < 8 || std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0) return true;  // not a PNG
  for (std::size_t p = 8; p + 8 <= n;) {
    const std::size_t length = (static_cast<std::size_t>(d[p]) << 24) | (static_cast<std::size_t>(d[p + 1]) << 16) |
                               (static_cast<std::size_t>(d[p + 2]) << 8) | d[p + 3];
    if (length > n - p - 8) return false;
    if (std::memcmp(d + p + 4, "IEND", 4) == 0) break;
    p += 12 + length;  // length, type, data, CRC
  }
  return true;
}

// An uncompressed BMP (the only kind stb_image reads) is complete when its pixel rows fit.
bool bmp_pixels_complete(const std::uint8_t* d, std::size_t n) {
  if (n < 26) return false;
  const std::uint32_t offset = le32(d + 10);
  const std::uint32_t header_size = le32(d + 14);
  std::int64_t width, height, bits;
  if (header_size == 12) {
    width = le16(d + 18), height = le16(d + 20), bits = le16(d + 24);
  } else {
    if (n < 34) return false;
    width = static_cast<std::int32_t>(le32(d + 18));
    height = static_cast<std::int32_t>(le32(d + 22));
    bits = le16(d + 28);
  }
  if (height < 0) height = -height;  // top-down rows
  const std::int64_t row_bytes = (width * bits + 31) / 32 * 4;
  return static_cast<std::int64_t>(offset) + row_bytes * height <= static_cast<std::int64_t>(n);
}

}  // namespace

Image::Image(int w, int h) : width(w), height(h) {
  if (w <= 0 || h <= 0) throw Error(ErrorCode::InvalidArgument, "image: bad size " + size_text(w, h));
  pixels.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3, 0);
}

Image decode_image_memory(const void* data, std::size_t size, const std::string& name, const ImageLimits& limits) {
  const std::string what = "image '" + name + "'";
  if (limits.max_dimension < 1 || limits.max_dimension > detail::kStbMaxDimension || limits.max_pixels < 1)
    throw Error(ErrorCode::InvalidArgument,
                "image limits for " + what + ": max_dimension must be in [1, " +
                    std::to_string(detail::kStbMaxDimension) + "] and max_pixels positive, got " +
                    std::to_string(limits.max_dimension) + " and " + std::to_string(limits.max_pixels));
  if (size == 0) throw Error(ErrorCode::Format, "cannot decode " + what + ": the file is empty");
  if (size > static_cast<std::size_t>(INT_MAX))
    throw Error(ErrorCode::Unsupported, "cannot decode " + what + ": files over 2 GiB are not supported");
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  const int length = static_cast<int>(size);

  // Before stb_image reads anything: its header reader builds the Huffman tables too.
  if (!jpeg_huffman_tables_valid(bytes, size))
    throw Error(ErrorCode::Format,
                "cannot decode " + what + ": corrupt JPEG (a Huffman table holds more than 256 codes)");
  if (!png_chunks_fit(bytes, size))
    throw Error(ErrorCode::Format, "cannot decode " + what + ": truncated PNG (a chunk is longer than the file)");
  detail::StbHeader header;
  const char* reason = nullptr;
  if (!detail::stb_read_header(bytes, length, &header, &reason))
    throw Error(ErrorCode::Format, "cannot decode " + what + ": " + (reason ? reason : "unknown error") +
                                       " (JPEG, PNG, BMP and GIF are supported)");
  if (header.width > limits.max_dimension || header.height > limits.max_dimension ||
      static_cast<std::int64_t>(header.width) * header.height > limits.max_pixels)
    throw Error(ErrorCode::Unsupported, "refusing " + what + ": it is " + size_text(header.width, header.height) +
                                            " pixels, above the limit of " + std::to_string(limits.max_dimension) +
                                            " per side and " + std::to_string(limits.max_pixels) + " in all");
  const bool is_gif = size >= 6 && std::memcmp(bytes, "GIF8", 4) == 0;
  const bool is_bmp = size >= 2 && bytes[0] == 'B' && bytes[1] == 'M';
  if ((is_gif && !gif_first_frame_complete(bytes, size)) || (is_bmp && !bmp_pixels_complete(bytes, size)))
    throw Error(ErrorCode::Format, "cannot decode " + what + ": truncated " + (is_gif ? "GIF" : "BMP") +
                                       " (the file ends before its image data)");

  Image image;
  if (!detail::stb_decode_rgb(bytes, length, &image.width, &image.height, &image.pixels, &reason))
    throw Error(ErrorCode::Format, "cannot decode " + what + ": " + (reason ? reason : "unknown error"));
  if (image.width != header.width || image.height != header.height)
    throw Error(ErrorCode::Format, "cannot decode " + what + ": its header says " +
                                       size_text(header.width, header.height) + " but it decodes to " +
                                       size_text(image.width, image.height));
  return image;
}

Image decode_image_file(const std::string& path, const ImageLimits& limits) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  return decode_image_memory(bytes.data(), bytes.size(), path, limits);
}

std::vector<std::uint8_t> encode_png(const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3)
    throw Error(ErrorCode::Shape, "encode_png: malformed image (" + size_text(image.width, image.height) + ", " +
                                      std::to_string(image.pixels.size()) + " bytes)");
  std::vector<std::uint8_t> png;
  if (!detail::stb_encode_png_rgb(image.pixels.data(), image.width, image.height, image.width * 3, &png))
    throw Error(ErrorCode::Internal,
                "encode_png: stb_image_write failed on a " + size_text(image.width, image.height) + " image");
  return png;
}

void write_png(const std::string& path, const Image& image) {
  const std::vector<std::uint8_t> png = encode_png(image);
  write_file_atomically(path, png.data(), png.size());
}

}  // namespace gxn
