#include "parallel_lanes.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <exception>
#include <thread>

#include "gxn/model/compute_threads.hpp"

namespace gxn::detail {

ParallelLanes::ParallelLanes(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  parallel_ = threads >= 2;
  lane_threads_ = parallel_ ? threads / 2 : threads;
  set_compute_threads(lane_threads_, parallel_ ? 1 : lane_threads_);
}

void ParallelLanes::run(const std::function<void()>& first, const std::function<void()>& second) const {
  if (!parallel_) {
    first();
    second();
    return;
  }
  const bool grad = torch::GradMode::is_enabled(), inference = c10::InferenceMode::is_enabled();
  std::exception_ptr second_error;
  std::thread worker([&] {
    try {
      at::set_num_threads(lane_threads_);  // OpenMP's team size is per thread
      c10::InferenceMode inference_mode(inference);
      torch::AutoGradMode grad_mode(grad);
      second();
    } catch (...) {
      second_error = std::current_exception();
    }
  });
  std::exception_ptr first_error;
  try {
    first();
  } catch (...) {
    first_error = std::current_exception();
  }
  worker.join();
  if (first_error) std::rethrow_exception(first_error);
  if (second_error) std::rethrow_exception(second_error);
}

}  // namespace gxn::detail
