// Rank a few images for a few captions with the order-violation similarity, using only the
// torch-free engine: what a host application that stores precomputed embeddings does.
#include <cstdio>
#include <gxn/gxn.hpp>

int main() {
  const int dim = 4;                                      // each embedding row: x_h (2 floats) then x_l (2 floats)
  const float images[3 * dim] = {0.1f, 0.9f, 0.2f, 0.8f,  //
                                 0.9f, 0.1f, 0.8f, 0.2f,  //
                                 0.5f, 0.5f, 0.5f, 0.5f};
  const float texts[2 * dim] = {0.9f, 0.2f, 0.9f, 0.3f,   // closest to image 1
                                0.2f, 1.0f, 0.3f, 0.9f};  // closest to image 0
  try {
    gxn::OrderScorer scorer({/*lambda=*/0.5f});
    gxn::TopK best = scorer.top_images(gxn::MatrixView(texts, 2, dim), gxn::MatrixView(images, 3, dim), 2);
    for (std::int64_t q = 0; q < best.queries; ++q)
      std::printf("caption %lld: image %lld (%.4f), image %lld (%.4f)\n", static_cast<long long>(q),
                  static_cast<long long>(best.indices_of(q)[0]), best.scores_of(q)[0],
                  static_cast<long long>(best.indices_of(q)[1]), best.scores_of(q)[1]);
    return best.indices_of(0)[0] == 1 && best.indices_of(1)[0] == 0 ? 0 : 1;
  } catch (const gxn::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
