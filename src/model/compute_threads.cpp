#include "gxn/model/compute_threads.hpp"

#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <thread>

namespace gxn {

void set_compute_threads(int threads, int blas_threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (blas_threads < 0) blas_threads = threads;
  torch::set_num_threads(threads);
  // Looked up at run time: gxn does not link OpenBLAS, and another BLAS may serve LibTorch.
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    set(std::max(1, blas_threads));
}

}  // namespace gxn
