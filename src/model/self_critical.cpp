#include "gxn/model/self_critical.hpp"

#include <cmath>
#include <string>

#include "gxn/error.hpp"

namespace gxn {

namespace {

// r(caption) for every image; throws when the callback gives a NaN or an infinity.
std::vector<double> rewards_of(const DecodedCaptions& captions, const CaptionReward& reward, const char* which) {
  std::vector<double> rewards;
  rewards.reserve(captions.ids.size());
  for (std::size_t i = 0; i < captions.ids.size(); ++i) {
    const double r = reward(captions.ids[i], static_cast<std::int64_t>(i));
    if (!std::isfinite(r))
      throw Error(ErrorCode::NonFinite, std::string("self-critical loss: the reward of the ") + which +
                                            " caption of item " + std::to_string(i) + " is " + std::to_string(r));
    rewards.push_back(r);
  }
  return rewards;
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace

SelfCriticalResult self_critical_loss(CaptionDecoder& decoder, const torch::Tensor& v_l, const CaptionReward& reward,
                                      const DecodeOptions& sampling) {
  if (sampling.mode != DecodeMode::Sample)
    throw Error(ErrorCode::InvalidArgument, "self-critical loss: sampling.mode must be DecodeMode::Sample");
  if (!reward) throw Error(ErrorCode::InvalidArgument, "self-critical loss: no reward function given");
  if (v_l.defined() && v_l.dim() == 2 && v_l.size(0) == 0)
    throw Error(ErrorCode::InvalidArgument, "self-critical loss: v_l holds no image");

  DecodeOptions greedy_options = sampling;
  greedy_options.mode = DecodeMode::Greedy;
  DecodedCaptions greedy;
  {
    torch::NoGradGuard no_grad;  // the baseline is a constant
    greedy = decoder->decode(v_l, greedy_options);
  }
  const DecodedCaptions sampled = decoder->decode(v_l, sampling);

  const std::vector<double> greedy_rewards = rewards_of(greedy, reward, "greedy");
  const std::vector<double> sample_rewards = rewards_of(sampled, reward, "sampled");
  std::vector<double> advantage(sample_rewards.size());
  for (std::size_t i = 0; i < advantage.size(); ++i) advantage[i] = sample_rewards[i] - greedy_rewards[i];
  const auto weights = torch::tensor(advantage, torch::kFloat64).to(sampled.log_probs.options());

  SelfCriticalResult result;
  result.loss = -(weights * sampled.log_probs).mean();
  result.sample_reward = mean(sample_rewards);
  result.greedy_reward = mean(greedy_rewards);
  return result;
}

}  // namespace gxn
