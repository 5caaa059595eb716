#include "gxn/engine/cpu.hpp"

#include <dlfcn.h>

#include <cstring>
#include <string>

#include "gxn/error.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define GXN_X86 1
#endif

namespace gxn {

namespace {

#if GXN_X86
// XCR0: which register states the OS saves on a context switch. A CPU may have AVX-512 while
// the OS (or hypervisor) does not enable its state; then using it faults, so both must agree.
unsigned long long read_xcr0() {
  unsigned eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

Isa detect() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return Isa::Portable;
  const bool osxsave = ecx & (1u << 27);
  const bool avx = ecx & (1u << 28);
  const bool fma = ecx & (1u << 12);
  if (!osxsave || !avx || !fma) return Isa::Portable;
  const unsigned long long xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;    // SSE and AVX state
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;  // plus opmask, ZMM0-15 upper halves, ZMM16-31
  if (!os_ymm) return Isa::Portable;
  if (__get_cpuid_max(0, nullptr) < 7) return Isa::Portable;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = ebx & (1u << 5);
  const bool avx512f = ebx & (1u << 16);
  const bool avx512dq = ebx & (1u << 17);
  const bool avx512bw = ebx & (1u << 30);
  const bool avx512vl = ebx & (1u << 31);
  if (avx2 && avx512f && avx512dq && avx512bw && avx512vl && os_zmm) return Isa::Avx512;
  if (avx2) return Isa::Avx2;
  return Isa::Portable;
}
#else
Isa detect() { return Isa::Portable; }
#endif

}  // namespace

Isa detect_isa() {
  static const Isa best = detect();
  return best;
}

bool has_avx512_vnni() {
#if GXN_X86
  static const bool vnni = [] {
    if (detect_isa() != Isa::Avx512) return false;
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ecx & (1u << 11)) != 0;  // AVX512_VNNI
  }();
  return vnni;
#else
  return false;
#endif
}

Isa resolve_isa(Isa requested) {
  const Isa best = detect_isa();
  if (requested == Isa::Auto) return best;
  if (static_cast<int>(requested) < static_cast<int>(Isa::Portable) ||
      static_cast<int>(requested) > static_cast<int>(Isa::Avx512))
    throw Error(ErrorCode::InvalidArgument,
                "isa: unknown instruction set " + std::to_string(static_cast<int>(requested)));
  // The kernels nest: an AVX-512 machine can run the AVX2 and portable ones too.
  if (static_cast<int>(requested) > static_cast<int>(best))
    throw Error(ErrorCode::Unsupported, std::string("isa: this CPU does not support ") + isa_name(requested) +
                                            " (best available: " + isa_name(best) + ")");
  return requested;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Auto: return "auto";
    case Isa::Portable: return "portable";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "unknown";
}

Isa parse_isa(const char* name) {
  const std::string s = name ? name : "";
  for (Isa isa : {Isa::Auto, Isa::Portable, Isa::Avx2, Isa::Avx512})
    if (s == isa_name(isa)) return isa;
  throw Error(ErrorCode::InvalidArgument,
              "isa: unknown instruction set '" + s + "' (expected auto, portable, avx2 or avx512)");
}

const char* blas_core_name() {
  using CoreName = char* (*)();
  const auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return core_name ? core_name() : "";
}

const char* recommended_blas_core() {
  const char* current = blas_core_name();
  for (const char* old : {"Prescott", "Core2", "Nehalem", "Penryn", "Dunnington"})
    if (std::strcmp(current, old) == 0) switch (detect_isa()) {
        case Isa::Avx512: return "SkylakeX";
        case Isa::Avx2: return "Haswell";
        default: return nullptr;
      }
  return nullptr;  // OpenBLAS knew the CPU (or is not there)
}

}  // namespace gxn
