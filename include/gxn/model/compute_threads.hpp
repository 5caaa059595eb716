#pragma once
// The threads the model's work runs on, set process-wide.
namespace gxn {

// LibTorch's threads (torch::set_num_threads) and, when LibTorch calls OpenBLAS, OpenBLAS's own
// pool, whose idle workers otherwise spin (sched_yield) against LibTorch's OpenMP threads.
// 0 = one per core.
void set_compute_threads(int threads);

}  // namespace gxn
