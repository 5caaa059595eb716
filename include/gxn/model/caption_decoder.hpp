#pragma once
// RNN_Dec: the caption decoder of the image->text path. A one-layer GRU conditioned on the
// grounded image embedding v_l, standardised as v = (v_l - mu) / sigma with mu, sigma the
// tracked per-dimension statistics of v_l (track_image_statistics): through its initial state,
// h0 = tanh(W_init v), and at every step, whose input is the previous word's embedding beside
// v. Its own word embeddings, and a linear output layer over the vocabulary. It reads <start>
// w1 .. wn and predicts w1 .. wn <end>.
//
// Token ids follow gxn::Vocabulary: <pad> 0, <start> 1, <end> 2, <unk> 3, words from 4.
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "gxn/model/gru.hpp"

namespace gxn {

struct CaptionDecoderOptions {
  std::int64_t vocab_size = 0;  // entries of the vocabulary, special tokens included (at least 4)
  std::int64_t embed_dim = 0;   // size of v_l (the common space)
  std::int64_t word_dim = 300;
  std::int64_t hidden_dim = 1024;
};

enum class DecodeMode {
  Greedy,  // the most likely token at every step
  Sample,  // a draw from softmax(logits / temperature) (DecodeOptions::generator)
  Beam,    // beam search, beam_size hypotheses per image
};

struct DecodeOptions {
  DecodeMode mode = DecodeMode::Greedy;
  double temperature = 1.0;      // Sample only; > 0
  std::int64_t beam_size = 3;    // Beam only; >= 1
  std::int64_t max_length = 16;  // words per caption, <end> not counted; >= 1
  // Sample only: the draws come from this CPU generator (the same draws on every device), or
  // without one from the default generator of v_l's device.
  std::optional<at::Generator> generator;
};

// Decoding never emits <pad> or <start> and stops a caption at its first <end>. A caption
// still running after max_length words is cut there: it has no <end>, and its log-probability
// covers its words only.
struct DecodedCaptions {
  // Per image: the word ids, without <start> and <end>.
  std::vector<std::vector<std::int64_t>> ids;
  // (B): the sum, over the chosen tokens (<end> included when emitted), of their log-probability
  // under the model (log_softmax of the logits at temperature 1), i.e. exactly what forward()
  // gives the same caption. Carries gradients in Greedy and Sample mode when grad mode is on
  // (Sample feeds self-critical training); never in Beam mode.
  torch::Tensor log_probs;
};

struct CaptionDecoderImpl : torch::nn::Module {
  // Throws gxn::Error(InvalidArgument) naming the option out of range.
  explicit CaptionDecoderImpl(const CaptionDecoderOptions& options);

  // Teacher forcing. v_l: (B, embed_dim); ids: (B, L) int64 captions as caption_tensors makes
  // them (<start> words <end>, padded; ids after a caption's end are never read); lengths: (B)
  // int64, tokens per caption with <start> and <end>, each in 2..L. Returns the logits (B, L-1,
  // vocab_size) predicting ids[:, 1:] from ids[:, :-1]; the GRU runs over real tokens only
  // (packed), and the rows past a caption's end hold the output layer's bias. The logits of
  // <pad> and <start> are -inf: no caption continues with them. gxn::Error names the argument
  // or row at fault.
  torch::Tensor forward(const torch::Tensor& v_l, const torch::Tensor& ids, const torch::Tensor& lengths);

  // (B): log p(caption | v_l), the sum of the log-probabilities of each caption's real target
  // tokens (words and <end>).
  torch::Tensor log_likelihood(const torch::Tensor& v_l, const torch::Tensor& ids, const torch::Tensor& lengths);

  // L_xe: the mean cross-entropy over the batch's real target tokens (words and <end>; padding
  // ignored). A scalar.
  torch::Tensor xe_loss(const torch::Tensor& v_l, const torch::Tensor& ids, const torch::Tensor& lengths);

  // Captions for v_l (B, embed_dim). Beam search keeps beam_size hypotheses per image, scores
  // them by the plain sum of log-probabilities (no length normalisation), and returns the best
  // finished one; beam_size 1 gives exactly the greedy caption. gxn::Error names a bad option.
  DecodedCaptions decode(const torch::Tensor& v_l, const DecodeOptions& options = {});

  const CaptionDecoderOptions& options() const { return options_; }

  // Moves the per-dimension mean and variance that h0 standardises v_l with towards those of
  // this batch (B >= 2 rows; an exponential average, weight `momentum` on the batch). The
  // trainer calls it once per step with the batch's distinct images. v_l is unit-length and
  // non-negative, so its dimensions share a large common part; without centering, a decoder
  // conditioned on it learns the captions' language long before their images (on the shapes
  // demo's frozen v_l, 70 distinct greedy captions of 300 after three epochs against 11).
  // Forward passes only read the statistics, so a caption's probability never depends on the
  // rest of its batch.
  void track_image_statistics(const torch::Tensor& v_l, double momentum = 0.1);

  torch::nn::Linear init_state{nullptr};         // W_init: standardised v_l -> h0
  torch::Tensor image_mean, image_variance;      // buffers (embed_dim): 0 and 1 until tracked
  torch::nn::Embedding word_embedding{nullptr};  // the decoder's own word vectors
  Gru rnn{nullptr};                              // one layer (gru.hpp)
  torch::nn::Linear output{nullptr};             // hidden -> vocabulary logits

 private:
  torch::Tensor standardised(const torch::Tensor& v_l) const;  // (v_l - mu) / sigma
  // One GRU step: tokens (N) int64, the standardised image (N, embed_dim), state (N, hidden) ->
  // new state; returns the logits (N, V).
  torch::Tensor step(const torch::Tensor& tokens, const torch::Tensor& image, torch::Tensor& state);
  DecodedCaptions decode_greedy_or_sample(const torch::Tensor& v_l, const DecodeOptions& options);
  DecodedCaptions decode_beam(const torch::Tensor& v_l, const DecodeOptions& options);
  void check_image_embeddings(const torch::Tensor& v_l) const;

  CaptionDecoderOptions options_;
};
TORCH_MODULE(CaptionDecoder);

}  // namespace gxn
