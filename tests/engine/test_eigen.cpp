// Eigen matrices cross into the engine as views of the same memory, and results come back as maps.
#include <catch2/catch.hpp>

#include "gxn/engine/eigen.hpp"
#include "gxn/engine/search/score.hpp"

TEST_CASE("Eigen row-major matrices and their row blocks are viewed without a copy", "[eigen]") {
  gxn::RowMatrixXf m(4, 6);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 6; ++c) m(r, c) = static_cast<float>(10 * r + c);
  const gxn::MatrixView all = gxn::as_view(m);
  CHECK(all.data == m.data());
  CHECK(all.rows == 4);
  CHECK(all.cols == 6);
  CHECK(all.stride == 6);
  const gxn::MatrixView block = gxn::as_view(m.block(1, 2, 2, 3));  // rows 1-2, columns 2-4
  CHECK(block.data == &m(1, 2));
  CHECK(block.stride == 6);
  CHECK(block(1, 2) == 24.0f);

  float storage[12] = {};
  Eigen::Map<gxn::RowMatrixXf> mapped(storage, 3, 4);
  CHECK(gxn::as_view(mapped).data == storage);

  gxn::Matrix owned(2, 3, 1.5f);
  gxn::as_eigen(owned)(1, 2) = 7.0f;
  CHECK(owned(1, 2) == 7.0f);
  CHECK(gxn::as_eigen(all).row(3).sum() == Approx(30 * 6 + 15));
}

TEST_CASE("The scorer takes Eigen matrices as they are", "[eigen]") {
  gxn::RowMatrixXf images = gxn::RowMatrixXf::Random(5, 8).cwiseAbs();
  gxn::RowMatrixXf texts = gxn::RowMatrixXf::Random(3, 8).cwiseAbs();
  const gxn::OrderScorer scorer({0.5f});
  const gxn::Matrix from_eigen = scorer.score_matrix(gxn::as_view(images), gxn::as_view(texts));
  gxn::Matrix images_copy(5, 8), texts_copy(3, 8);
  gxn::as_eigen(images_copy) = images;
  gxn::as_eigen(texts_copy) = texts;
  const gxn::Matrix from_copy = scorer.score_matrix(images_copy, texts_copy);
  CHECK(from_eigen.values() == from_copy.values());
}
