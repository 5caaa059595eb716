#include "process_setup.hpp"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "gxn/engine/cpu.hpp"

namespace gxn::cli {

const char* blas_core_name() {
  using CoreName = char* (*)();
  const auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return core_name ? core_name() : "";
}

namespace {

// The OpenBLAS kernels for this CPU's vector instructions, or nullptr to keep OpenBLAS's choice.
const char* better_blas_core() {
  const char* current = blas_core_name();
  if (std::strcmp(current, "Prescott") != 0 && std::strcmp(current, "Core2") != 0 &&
      std::strcmp(current, "Nehalem") != 0 && std::strcmp(current, "Penryn") != 0 &&
      std::strcmp(current, "Dunnington") != 0)
    return nullptr;  // OpenBLAS knew the CPU (or is not there)
  switch (detect_isa()) {
    case Isa::Avx512: return "SkylakeX";
    case Isa::Avx2: return "Haswell";
    default: return nullptr;
  }
}

}  // namespace

void prepare_process(char** argv) {
  if (!std::getenv("OPENBLAS_CORETYPE") && !std::getenv("GXN_KEEP_BLAS_CORE")) {
    if (const char* core = better_blas_core()) {
      setenv("OPENBLAS_CORETYPE", core, 1);
      execv("/proc/self/exe", argv);  // returns only on failure: then run on as we are
    }
  }
  mallopt(M_MMAP_MAX, 0);              // large blocks from the heap, reusable after free
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // and kept (up to 1 GiB free at the top) for the next step
}

}  // namespace gxn::cli
