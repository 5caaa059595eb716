// The stb_image and stb_image_write implementations, alone in this translation unit (see
// stb_image_impl.hpp for why). Warnings from stb's code are not ours to fix.
#include "stb_image_impl.hpp"

#include <cstdlib>
#include <cstring>

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO  // gxn reads files itself, with error messages that name them
#define STBI_NO_LINEAR
#define STBI_FAILURE_USERMSG
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_MAX_DIMENSIONS (1 << 20)  // must equal kStbMaxDimension
// Zeroed allocations: stb_image 2.27 decodes a JPEG scan with a Huffman table the file never
// defined from uninitialised memory (valgrind shows it; fuzz_image read values[-27] with it).
// An undefined table of zeros decodes to symbol 0 without reading outside its arrays.
#define STBI_MALLOC(size) std::calloc(1, size)
#define STBI_REALLOC(p, size) std::realloc(p, size)
#define STBI_FREE(p) std::free(p)

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wtype-limits"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#ifndef __clang__  // GCC's name; clang (the fuzz build) has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <stb_image.h>
#include <stb_image_write.h>
#pragma GCC diagnostic pop

static_assert(STBI_MAX_DIMENSIONS == gxn::detail::kStbMaxDimension, "keep the two limits equal");

namespace gxn::detail {

bool stb_read_header(const std::uint8_t* data, int size, StbHeader* header, const char** reason) {
  if (!stbi_info_from_memory(data, size, &header->width, &header->height, &header->channels)) {
    *reason = stbi_failure_reason();
    return false;
  }
  return true;
}

bool stb_decode_rgb(const std::uint8_t* data, int size, int* width, int* height, std::vector<std::uint8_t>* rgb,
                    const char** reason) {
  int channels_in_file = 0;
  stbi_uc* pixels = stbi_load_from_memory(data, size, width, height, &channels_in_file, 3);
  if (pixels == nullptr) {
    *reason = stbi_failure_reason();
    return false;
  }
  rgb->assign(pixels, pixels + static_cast<std::size_t>(*width) * static_cast<std::size_t>(*height) * 3);
  stbi_image_free(pixels);
  return true;
}

namespace {
void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}
}  // namespace

bool stb_encode_png_rgb(const std::uint8_t* rgb, int width, int height, int stride, std::vector<std::uint8_t>* png) {
  png->clear();
  return stbi_write_png_to_func(append_bytes, png, width, height, 3, rgb, stride) != 0;
}

}  // namespace gxn::detail
