#pragma once
// The caption encoders: word embeddings W_e shared by RNN_Enc^h (a bidirectional GRU -> t_h
// features) and RNN_Enc^l (a GRU, bidirectional where TextEncoderConfig::grounded_bidirectional
// says so -> t_l features). The GRUs (gru.hpp) read each caption up to its length, so they never
// run over padding.
#include <torch/torch.h>

#include "gxn/model/config.hpp"
#include "gxn/model/gru.hpp"

namespace gxn {

// Per-caption features before the projections into the common space: (B, hidden_dim) each.
struct TextFeatures {
  torch::Tensor abstract;  // RNN_Enc^h: mean of the forward and backward GRUs' final states
  torch::Tensor grounded;  // RNN_Enc^l: the GRU's final state (bidirectional: the two states' mean)
};

struct TextEncoderImpl : torch::nn::Module {
  explicit TextEncoderImpl(const TextEncoderConfig& config);

  // ids: (B, L) int64 token ids in [0, vocab_size), <pad> = 0 after each caption's end;
  // lengths: (B) int64 (any device), each in 1..L. gxn::Error names the row of an empty
  // caption, a bad length or an out-of-range id. B = 0 gives empty (0, hidden_dim) features.
  TextFeatures forward(const torch::Tensor& ids, const torch::Tensor& lengths);

  const TextEncoderConfig& config() const { return config_; }

  torch::nn::Embedding word_embedding{nullptr};  // W_e: (vocab_size, word_dim)
  Gru abstract_rnn{nullptr};                     // RNN_Enc^h, bidirectional
  Gru grounded_rnn{nullptr};                     // RNN_Enc^l, one way unless grounded_bidirectional

 private:
  TextEncoderConfig config_;
};
TORCH_MODULE(TextEncoder);

}  // namespace gxn
