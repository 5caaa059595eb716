#pragma once
// The input checks every scorer runs before it scores (OrderScorer on the CPU, CudaOrderScorer on
// a GPU), so both refuse the same input with the same code and message.
#include <cstdint>

#include "gxn/engine/matrix.hpp"

namespace gxn::detail {

// check_finite, but vectorised and on `threads` OpenMP threads; check_finite names the entry.
void require_finite(const MatrixView& m, const char* what, int threads = 1);

// Both sides are well-formed views of rows of 2·D floats, D > 0, the same D (Shape otherwise).
// Only the views' sizes and pointers are read, so device views may be checked as MatrixViews.
void check_embedding_shapes(const MatrixView& a, const char* a_name, const MatrixView& b, const char* b_name);

// check_embedding_shapes, then both sides finite (NonFinite, naming the entry).
void check_embeddings(const MatrixView& a, const char* a_name, const MatrixView& b, const char* b_name, int threads);

// k >= 1 (InvalidArgument).
void check_k(std::int64_t k);

}  // namespace gxn::detail
