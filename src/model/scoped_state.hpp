#pragma once
// Private to gxn::model: state a call changes for its own duration and puts back, even when it
// throws.
#include <torch/torch.h>

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

}  // namespace gxn::detail
