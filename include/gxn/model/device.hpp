#pragma once
// Where the model runs.
#include <torch/torch.h>

#include <string>

namespace gxn {

// "cpu", "cuda" or "cuda:N" as a device this process can use: gxn::Error(Unsupported) when
// CUDA is not available (a LibTorch without CUDA, or no GPU visible), InvalidArgument for an
// index past the devices present or another name.
torch::Device parse_device(const std::string& name);

}  // namespace gxn
