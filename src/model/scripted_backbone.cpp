#include "gxn/model/scripted_backbone.hpp"

#include <torch/script.h>

#include <filesystem>
#include <map>

#include "gxn/error.hpp"
#include "tensor_checks.hpp"

namespace gxn {
using detail::shape_string;

namespace {

// "a, b, c and 4 more"
std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(names.size(), 5);
  for (std::size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out;
}

std::map<std::string, torch::Tensor> named_tensors(const torch::jit::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters(/*recurse=*/true)) out.emplace(p.name, p.value);
  for (const auto& b : m.named_buffers(/*recurse=*/true)) out.emplace(b.name, b.value);
  return out;
}

}  // namespace

torch::jit::Module load_torchscript(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw Error(ErrorCode::NotFound, path + ": no such TorchScript file");
  try {
    return torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::Format, path + ": not a readable TorchScript file (" + e.what_without_backtrace() + ")");
  }
}

void copy_weights_by_name(torch::nn::Module& target, const torch::jit::Module& source, const std::string& source_name) {
  std::map<std::string, torch::Tensor> wanted;
  for (const auto& p : target.named_parameters(/*recurse=*/true)) wanted.emplace(p.key(), p.value());
  for (const auto& b : target.named_buffers(/*recurse=*/true)) wanted.emplace(b.key(), b.value());
  const auto given = named_tensors(source);

  std::vector<std::string> missing, unexpected, misshaped;
  for (const auto& [name, t] : wanted) {
    auto it = given.find(name);
    if (it == given.end())
      missing.push_back(name);
    else if (it->second.sizes() != t.sizes())
      misshaped.push_back(name + " (file " + shape_string(it->second) + ", model " + shape_string(t) + ")");
  }
  for (const auto& [name, t] : given)
    if (!wanted.count(name)) unexpected.push_back(name);
  if (!missing.empty() || !unexpected.empty() || !misshaped.empty()) {
    std::string msg = source_name + ": weights do not fit the " + target.name() + " backbone:";
    if (!missing.empty()) msg += " missing " + name_list(missing) + ";";
    if (!unexpected.empty()) msg += " unexpected " + name_list(unexpected) + ";";
    if (!misshaped.empty()) msg += " wrong shape " + name_list(misshaped) + ";";
    msg.pop_back();
    throw Error(ErrorCode::Shape, msg);
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, t] : wanted) t.copy_(given.at(name));
}

ScriptedBackboneImpl::ScriptedBackboneImpl(torch::jit::Module module, std::int64_t feature_dim, std::string origin)
    : module_(std::move(module)), feature_dim_(feature_dim), origin_(std::move(origin)) {
  // Mirror the TorchScript hierarchy with empty holder modules so names keep their dots.
  std::map<std::string, std::shared_ptr<torch::nn::Module>> holders;
  auto holder_of = [&](const std::string& dotted) -> torch::nn::Module& {
    const auto dot = dotted.rfind('.');
    if (dot == std::string::npos) return *this;
    const std::string path = dotted.substr(0, dot);
    torch::nn::Module* parent = this;
    std::string prefix;
    for (std::size_t start = 0; start <= path.size();) {
      std::size_t end = path.find('.', start);
      if (end == std::string::npos) end = path.size();
      const std::string part = path.substr(start, end - start);
      prefix += (prefix.empty() ? "" : ".") + part;
      auto& h = holders[prefix];
      if (!h) h = parent->register_module(part, std::make_shared<torch::nn::Module>());
      parent = h.get();
      start = end + 1;
    }
    return *parent;
  };
  auto leaf = [](const std::string& dotted) {
    const auto dot = dotted.rfind('.');
    return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
  };
  for (const auto& p : module_.named_parameters(/*recurse=*/true))
    holder_of(p.name).register_parameter(leaf(p.name), p.value, p.value.requires_grad());
  for (const auto& b : module_.named_buffers(/*recurse=*/true))
    holder_of(b.name).register_buffer(leaf(b.name), b.value);
  module_.train(is_training());
}

torch::Tensor ScriptedBackboneImpl::forward(const torch::Tensor& x) {
  torch::IValue out;
  try {
    out = module_.forward({x});
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::Shape, origin_ + ": the TorchScript backbone failed on input " + shape_string(x) + ": " +
                                      e.what_without_backtrace());
  }
  if (!out.isTensor()) throw Error(ErrorCode::Format, origin_ + ": the TorchScript backbone must return one tensor");
  auto y = out.toTensor();
  if (y.dim() != 2 || y.size(0) != x.size(0) || y.size(1) != feature_dim_)
    throw Error(ErrorCode::Shape, origin_ + ": the TorchScript backbone returned " + shape_string(y) + ", expected (" +
                                      std::to_string(x.size(0)) + ", " + std::to_string(feature_dim_) +
                                      ") (image.feature_dim)");
  return y;
}

void ScriptedBackboneImpl::train(bool on) {
  torch::nn::Module::train(on);
  module_.train(on);
}

}  // namespace gxn
