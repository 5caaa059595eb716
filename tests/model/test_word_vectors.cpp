#include <catch2/catch.hpp>

#include <fstream>

#include "gxn/error.hpp"
#include "gxn/model/word_vectors.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;

namespace {

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

std::string load_error(const std::string& path, torch::Tensor weight, const std::vector<std::string>& vocab) {
  return error_of([&] { gxn::load_word_vectors(weight, path, vocab); });
}

const std::vector<std::string> kVocab{"<pad>", "<unk>", "dog", "cat", "runs"};

}  // namespace

TEST_CASE("GloVe vectors fill the rows of the words they have", "[model][word_vectors]") {
  TempDir dir;
  const auto path = write(dir, "glove.txt",
                          "the 9 9 9\n"
                          "dog 0.5 -1 2e-1\n"
                          "runs 1 2 3\r\n"
                          "dog 7 7 7\n"      // a repeat: the first one wins
                          "a b c 1 2 3\n");  // a word with spaces, skipped
  auto weight = torch::full({5, 3}, 42.0f);
  const auto report = gxn::load_word_vectors(weight, path, kVocab);
  CHECK(report.found == 2);
  CHECK(report.vocabulary_size == 5);
  CHECK(report.file_words == 5);
  CHECK(report.dim == 3);
  CHECK(torch::equal(weight[2], torch::tensor({0.5f, -1.0f, 0.2f})));
  CHECK(torch::equal(weight[4], torch::tensor({1.0f, 2.0f, 3.0f})));
  // Words the file lacks keep their values.
  CHECK(torch::equal(weight[3], torch::full({3}, 42.0f)));
  CHECK(torch::equal(weight[0], torch::full({3}, 42.0f)));
}

TEST_CASE("A word2vec header line is recognised", "[model][word_vectors]") {
  TempDir dir;
  const auto path = write(dir, "w2v.txt", "2 3\ncat 1 1 1\nhorse 2 2 2\n");
  auto weight = torch::zeros({5, 3});
  const auto report = gxn::load_word_vectors(weight, path, kVocab);
  CHECK(report.found == 1);
  CHECK(report.file_words == 2);
  CHECK(torch::equal(weight[3], torch::ones({3})));
  const auto wrong_header = write(dir, "w2v_bad.txt", "2 4\ncat 1 1 1\n");
  CHECK_THAT(load_error(wrong_header, torch::zeros({5, 3}), kVocab),
             Contains("w2v_bad.txt:1") && Contains("4-d") && Contains("word_dim is 3"));
}

TEST_CASE("Vectors of another size or with bad numbers are refused by file and line", "[model][word_vectors]") {
  TempDir dir;
  auto weight = torch::full({5, 3}, 42.0f);
  CHECK_THAT(load_error(write(dir, "short.txt", "dog 1 2 3\ncat 1 2\n"), weight, kVocab),
             Contains("short.txt:2") && Contains("2 values") && Contains("word_dim is 3"));
  CHECK_THAT(load_error(write(dir, "wide.txt", "dog 1 2 3 4\n"), weight, kVocab),
             Contains("wide.txt:1") && Contains("4 values"));
  CHECK_THAT(load_error(write(dir, "nan.txt", "dog 1 2 3\ncat 1 x 3\n"), weight, kVocab),
             Contains("nan.txt:2") && Contains("'cat'") && Contains("'x'"));
  CHECK_THAT(load_error(dir.file("missing.txt"), weight, kVocab), Contains("missing.txt"));
  // Nothing was changed by the failed loads.
  CHECK(torch::equal(weight, torch::full({5, 3}, 42.0f)));
  CHECK_THAT(load_error(write(dir, "ok.txt", "dog 1 2 3\n"), torch::zeros({4, 3}), kVocab), Contains("4 rows"));
}
