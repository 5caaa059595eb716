#pragma once
// Private to gxn::model: state a call changes for its own duration and puts back, even when it
// throws.
#include <torch/torch.h>

#include <cstdint>
#include <mutex>

namespace gxn::detail {

// Eval mode for a scope, then the mode the module had (a model in training stays in training).
class EvalModeScope {
 public:
  explicit EvalModeScope(torch::nn::Module& module) : module_(module), was_training_(module.is_training()) {
    if (was_training_) module_.eval();
  }
  ~EvalModeScope() {
    if (was_training_) module_.train(true);
  }
  EvalModeScope(const EvalModeScope&) = delete;
  EvalModeScope& operator=(const EvalModeScope&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

// torch's default CPU generator seeded with `seed` for a scope, then given back the state it
// had. (Its lock is held only to swap states: every draw takes it itself.)
class SeededRandomScope {
 public:
  explicit SeededRandomScope(std::uint64_t seed) : generator_(at::globalContext().defaultGenerator(torch::kCPU)) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    saved_ = generator_.get_state();
    generator_.set_current_seed(seed);
  }
  ~SeededRandomScope() {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(saved_);
  }
  SeededRandomScope(const SeededRandomScope&) = delete;
  SeededRandomScope& operator=(const SeededRandomScope&) = delete;

 private:
  at::Generator generator_;
  torch::Tensor saved_;
};

}  // namespace gxn::detail
