#include <catch2/catch.hpp>

#include "gxn/error.hpp"
#include "gxn/model/text_encoder.hpp"
#include "support/error_of.hpp"

using Catch::Matchers::Contains;

namespace {

gxn::TextEncoder small_encoder(bool grounded_bidirectional = false) {
  torch::manual_seed(5);
  return gxn::TextEncoder(gxn::TextEncoderConfig{20, 6, 8, "", grounded_bidirectional});
}

std::string forward_error(gxn::TextEncoder& enc, const torch::Tensor& ids, const torch::Tensor& lengths) {
  return error_of([&] { enc(ids, lengths); });
}

bool close(const torch::Tensor& a, const torch::Tensor& b) { return torch::allclose(a, b, 1e-5, 1e-6); }

}  // namespace

TEST_CASE("Text features have one row per caption", "[model][text]") {
  auto enc = small_encoder();
  auto ids = torch::tensor({{3, 4, 5, 0}, {6, 7, 0, 0}, {8, 9, 10, 11}}, torch::kInt64);
  auto f = enc(ids, torch::tensor({3, 2, 4}, torch::kInt64));
  REQUIRE(f.abstract.sizes() == torch::IntArrayRef{3, 8});
  REQUIRE(f.grounded.sizes() == torch::IntArrayRef{3, 8});
  REQUIRE(torch::isfinite(f.abstract).all().item<bool>());
}

TEST_CASE("Padding never reaches the GRUs: features do not depend on it", "[model][text]") {
  const bool grounded_bidirectional = GENERATE(false, true);
  INFO("grounded_bidirectional " << grounded_bidirectional);
  auto enc = small_encoder(grounded_bidirectional);
  // The same caption (3, 4, 5) alone, with one pad, with five pads (of other values than 0
  // too: packing must not read them), and among longer captions in an unsorted batch.
  auto alone = enc(torch::tensor({{3, 4, 5}}, torch::kInt64), torch::tensor({3}, torch::kInt64));
  auto padded = enc(torch::tensor({{3, 4, 5, 0}}, torch::kInt64), torch::tensor({3}, torch::kInt64));
  auto junk = enc(torch::tensor({{3, 4, 5, 17, 18, 19, 1, 2}}, torch::kInt64), torch::tensor({3}, torch::kInt64));
  auto batch = enc(torch::tensor({{6, 7, 8, 9, 10, 11}, {3, 4, 5, 0, 0, 0}, {12, 13, 0, 0, 0, 0}}, torch::kInt64),
                   torch::tensor({6, 3, 2}, torch::kInt64));
  for (const auto& other : {padded, junk}) {
    CHECK(close(alone.abstract, other.abstract));
    CHECK(close(alone.grounded, other.grounded));
  }
  CHECK(close(alone.abstract[0], batch.abstract[1]));
  CHECK(close(alone.grounded[0], batch.grounded[1]));
}

TEST_CASE("t_h averages the two directions' final states, t_l the grounded GRU's (one or two)", "[model][text]") {
  const bool grounded_bidirectional = GENERATE(false, true);
  INFO("grounded_bidirectional " << grounded_bidirectional);
  auto enc = small_encoder(grounded_bidirectional);
  auto ids = torch::tensor({{3, 4, 5, 6}}, torch::kInt64);
  auto f = enc(ids, torch::tensor({4}, torch::kInt64));
  // LibTorch's GRUs with the same weights, run directly on the unpadded sequence.
  auto words = enc->word_embedding(ids);
  const auto libtorch_gru = [](gxn::Gru& gru) {
    const auto& o = gru->options();
    torch::nn::GRU ref(
        torch::nn::GRUOptions(o.input_dim, o.hidden_dim).batch_first(true).bidirectional(o.bidirectional));
    torch::NoGradGuard no_grad;
    for (const auto& p : gru->named_parameters()) ref->named_parameters()[p.key()].copy_(p.value());
    return ref;
  };
  auto h = std::get<1>(libtorch_gru(enc->abstract_rnn)(words));
  auto l = std::get<1>(libtorch_gru(enc->grounded_rnn)(words));
  CHECK(close(f.abstract, (h[0] + h[1]) / 2));
  REQUIRE(l.size(0) == (grounded_bidirectional ? 2 : 1));
  CHECK(close(f.grounded, grounded_bidirectional ? (l[0] + l[1]) / 2 : l[0]));
}

TEST_CASE("Bad captions are refused with the row at fault", "[model][text]") {
  auto enc = small_encoder();
  auto ids = torch::tensor({{3, 4, 5}, {6, 0, 0}}, torch::kInt64);
  CHECK_THAT(forward_error(enc, ids, torch::tensor({3, 0}, torch::kInt64)), Contains("row 1") && Contains("empty"));
  CHECK_THAT(forward_error(enc, ids, torch::tensor({4, 1}, torch::kInt64)), Contains("row 0") && Contains("length 4"));
  CHECK_THAT(forward_error(enc, ids, torch::tensor({3}, torch::kInt64)), Contains("lengths"));
  auto out_of_vocab = torch::tensor({{3, 20, 5}, {6, 0, 0}}, torch::kInt64);
  CHECK_THAT(forward_error(enc, out_of_vocab, torch::tensor({3, 1}, torch::kInt64)),
             Contains("row 0, position 1") && Contains("token id 20") && Contains("0..19"));
  CHECK_THAT(forward_error(enc, ids.to(torch::kFloat32), torch::tensor({3, 1}, torch::kInt64)), Contains("int64"));
}

TEST_CASE("An empty batch gives empty features", "[model][text]") {
  auto enc = small_encoder();
  auto f = enc(torch::zeros({0, 5}, torch::kInt64), torch::zeros({0}, torch::kInt64));
  CHECK(f.abstract.sizes() == torch::IntArrayRef{0, 8});
  CHECK(f.grounded.sizes() == torch::IntArrayRef{0, 8});
}

TEST_CASE("Gradients reach the word embeddings and both GRUs", "[model][text]") {
  auto enc = small_encoder();
  auto f = enc(torch::tensor({{3, 4, 5}, {6, 7, 0}}, torch::kInt64), torch::tensor({3, 2}, torch::kInt64));
  (f.abstract.sum() + f.grounded.sum()).backward();
  for (const auto& p : enc->named_parameters()) {
    INFO(p.key());
    REQUIRE(p.value().grad().defined());
    CHECK(torch::isfinite(p.value().grad()).all().item<bool>());
  }
  // Rows of words never used get no gradient.
  CHECK(enc->word_embedding->weight.grad()[15].abs().sum().item<float>() == 0.0f);
  CHECK(enc->word_embedding->weight.grad()[3].abs().sum().item<float>() > 0.0f);
}
