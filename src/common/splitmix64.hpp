#pragma once
// Private to gxn: the random numbers behind the synthetic data and the order training visits
// its data in. splitmix64 is small, fast and gives the same numbers on every platform (std::
// distributions do not).
#include <cstdint>
#include <utility>
#include <vector>

namespace gxn::detail {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n) for 0 < n < 2^31 (multiply-shift on the top 32 bits).
  int below(int n) { return static_cast<int>(((next() >> 32) * static_cast<std::uint64_t>(n)) >> 32); }
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }
  // Uniform in [0, n) for any n > 0 (multiply-shift on all 64 bits; bias below 2^-40 for the
  // counts gxn shuffles).
  std::uint64_t below64(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(below(static_cast<int>(items.size())))];
  }

  template <class T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i)
      std::swap(items[i - 1], items[static_cast<std::size_t>(below(static_cast<int>(i)))]);
  }

 private:
  std::uint64_t state_;
};

}  // namespace gxn::detail
