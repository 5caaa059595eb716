#pragma once
// The edge between gxn::model and gxn::engine: tensors become plain matrix views and back.
#include <torch/torch.h>

#include "gxn/engine/matrix.hpp"

namespace gxn {

// A view of a 2-D float32 CPU tensor with unit column stride. The tensor must outlive the view.
MatrixView as_view(const torch::Tensor& t, const char* what);

// A float32 CPU tensor holding a copy of the view's rows.
torch::Tensor to_tensor(const MatrixView& m);

}  // namespace gxn
