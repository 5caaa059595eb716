#include "tensor_view.hpp"

#include <string>

namespace gxn {

MatrixView as_view(const torch::Tensor& t, const char* what) {
  if (t.dim() != 2 || t.scalar_type() != torch::kFloat32 || !t.device().is_cpu() || t.stride(1) != 1)
    throw Error(ErrorCode::Shape, std::string(what) + ": expected a 2-D float32 CPU tensor with contiguous rows, got " +
                                      std::to_string(t.dim()) + "-D " + std::string(c10::toString(t.scalar_type())) +
                                      " on " + t.device().str());
  return {t.data_ptr<float>(), t.size(0), t.size(1), t.size(0) > 1 ? t.stride(0) : t.size(1)};
}

torch::Tensor to_tensor(const MatrixView& m) {
  check_view(m, "to_tensor");
  auto out = torch::empty({m.rows, m.cols}, torch::kFloat32);
  float* dst = out.data_ptr<float>();
  for (std::int64_t r = 0; r < m.rows; ++r) std::copy(m.row(r), m.row(r) + m.cols, dst + r * m.cols);
  return out;
}

}  // namespace gxn
