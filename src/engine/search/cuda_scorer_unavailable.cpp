// The CUDA scorer of a gxn built without CUDA (GXN_BUILD_CUDA=OFF): the same API, so code that
// uses it builds everywhere; constructing a scorer refuses with Unsupported.
#include "gxn/engine/search/cuda_scorer.hpp"

namespace gxn {

namespace {

constexpr const char* kBuiltWithout =
    "built without CUDA: this gxn has no GPU scorer (configure with -DGXN_BUILD_CUDA=ON, which needs nvcc)";

[[noreturn]] void refuse() { throw Error(ErrorCode::Unsupported, kBuiltWithout); }

}  // namespace

bool built_with_cuda() { return false; }

int cuda_device_count(std::string* why) {
  if (why) *why = kBuiltWithout;
  return 0;
}

DeviceMatrix::DeviceMatrix(const MatrixView&, int) { refuse(); }
// Nothing to free: no DeviceMatrix holds device memory here.
DeviceMatrix::~DeviceMatrix() = default;
DeviceMatrix::DeviceMatrix(DeviceMatrix&&) noexcept = default;
DeviceMatrix& DeviceMatrix::operator=(DeviceMatrix&&) noexcept = default;

CudaOrderScorer::CudaOrderScorer(CudaScoreOptions options) : options_(options) { refuse(); }

// Unreachable (no scorer can be constructed), but defined: the API links the same either way.
std::string CudaOrderScorer::device_name() const { refuse(); }
void CudaOrderScorer::score_matrix(const MatrixView&, const MatrixView&, float*, std::int64_t) const { refuse(); }
Matrix CudaOrderScorer::score_matrix(const MatrixView&, const MatrixView&) const { refuse(); }
TopK CudaOrderScorer::top_images(const MatrixView&, const MatrixView&, std::int64_t) const { refuse(); }
TopK CudaOrderScorer::top_texts(const MatrixView&, const MatrixView&, std::int64_t) const { refuse(); }
void CudaOrderScorer::score_matrix_device(const DeviceMatrixView&, const DeviceMatrixView&, float*,
                                          std::int64_t) const {
  refuse();
}
TopK CudaOrderScorer::top_images_device(const DeviceMatrixView&, const DeviceMatrixView&, std::int64_t) const {
  refuse();
}
TopK CudaOrderScorer::top_texts_device(const DeviceMatrixView&, const DeviceMatrixView&, std::int64_t) const {
  refuse();
}

}  // namespace gxn
