#pragma once
// TorchScript modules as backbones, and loading native backbones from TorchScript exports
// (scripts/export_backbone.py) by parameter name.
#include <torch/torch.h>

#include <string>

namespace gxn {

// torch::jit::load, with a gxn::Error naming the file when it is missing or not TorchScript.
torch::jit::Module load_torchscript(const std::string& path);

// Copies every parameter and buffer of `source` into the one of the same name in `target`.
// Names must match both ways and shapes must agree; otherwise gxn::Error lists the missing,
// unexpected or mis-shaped names (`source_name` says where the weights came from).
void copy_weights_by_name(torch::nn::Module& target, const torch::jit::Module& source, const std::string& source_name);

// A TorchScript module mapping (B, 3, H, W) to (B, feature_dim). Its parameters and buffers
// are registered here under their TorchScript names (sharing storage), so optimisers,
// Module::to, parameters() and torch::serialize archives see them like native ones.
struct ScriptedBackboneImpl : torch::nn::Module {
  // `origin` names the module in error messages (usually its file).
  ScriptedBackboneImpl(torch::jit::Module module, std::int64_t feature_dim, std::string origin);
  torch::Tensor forward(const torch::Tensor& x);
  void train(bool on = true) override;

  torch::jit::Module& module() { return module_; }
  const torch::jit::Module& module() const { return module_; }

 private:
  torch::jit::Module module_;
  std::int64_t feature_dim_;
  std::string origin_;
};
TORCH_MODULE(ScriptedBackbone);

}  // namespace gxn
