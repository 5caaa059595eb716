#pragma once
// Private to gxn::model: two pieces of work that share no state (the caption side and the image
// side of a training step: their modules and parameters are disjoint), run at once on two
// threads, or one after the other on the calling thread. Each piece runs the same operations in
// the same order either way, so the results do not depend on which.
//
// Why: a small model's operations are too short for LibTorch to spread one over two cores (its
// OpenMP and OpenBLAS threads spin and yield against each other: a demo step took twice as long
// on two threads as on one), but its caption encoders and its CNN can each have a core.
#include <functional>

namespace gxn::detail {

class ParallelLanes {
 public:
  // `threads`: the run's thread count (0 = one per core). With two or more the lanes run at
  // once, each with threads / 2 of LibTorch's threads; with one, in turn. Sets the process's
  // compute threads to match (compute_threads.hpp): threads / 2 for LibTorch, and OpenBLAS on
  // one thread per caller while two lanes call it at once.
  explicit ParallelLanes(int threads);

  // Runs both; rethrows the first one's exception if it threw, else the second one's. Grad mode
  // and inference mode follow the calling thread's.
  void run(const std::function<void()>& first, const std::function<void()>& second) const;

  bool parallel() const { return parallel_; }

 private:
  bool parallel_ = false;
  int lane_threads_ = 1;
};

}  // namespace gxn::detail
