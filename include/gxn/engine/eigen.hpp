#pragma once
// Eigen matrices in and out of the engine without copying: a C++ host that keeps its
// embeddings in Eigen passes them to OrderScorer, RetrievalIndex or the metrics as views, and
// reads gxn's results as Eigen maps.
//
//   gxn::RowMatrixXf texts = ...;                       // N × 2D, one embedding per row
//   gxn::TopK best = scorer.top_images(gxn::as_view(texts), gxn::as_view(images), 10);
//   auto scores = gxn::as_eigen(scorer.score_matrix(images_view, texts_view));  // no copy
#include <Eigen/Core>
#include <type_traits>

#include "gxn/engine/matrix.hpp"

namespace gxn {

using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrixXf, Eigen::Unaligned, Eigen::OuterStride<>>;
using RowMap = Eigen::Map<RowMatrixXf, Eigen::Unaligned, Eigen::OuterStride<>>;

// A view of an Eigen expression that holds row-major floats in memory (a RowMatrixXf, a Map of
// one, a block of rows): the view borrows the host's storage. Other expressions (column-major,
// computed ones) do not compile, so nothing is copied behind the caller's back.
template <typename Derived>
MatrixView as_view(const Eigen::DenseBase<Derived>& m) {
  using Traits = Eigen::internal::traits<Derived>;
  static_assert(std::is_same_v<typename Derived::Scalar, float>, "gxn views hold float32");
  static_assert(static_cast<int>(Derived::Flags) & Eigen::RowMajorBit, "gxn views are row-major");
  static_assert(static_cast<int>(Traits::Flags) & Eigen::DirectAccessBit, "the expression must be stored in memory");
  const Derived& d = m.derived();
  if (d.innerStride() != 1) throw Error(ErrorCode::Shape, "as_view: the rows' elements must be contiguous");
  return {d.data(), d.rows(), d.cols(), d.rows() > 1 ? d.outerStride() : d.cols()};
}

// The view, or a Matrix, as an Eigen map over the same floats.
inline ConstRowMap as_eigen(const MatrixView& m) {
  return ConstRowMap(m.data, m.rows, m.cols, Eigen::OuterStride<>(m.stride));
}
inline RowMap as_eigen(Matrix& m) { return RowMap(m.data(), m.rows(), m.cols(), Eigen::OuterStride<>(m.cols())); }

}  // namespace gxn
