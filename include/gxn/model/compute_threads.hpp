#pragma once
// The threads the model's work runs on, set process-wide.
namespace gxn {

// LibTorch's threads (torch::set_num_threads) and, when LibTorch calls OpenBLAS, OpenBLAS's own
// pool, whose idle workers otherwise spin (sched_yield) against LibTorch's OpenMP threads:
// `blas_threads` of them, by default as many. 0 = one per core.
void set_compute_threads(int threads, int blas_threads = -1);

}  // namespace gxn
