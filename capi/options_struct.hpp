#pragma once
// Structs that carry their own size (first field `size_t size`), so gxn.h can grow them without
// breaking a caller compiled against an older header, nor trusting one compiled against a newer.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "gxn/error.hpp"

namespace gxn::capi {

// The caller's options: the defaults when `given` is NULL; else the defaults overwritten by the
// fields the caller's struct holds. A struct smaller than the first version of T
// (`first_size`), or one larger than this library's T with non-zero bytes beyond it (fields of a
// newer gxn.h this library cannot honour), is refused naming `name`.
template <typename T>
T read_options(const T* given, void (*defaults)(T*), std::size_t first_size, const char* name) {
  T options;
  defaults(&options);
  if (given == nullptr) return options;
  const std::size_t size = given->size;
  if (size < first_size)
    throw Error(ErrorCode::InvalidArgument, std::string(name) + ".size = " + std::to_string(size) +
                                                " is smaller than any version of the struct: fill it with " + name +
                                                "'s default_options function");
  const auto* bytes = reinterpret_cast<const unsigned char*>(given);
  if (size > sizeof(T) && std::any_of(bytes + sizeof(T), bytes + size, [](unsigned char b) { return b != 0; }))
    throw Error(ErrorCode::Unsupported, std::string(name) +
                                            " sets fields this library does not know (gxn.h is newer than "
                                            "libgxn_c): update the library");
  std::memcpy(&options, given, std::min(size, sizeof(T)));
  options.size = sizeof(T);
  return options;
}

// Copies `full` into the caller's struct `out`, as far as out->size (at least `first_size`) allows.
template <typename T>
void write_sized(const T& full, T* out, std::size_t first_size, const char* name) {
  const std::size_t size = out->size;
  if (size < first_size)
    throw Error(ErrorCode::InvalidArgument, std::string(name) + ".size = " + std::to_string(size) +
                                                " is smaller than any version of the struct: set it to sizeof(" + name +
                                                ")");
  std::memcpy(out, &full, std::min(size, sizeof(T)));
  out->size = size;
}

}  // namespace gxn::capi
