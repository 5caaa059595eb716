#pragma once
// Gru: a one-layer GRU over a batch of sequences of different lengths, as torch::nn::GRU
// computes it (gate order r, z, n; the same parameters, names and initialisation, so weights
// move between the two), with a backward pass written out by hand.
//
// Why: LibTorch's GRU over packed sequences takes each step's rows with a slice whose backward
// writes a zero tensor the size of the whole batch, so its backward costs grow with the square
// of the caption length; on the demo's captions that was two thirds of a training step. Here the
// recurrence runs over the batch sorted by length (step t updates the first b_t rows), the input
// and weight products are one matrix product each over every step, and the backward pass walks
// the steps once.
//
//   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
#include <torch/torch.h>

#include <cstdint>

namespace gxn {

struct GruOptions {
  std::int64_t input_dim = 0;
  std::int64_t hidden_dim = 0;
  bool bidirectional = false;  // a second GRU reads each sequence from its last token back
};

struct GruOutput {
  torch::Tensor states;  // (B, T, directions * H): the state after each token, 0 past a sequence's end
  torch::Tensor final;   // (directions, B, H): the state after each sequence's last token (first, reading backward)
};

struct GruImpl : torch::nn::Module {
  explicit GruImpl(const GruOptions& options);

  // x: (B, T, input_dim) floating point; lengths: (B) int64, each in 1..T (any device); h0:
  // (directions, B, H), or undefined for zeros. `states` is computed only when asked for.
  // constant_input (B, C), when given, holds the last C of every step's inputs, the same at each
  // step of a row (a caption decoder's image), and x then holds the first input_dim - C: the
  // same result as x with it appended to every step, with its product taken once per row.
  // gxn::Error names the argument at fault.
  GruOutput forward(const torch::Tensor& x, const torch::Tensor& lengths, const torch::Tensor& h0 = {},
                    bool with_states = false, const torch::Tensor& constant_input = {});

  // One step of the forward direction for every row: x (N, input_dim), h (N, H) -> h' (N, H),
  // through ordinary differentiable operations (decoding a token at a time).
  torch::Tensor step(const torch::Tensor& x, const torch::Tensor& h);

  const GruOptions& options() const { return options_; }

  // As torch::nn::GRU names them; *_reverse for the backward direction.
  torch::Tensor weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0;
  torch::Tensor weight_ih_l0_reverse, weight_hh_l0_reverse, bias_ih_l0_reverse, bias_hh_l0_reverse;

 private:
  GruOptions options_;
};
TORCH_MODULE(Gru);

}  // namespace gxn
