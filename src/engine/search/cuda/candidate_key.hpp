#pragma once
// A top-k candidate as one 64-bit key: the score's bits in the high word, ordered so that a
// higher score is a smaller key, and the candidate's index in the low word. Ascending keys are
// then exactly gxn's result order (best first, equal scores by lower index), and keys are
// unique, so selecting the k smallest keys needs no rule for ties.
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define GXN_HOST_DEVICE __host__ __device__
#else
#define GXN_HOST_DEVICE
#endif

namespace gxn::detail::cuda {

// Indices must fit the low word; the scorer refuses more candidates than this.
constexpr std::int64_t kMaxCandidates = std::int64_t{1} << 31;

GXN_HOST_DEVICE inline std::uint32_t float_bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
#endif
}

GXN_HOST_DEVICE inline float bits_float(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float x;
  std::memcpy(&x, &u, 4);
  return x;
#endif
}

GXN_HOST_DEVICE inline std::uint64_t candidate_key(float score, std::uint32_t index) {
  // -0 and +0 are equal scores: one key for both, or ties between them would order by sign.
  const std::uint32_t u = score == 0.0f ? 0u : float_bits(score);
  // Ascending in the score (the usual flip for IEEE floats), then inverted: descending.
  const std::uint32_t ascending = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return (static_cast<std::uint64_t>(~ascending) << 32) | index;
}

GXN_HOST_DEVICE inline float key_score(std::uint64_t key) {
  const std::uint32_t ascending = ~static_cast<std::uint32_t>(key >> 32);
  return bits_float((ascending & 0x80000000u) ? (ascending & 0x7fffffffu) : ~ascending);
}

GXN_HOST_DEVICE inline std::int64_t key_index(std::uint64_t key) { return static_cast<std::uint32_t>(key); }

}  // namespace gxn::detail::cuda
