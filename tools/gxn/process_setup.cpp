#include "process_setup.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>

#include "gxn/engine/cpu.hpp"

namespace gxn::cli {

void prepare_process(char** argv) {
  if (!std::getenv("OPENBLAS_CORETYPE") && !std::getenv("GXN_KEEP_BLAS_CORE")) {
    if (const char* core = recommended_blas_core()) {
      setenv("OPENBLAS_CORETYPE", core, 1);
      execv("/proc/self/exe", argv);  // returns only on failure: then run on as we are
    }
  }
  mallopt(M_MMAP_MAX, 0);              // large blocks from the heap, reusable after free
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // and kept (up to 1 GiB free at the top) for the next step
}

}  // namespace gxn::cli
