#include "gxn/model/device.hpp"

#include "gxn/error.hpp"

namespace gxn {

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name != "cuda" && name.rfind("cuda:", 0) != 0)
    throw Error(ErrorCode::InvalidArgument, "device = '" + name + "' is not a device: allowed cpu, cuda, cuda:N");
  if (!torch::cuda::is_available())
    throw Error(ErrorCode::Unsupported, "device = '" + name +
                                            "': CUDA is not available (this LibTorch has no CUDA, or no GPU is "
                                            "visible); use device cpu");
  torch::Device device(torch::kCPU);
  try {
    device = torch::Device(name);
  } catch (const c10::Error&) {
    throw Error(ErrorCode::InvalidArgument, "device = '" + name + "' is not a device: allowed cpu, cuda, cuda:N");
  }
  if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count()))
    throw Error(ErrorCode::InvalidArgument,
                "device = '" + name + "': only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
  return device;
}

}  // namespace gxn
