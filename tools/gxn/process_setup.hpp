#pragma once
// What the `gxn` process sets up before it runs a command (the library itself leaves such
// process-wide choices to the application that embeds it).
namespace gxn::cli {

// 1. OpenBLAS, which LibTorch calls for its matrix products, picks its kernels from the CPU
//    model at load time and falls back to its oldest ones (Prescott, SSE3) on a model it does
//    not know -- as Debian's 0.3.21 does on some virtual machines with AVX-512 (measured here:
//    a GRU-1024 training step took 7.4 s on those kernels, 4.5 s on SkylakeX's). When that happened and
//    OPENBLAS_CORETYPE is unset, the process runs itself again with OPENBLAS_CORETYPE naming the kernels the CPU can
//    run (gxn::recommended_blas_core). GXN_KEEP_BLAS_CORE=1 turns this off.
// 2. glibc serves large blocks with fresh mmap()s and returns them on free(), so each training
//    step's big tensors fault in and zero new pages again; gxn keeps freed memory for reuse.
void prepare_process(char** argv);

}  // namespace gxn::cli
