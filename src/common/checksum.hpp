#pragma once
// Hashes for gxn's files. Not cryptographic: they catch damaged or truncated data, not tampering.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace gxn {

constexpr std::uint64_t kFnv1aOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnv1aPrime = 1099511628211ull;

// FNV-1a, 64-bit, byte by byte; continue a hash by passing it as `state`. Behind fingerprints.
inline std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t state = kFnv1aOffset) {
  for (unsigned char c : bytes) state = (state ^ c) * kFnv1aPrime;
  return state;
}

// The checksum of file sections (hundreds of MB of weights): FNV-1a steps over 64-bit words in
// four independent lanes, with a rotation so high bits spread; then the lanes, the tail bytes
// and the length are folded together. Any single flipped bit changes it.
inline std::uint64_t checksum64(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t lane[4] = {kFnv1aOffset, kFnv1aOffset ^ 1, kFnv1aOffset ^ 2, kFnv1aOffset ^ 3};
  std::size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    for (int k = 0; k < 4; ++k) {
      std::uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      const std::uint64_t x = (lane[k] ^ w) * kFnv1aPrime;
      lane[k] = (x << 29) | (x >> 35);
    }
  }
  std::uint64_t h = fnv1a64(std::string_view(reinterpret_cast<const char*>(lane), sizeof lane));
  h = fnv1a64(std::string_view(reinterpret_cast<const char*>(p + i), size - i), h);
  const std::uint64_t n = size;
  return fnv1a64(std::string_view(reinterpret_cast<const char*>(&n), sizeof n), h);
}

}  // namespace gxn
