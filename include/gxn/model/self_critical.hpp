#pragma once
// Self-critical sequence training (Rennie et al. 2017) for the caption decoder: the reward of a
// sampled caption, minus the reward of the greedy caption as a baseline, weights the sampled
// caption's log-probability:
//   L_rl = -mean_b (r(c~_b) - r(g_b)) log p(c~_b | v_l_b)
// The greedy decode runs without gradients; gradients reach the decoder and v_l through
// log p(c~). The reward is a callback (CIDEr-D, BLEU-4, ...) so the metric stays in the caller's hands.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "gxn/model/caption_decoder.hpp"

namespace gxn {

// The reward of a caption (word ids, without <start>/<end>) for image `item` of the batch
// (row item of v_l). Must be finite.
using CaptionReward = std::function<double(const std::vector<std::int64_t>& word_ids, std::int64_t item)>;

struct SelfCriticalResult {
  torch::Tensor loss;        // scalar L_rl, differentiable
  double sample_reward = 0;  // mean over the batch of r(c~)
  double greedy_reward = 0;  // mean over the batch of r(greedy)
};

// v_l: (B, embed_dim), B >= 1. `sampling` must have mode Sample; its temperature and
// max_length drive the sampled captions, and its max_length the greedy baseline. gxn::Error
// names a bad option, an empty batch, or the item whose reward is not finite.
SelfCriticalResult self_critical_loss(CaptionDecoder& decoder, const torch::Tensor& v_l, const CaptionReward& reward,
                                      const DecodeOptions& sampling);

}  // namespace gxn
