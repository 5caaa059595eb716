#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "gxn/error.hpp"
#include "gxn/model/self_critical.hpp"
#include "tiny_caption_set.hpp"

using Catch::Matchers::Contains;
using gxn::DecodeMode;
using gxn::DecodeOptions;

namespace {

const DecodeOptions kSampling{DecodeMode::Sample, 1.0, 1, 8};

// Unigram F1 between a caption and the reference caption of image item % 4 (clipped counts), so
// a batch may hold each tiny-set image several times.
double unigram_f1(const std::vector<std::int64_t>& words, std::int64_t item) {
  const auto& reference = tiny::kCaptions[static_cast<std::size_t>(item % 4)];
  if (words.empty()) return 0;
  std::map<std::int64_t, int> counts;
  for (auto w : reference) ++counts[w];
  int overlap = 0;
  for (auto w : words)
    if (counts[w]-- > 0) ++overlap;
  if (overlap == 0) return 0;
  const double precision = static_cast<double>(overlap) / static_cast<double>(words.size());
  const double recall = static_cast<double>(overlap) / static_cast<double>(reference.size());
  return 2 * precision * recall / (precision + recall);
}

double mean_greedy_reward(gxn::CaptionDecoder& decoder) {
  torch::NoGradGuard no_grad;
  const auto decoded = decoder->decode(tiny::image_embeddings(), {DecodeMode::Greedy, 1.0, 1, 8});
  double sum = 0;
  for (std::size_t i = 0; i < decoded.ids.size(); ++i) sum += unigram_f1(decoded.ids[i], static_cast<std::int64_t>(i));
  return sum / static_cast<double>(decoded.ids.size());
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const gxn::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("The reference F1 reward used by these tests", "[model][scst]") {
  CHECK(unigram_f1({4, 5, 6}, 0) == 1.0);
  CHECK(unigram_f1({4, 5, 6}, 4) == 1.0);
  CHECK(unigram_f1({}, 0) == 0.0);
  CHECK(unigram_f1({4, 4, 9}, 0) == Approx(1.0 / 3));  // one 4 clipped: p = r = 1/3
  CHECK(unigram_f1({4, 5}, 0) == Approx(0.8));           // p = 1, r = 2/3
}

TEST_CASE("L_rl weights the sampled captions' log-probabilities by their advantage over greedy", "[model][scst]") {
  auto decoder = tiny::make_decoder(21);
  const auto v_l = tiny::image_embeddings();
  torch::manual_seed(5);
  const auto result = gxn::self_critical_loss(decoder, v_l, unigram_f1, kSampling);

  // The same draws by hand: the greedy decode takes nothing from the generator.
  torch::manual_seed(5);
  const auto sampled = decoder->decode(v_l, kSampling);
  const auto baseline = decoder->decode(v_l, {DecodeMode::Greedy, 1.0, 1, 8});
  double expected = 0, sample_reward = 0, greedy_reward = 0;
  for (std::int64_t i = 0; i < 4; ++i) {
    const double r = unigram_f1(sampled.ids[static_cast<std::size_t>(i)], i);
    const double b = unigram_f1(baseline.ids[static_cast<std::size_t>(i)], i);
    expected -= (r - b) * sampled.log_probs[i].item<double>() / 4;
    sample_reward += r / 4;
    greedy_reward += b / 4;
  }
  CHECK(result.loss.item<double>() == Approx(expected).epsilon(1e-5).margin(1e-7));
  CHECK(result.sample_reward == Approx(sample_reward));
  CHECK(result.greedy_reward == Approx(greedy_reward));
}

TEST_CASE("L_rl sends gradients to v_l and the decoder; a constant reward gives none", "[model][scst]") {
  auto decoder = tiny::make_decoder(22);
  auto v_l = torch::randn({6, tiny::kEmbedDim}).requires_grad_(true);
  torch::manual_seed(6);
  auto result = gxn::self_critical_loss(decoder, v_l, unigram_f1, kSampling);
  REQUIRE(result.loss.requires_grad());
  result.loss.backward();
  REQUIRE(v_l.grad().defined());
  CHECK(v_l.grad().abs().sum().item<double>() > 0);
  CHECK(decoder->init_state->weight.grad().abs().sum().item<double>() > 0);

  // With the same reward for every caption the sample is never better than the baseline.
  const auto constant = gxn::self_critical_loss(
      decoder, v_l, [](const std::vector<std::int64_t>&, std::int64_t) { return 0.7; }, kSampling);
  CHECK(constant.loss.item<double>() == 0.0);
  CHECK(constant.sample_reward == Approx(0.7));
  CHECK(constant.greedy_reward == Approx(0.7));
}

TEST_CASE("Self-critical training raises the greedy reward over the cross-entropy start", "[model][scst]") {
  auto decoder = tiny::make_decoder(23);
  tiny::train_xe(decoder, 5);  // a mediocre start: some words right, few captions whole
  const double start = mean_greedy_reward(decoder);
  // Each image 32 times per batch: 32 samples against its greedy baseline. Fewer samples or a
  // larger step size make the climb noisy (it can stall or fall back for a while).
  const auto v_l = tiny::image_embeddings().repeat({32, 1});
  torch::optim::Adam optimizer(decoder->parameters(), torch::optim::AdamOptions(3e-3));
  torch::manual_seed(1);
  for (int step = 0; step < 150; ++step) {
    optimizer.zero_grad();
    auto result = gxn::self_critical_loss(decoder, v_l, unigram_f1, kSampling);
    result.loss.backward();
    optimizer.step();
  }
  const double end = mean_greedy_reward(decoder);
  INFO("mean greedy unigram F1: " << start << " after XE, " << end << " after 150 SCST steps");
  REQUIRE(start < 0.6);  // room to improve, else this test shows nothing
  CHECK(end > start + 0.3);
}

TEST_CASE("The self-critical loss refuses bad arguments, naming them", "[model][scst]") {
  auto decoder = tiny::make_decoder(24);
  const auto v_l = tiny::image_embeddings();
  CHECK_THAT(error_of([&] { gxn::self_critical_loss(decoder, v_l, unigram_f1, {DecodeMode::Greedy, 1.0, 1, 8}); }),
             Contains("sampling.mode"));
  CHECK_THAT(error_of([&] { gxn::self_critical_loss(decoder, v_l, unigram_f1, {DecodeMode::Sample, 0.0, 1, 8}); }),
             Contains("temperature"));
  CHECK_THAT(error_of([&] { gxn::self_critical_loss(decoder, v_l, gxn::CaptionReward{}, kSampling); }),
             Contains("reward"));
  CHECK_THAT(error_of([&] { gxn::self_critical_loss(decoder, torch::zeros({0, tiny::kEmbedDim}), unigram_f1, kSampling); }),
             Contains("no image"));
  const auto nan_for_item_2 = [](const std::vector<std::int64_t>& words, std::int64_t item) {
    return item == 2 ? std::nan("") : unigram_f1(words, item);
  };
  CHECK_THAT(error_of([&] { gxn::self_critical_loss(decoder, v_l, nan_for_item_2, kSampling); }),
             Contains("item 2") && Contains("greedy"));
}
