#pragma once
// A tiny image->text task for the caption decoder tests: four fixed random v_l vectors, each
// with its own caption of 3 to 6 words from a 12-word vocabulary (ids 4..15 after the four
// special tokens). Words are shared between captions, so the decoder must use v_l.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "gxn/engine/text/vocabulary.hpp"
#include "gxn/model/caption_decoder.hpp"
#include "gxn/model/model_inputs.hpp"

namespace tiny {

constexpr std::int64_t kVocabSize = 16;
constexpr std::int64_t kEmbedDim = 8;

inline const std::vector<std::vector<std::int64_t>> kCaptions{
    {4, 5, 6}, {7, 8, 9, 10}, {11, 12, 4, 13, 14}, {15, 6, 5, 8, 12, 9}};

// (4, kEmbedDim), the same on every call; drawn from a generator of its own, so calling it
// leaves the default generator (which sampling draws from) alone.
inline torch::Tensor image_embeddings() {
  auto generator = at::detail::createCPUGenerator(11);
  return torch::randn({4, kEmbedDim}, generator);
}

inline gxn::CaptionDecoder make_decoder(std::uint64_t seed, std::int64_t hidden_dim = 64) {
  torch::manual_seed(seed);
  return gxn::CaptionDecoder(gxn::CaptionDecoderOptions{kVocabSize, kEmbedDim, 16, hidden_dim});
}

// <start> words <end>
inline std::vector<std::int64_t> wrapped(const std::vector<std::int64_t>& words, bool with_end = true) {
  std::vector<std::int64_t> s{gxn::Vocabulary::start_id};
  s.insert(s.end(), words.begin(), words.end());
  if (with_end) s.push_back(gxn::Vocabulary::end_id);
  return s;
}

inline gxn::CaptionTensors caption_batch(const std::vector<std::vector<std::int64_t>>& captions) {
  std::vector<std::vector<std::int64_t>> sequences;
  for (const auto& c : captions) sequences.push_back(wrapped(c));
  return gxn::caption_tensors(sequences);
}

// Teacher-forced cross-entropy training on the tiny set; returns the last loss.
inline double train_xe(gxn::CaptionDecoder& decoder, int steps, double learning_rate = 1e-2) {
  const auto v_l = image_embeddings();
  const auto batch = caption_batch(kCaptions);
  torch::optim::Adam optimizer(decoder->parameters(), torch::optim::AdamOptions(learning_rate));
  double loss_value = 0;
  for (int i = 0; i < steps; ++i) {
    optimizer.zero_grad();
    auto loss = decoder->xe_loss(v_l, batch.ids, batch.lengths);
    loss.backward();
    optimizer.step();
    loss_value = loss.item<double>();
  }
  return loss_value;
}

}  // namespace tiny
