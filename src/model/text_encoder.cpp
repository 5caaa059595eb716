#include "gxn/model/text_encoder.hpp"

#include "gxn/error.hpp"
#include "tensor_checks.hpp"

namespace gxn {

namespace nn = torch::nn;

TextEncoderImpl::TextEncoderImpl(const TextEncoderConfig& config) : config_(config) {
  if (config_.vocab_size < 2)
    throw Error(ErrorCode::InvalidArgument, "text.vocab_size = " + std::to_string(config_.vocab_size) +
                                                ": the text encoder needs the vocabulary's size (at least 2)");
  word_embedding = register_module("word_embedding", nn::Embedding(config_.vocab_size, config_.word_dim));
  nn::init::uniform_(word_embedding->weight, -0.1, 0.1);
  abstract_rnn = register_module("abstract_rnn", Gru(GruOptions{config_.word_dim, config_.hidden_dim, true}));
  grounded_rnn = register_module("grounded_rnn",
                                 Gru(GruOptions{config_.word_dim, config_.hidden_dim, config_.grounded_bidirectional}));
}

TextFeatures TextEncoderImpl::forward(const torch::Tensor& ids, const torch::Tensor& lengths) {
  if (ids.dim() != 2 || ids.scalar_type() != torch::kInt64)
    throw Error(ErrorCode::Shape, "captions: expected (B, L) int64 token ids, got " + detail::shape_and_type(ids));
  const std::int64_t batch = ids.size(0), max_len = ids.size(1);
  if (lengths.dim() != 1 || lengths.size(0) != batch || lengths.is_floating_point())
    throw Error(ErrorCode::Shape,
                "caption lengths: expected " + std::to_string(batch) + " integer lengths, one per row");
  if (batch == 0) {
    auto empty = torch::empty({0, config_.hidden_dim}, word_embedding->weight.options());
    return {empty, empty.clone()};
  }
  const auto len = lengths.to(torch::kCPU, torch::kInt64).contiguous();
  const std::int64_t* l = len.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < batch; ++i) {
    if (l[i] == 0)
      throw Error(ErrorCode::InvalidArgument, "captions: row " + std::to_string(i) + " is empty (length 0)");
    if (l[i] < 0 || l[i] > max_len)
      throw Error(ErrorCode::InvalidArgument, "captions: row " + std::to_string(i) + " has length " +
                                                  std::to_string(l[i]) + ", outside 1.." + std::to_string(max_len));
  }
  if (ids.numel() > 0) {
    const auto bad = ids.lt(0).logical_or(ids.ge(config_.vocab_size));
    if (bad.any().item<bool>()) {
      const auto where = bad.nonzero()[0];
      const std::int64_t row = where[0].item<std::int64_t>(), col = where[1].item<std::int64_t>();
      throw Error(ErrorCode::InvalidArgument,
                  "captions: row " + std::to_string(row) + ", position " + std::to_string(col) + ": token id " +
                      std::to_string(ids[row][col].item<std::int64_t>()) + " is outside the vocabulary (0.." +
                      std::to_string(config_.vocab_size - 1) + ")");
    }
  }
  // The GRUs read each caption up to its length: (directions, B, hidden_dim) final states, averaged
  // over the directions (one direction: the state itself).
  const auto words = word_embedding(ids);
  return {abstract_rnn(words, len).final.mean(0), grounded_rnn(words, len).final.mean(0)};
}

}  // namespace gxn
