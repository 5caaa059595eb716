// The ceiling the order-violation scorer's instructions allow on this machine: the fused
// kernel's inner step (sub, max, fma per 16 pair·dims, 24 independent accumulators) run on
// registers only, with no loads, on 1..N threads. `gxn bench score`'s fused figure divided by
// this one is the kernel's efficiency. Needs AVX-512 (says so and exits otherwise).
//
//   score_ceiling [threads=all] [seconds=2]
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "gxn/engine/cpu.hpp"

// GCC 12 reports the intrinsics' internal _mm512_undefined_ps() as uninitialised (as
// src/engine/score_avx512.cpp notes): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace {

// Pair·dims per second of the register-only step on the calling thread for about `seconds`.
__attribute__((target("avx512f,fma"))) double register_rate(double seconds) {
  __m512 acc[24], cols[4], rows[6];
  for (auto& a : acc) a = _mm512_setzero_ps();
  for (int j = 0; j < 4; ++j) cols[j] = _mm512_set1_ps(0.5f + static_cast<float>(j));
  for (int i = 0; i < 6; ++i) rows[i] = _mm512_set1_ps(0.1f * static_cast<float>(i));
  const __m512 zero = _mm512_setzero_ps();
  constexpr long kBatch = 1000000;  // steps between clock reads
  long steps = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (long s = 0; s < kBatch; ++s) {
#pragma GCC unroll 6
      for (int i = 0; i < 6; ++i)
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
          const __m512 x = _mm512_max_ps(_mm512_sub_ps(cols[j], rows[i]), zero);
          acc[i * 4 + j] = _mm512_fmadd_ps(x, x, acc[i * 4 + j]);
        }
      // Opaque to the compiler, so the loop is not folded away.
      __asm__ volatile("" : "+v"(cols[0]), "+v"(cols[1]), "+v"(cols[2]), "+v"(cols[3]));
    }
    steps += kBatch;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  float sink = 0;
  for (auto& a : acc) sink += _mm512_reduce_add_ps(a);
  if (sink == -1.0f) std::printf(" ");  // keeps the accumulators alive
  return static_cast<double>(steps) * 6 * 64 / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : omp_get_max_threads();
  const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  if (gxn::detect_isa() != gxn::Isa::Avx512) {
    std::printf("score_ceiling: this CPU (or OS) has no AVX-512; nothing to measure\n");
    return 0;
  }
  for (int t = 1; t <= threads; ++t) {
    double total = 0;
#pragma omp parallel num_threads(t) reduction(+ : total)
    total += register_rate(seconds);
    std::printf("{\"threads\": %d, \"ceiling_gpds\": %.1f}\n", t, total / 1e9);
  }
  return 0;
}
