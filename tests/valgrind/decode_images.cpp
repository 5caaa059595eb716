// Decodes each image file named on the command line with gxn's decoder and prints what became
// of it: the program valgrind watches in tests/valgrind/decode_images.sh.
#include <cstdio>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/io/image.hpp"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    try {
      const auto bytes = gxn::read_file_bytes(argv[i]);
      const gxn::Image image = gxn::decode_image_memory(bytes.data(), bytes.size(), argv[i]);
      std::printf("%s: %dx%d\n", argv[i], image.width, image.height);
    } catch (const gxn::Error& e) {
      std::printf("%s: refused: %s\n", argv[i], e.what());
    }
  }
  return 0;
}
