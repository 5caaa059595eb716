// gxn's GRU against LibTorch's over packed sequences: the same states and the same gradients
// (double precision), both directions, any lengths, with and without an initial state.
#include <catch2/catch.hpp>

#include "gxn/model/gru.hpp"
#include "support/error_of.hpp"

namespace {

// A torch::nn::GRU holding `gru`'s weights.
torch::nn::GRU reference_of(gxn::Gru& gru) {
  const auto& o = gru->options();
  torch::nn::GRU ref(torch::nn::GRUOptions(o.input_dim, o.hidden_dim).batch_first(true).bidirectional(o.bidirectional));
  ref->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  for (const auto& p : gru->named_parameters()) ref->named_parameters()[p.key()].copy_(p.value());
  return ref;
}

void require_close(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  INFO(what << ": max difference " << (a - b).abs().max().item<double>());
  REQUIRE(a.sizes() == b.sizes());
  REQUIRE(torch::allclose(a, b, 1e-10, 1e-12));
}

}  // namespace

TEST_CASE("gxn's GRU gives LibTorch's states and gradients over sequences of any length", "[model][gru]") {
  torch::manual_seed(3);
  for (bool bidirectional : {false, true})
    for (bool with_h0 : {false, true}) {
      INFO("bidirectional " << bidirectional << ", initial state " << with_h0);
      gxn::Gru gru(gxn::GruOptions{5, 7, bidirectional});
      gru->to(torch::kFloat64);
      auto ref = reference_of(gru);
      const std::int64_t B = 6, T = 9, dirs = bidirectional ? 2 : 1;
      const auto lengths = torch::tensor({4, 9, 1, 9, 6, 2}, torch::kInt64);
      const auto x = torch::randn({B, T, 5}, torch::kFloat64).requires_grad_(true);
      const auto x_ref = x.detach().clone().requires_grad_(true);
      torch::Tensor h0, h0_ref;
      if (with_h0) {
        h0 = torch::randn({dirs, B, 7}, torch::kFloat64).requires_grad_(true);
        h0_ref = h0.detach().clone().requires_grad_(true);
      }
      const gxn::GruOutput out = gru(x, lengths, h0, /*with_states=*/true);
      const auto packed = torch::nn::utils::rnn::pack_padded_sequence(x_ref, lengths, true, false);
      const auto ref_out =
          with_h0 ? ref->forward_with_packed_input(packed, h0_ref) : ref->forward_with_packed_input(packed);
      const auto ref_states =
          std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(std::get<0>(ref_out), true, 0.0, T));
      require_close(out.states, ref_states, "states");
      require_close(out.final, std::get<1>(ref_out), "final states");

      // A loss that reads every state and the final ones, with weights so no gradient is trivial.
      const auto w_states = torch::randn_like(ref_states), w_final = torch::randn_like(out.final);
      ((out.states * w_states).sum() + (out.final * w_final).sum()).backward();
      ((ref_states * w_states).sum() + (std::get<1>(ref_out) * w_final).sum()).backward();
      require_close(x.grad(), x_ref.grad(), "d x");
      if (with_h0) require_close(h0.grad(), h0_ref.grad(), "d h0");
      for (const auto& p : gru->named_parameters())
        require_close(p.value().grad(), ref->named_parameters()[p.key()].grad(), "d " + p.key());
    }
}

TEST_CASE("A GRU's constant input is the same input appended to every step", "[model][gru]") {
  torch::manual_seed(5);
  for (bool bidirectional : {false, true}) {
    INFO("bidirectional " << bidirectional);
    gxn::Gru gru(gxn::GruOptions{5, 7, bidirectional});
    gru->to(torch::kFloat64);
    const std::int64_t B = 6, T = 9, X = 2, C = 3;
    const auto lengths = torch::tensor({4, 9, 1, 9, 6, 2}, torch::kInt64);
    const auto x = torch::randn({B, T, X}, torch::kFloat64).requires_grad_(true);
    const auto constant = torch::randn({B, C}, torch::kFloat64).requires_grad_(true);
    const auto h0 = torch::randn({bidirectional ? 2 : 1, B, 7}, torch::kFloat64);
    const gxn::GruOutput out = gru(x, lengths, h0, /*with_states=*/true, constant);
    const auto appended = torch::cat({x, constant.unsqueeze(1).expand({B, T, C})}, 2);
    const gxn::GruOutput ref = gru(appended, lengths, h0, /*with_states=*/true);
    require_close(out.states, ref.states, "states");
    require_close(out.final, ref.final, "final states");

    const auto w_states = torch::randn_like(ref.states), w_final = torch::randn_like(ref.final);
    const auto loss = [&](const gxn::GruOutput& o) { return (o.states * w_states).sum() + (o.final * w_final).sum(); };
    const auto parameters = gru->parameters();
    std::vector<torch::Tensor> inputs = {x, constant};
    inputs.insert(inputs.end(), parameters.begin(), parameters.end());
    const auto grads = torch::autograd::grad({loss(out)}, inputs);
    const auto ref_grads = torch::autograd::grad({loss(ref)}, inputs);
    for (std::size_t i = 0; i < inputs.size(); ++i)
      require_close(grads[i], ref_grads[i], "gradient " + std::to_string(i));
  }
}

TEST_CASE("A GRU step is the forward direction's recurrence", "[model][gru]") {
  torch::manual_seed(4);
  gxn::Gru gru(gxn::GruOptions{3, 4, false});
  gru->to(torch::kFloat64);
  const auto x = torch::randn({2, 5, 3}, torch::kFloat64);
  const auto h0 = torch::randn({1, 2, 4}, torch::kFloat64);
  const auto out = gru(x, torch::tensor({5, 5}, torch::kInt64), h0, true);
  auto h = h0[0];
  for (std::int64_t t = 0; t < 5; ++t) {
    h = gru->step(x.select(1, t), h);
    require_close(h, out.states.select(1, t), "step " + std::to_string(t));
  }
}

TEST_CASE("A GRU names what is wrong with its input", "[model][gru]") {
  gxn::Gru gru(gxn::GruOptions{3, 4, true});
  const auto x = torch::randn({2, 5, 3});
  using Catch::Matchers::Contains;
  CHECK_THAT(error_of([&] {
               gru(x, torch::tensor({5, 0}, torch::kInt64));
             }),
             Contains("sequence 1") && Contains("1..5"));
  CHECK_THAT(error_of([&] { gru(x, torch::tensor({5}, torch::kInt64)); }), Contains("2 integer lengths"));
  CHECK_THAT(error_of([&] {
               gru(torch::randn({2, 5, 4}), torch::tensor({5, 5}, torch::kInt64));
             }),
             Contains("(B, T, 3)"));
  CHECK_THAT(error_of([&] { gru(x, torch::tensor({5, 5}, torch::kInt64), torch::zeros({1, 2, 4})); }), Contains("h0"));
  CHECK_THAT(error_of([&] {
               gru->forward(x, torch::tensor({5, 5}, torch::kInt64), {}, false, torch::randn({2, 1}));
             }),
             Contains("(B, T, 2)"));
  CHECK_THAT(
      error_of([&] {
        gru->forward(torch::randn({2, 5, 1}), torch::tensor({5, 5}, torch::kInt64), {}, false, torch::randn({3, 2}));
      }),
      Contains("constant_input must be (2, C)"));
  CHECK_THROWS_AS(gxn::Gru(gxn::GruOptions{0, 4, false}), gxn::Error);
}
