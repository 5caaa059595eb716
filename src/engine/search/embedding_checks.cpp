// The scorers' shared input checks (embedding_checks.hpp).
#include "embedding_checks.hpp"

#include <cstring>
#include <string>

namespace gxn::detail {

// A float is NaN or Inf exactly when its exponent bits are all ones. Only when something is found
// does check_finite run again to name the entry.
void require_finite(const MatrixView& m, const char* what, int threads) {
  std::uint32_t bad = 0;
#pragma omp parallel for reduction(| : bad) num_threads(threads) schedule(static) if (m.rows * m.cols > (1 << 16))
  for (std::int64_t r = 0; r < m.rows; ++r) {
    const float* p = m.row(r);
    for (std::int64_t c = 0; c < m.cols; ++c) {
      std::uint32_t bits;
      std::memcpy(&bits, p + c, 4);
      bad |= (bits & 0x7f800000u) == 0x7f800000u;
    }
  }
  if (bad) check_finite(m, what);
}

void check_embedding_shapes(const MatrixView& a, const char* a_name, const MatrixView& b, const char* b_name) {
  check_view(a, a_name);
  check_view(b, b_name);
  if (a.cols <= 0 || a.cols % 2 != 0)
    throw Error(ErrorCode::Shape, std::string(a_name) + ": a row must hold 2·D floats (x_h then x_l) with D > 0, got " +
                                      std::to_string(a.cols) + " columns");
  if (b.cols != a.cols)
    throw Error(ErrorCode::Shape, std::string(a_name) + " and " + b_name + ": rows differ in length (" +
                                      std::to_string(a.cols) + " vs " + std::to_string(b.cols) + " floats)");
}

void check_embeddings(const MatrixView& a, const char* a_name, const MatrixView& b, const char* b_name, int threads) {
  check_embedding_shapes(a, a_name, b, b_name);
  require_finite(a, a_name, threads);
  require_finite(b, b_name, threads);
}

void check_k(std::int64_t k) {
  if (k < 1) throw Error(ErrorCode::InvalidArgument, "k: must be at least 1, got " + std::to_string(k));
}

}  // namespace gxn::detail
