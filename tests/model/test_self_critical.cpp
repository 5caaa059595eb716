#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/error.hpp"
#include "gxn/model/self_critical.hpp"
#include "support/error_of.hpp"
#include "tiny_caption_set.hpp"

using Catch::Matchers::Contains;
using gxn::DecodeMode;
using gxn::DecodeOptions;

namespace {

const DecodeOptions kSampling{DecodeMode::Sample, 1.0, 1, 8, std::nullopt};

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

}  // namespace

TEST_CASE("The reference F1 reward used by these tests", "[model][scst]") {
  CHECK(unigram_f1({4, 5, 6}, 0) == 1.0);
  CHECK(unigram_f1({4, 5, 6}, 4) == 1.0);
  CHECK(unigram_f1({}, 0) == 0.0);
  CHECK(unigram_f1({4, 4, 9}, 0) == Approx(1.0 / 3));  // one 4 clipped: p = r = 1/3
  CHECK(unigram_f1({4, 5}, 0) == Approx(0.8));         // p = 1, r = 2/3
}

TEST_CASE("L_rl weights the sampled captions' log-probabilities by their advantage over greedy", "[model][scst]") {
  auto decoder = tiny::make_decoder(21);
  const auto v_l = tiny::image_embeddings();
  torch::manual_seed(5);
  const auto result = gxn::self_critical_loss(decoder, v_l, unigram_f1, kSampling);

  // The same draws by hand: the greedy decode takes nothing from the generator.
  torch::manual_seed(5);
  const auto sampled = decoder->decode(v_l, kSampling);
  const auto baseline = decoder->decode(v_l, {DecodeMode::Greedy, 1.0, 1, 8, std::nullopt});
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

namespace {

gxn::Tokens tokens_of(const std::vector<std::int64_t>& word_ids) {
  gxn::Tokens tokens;
  for (auto id : word_ids) tokens.push_back("w" + std::to_string(id));
  return tokens;
}

// Reference sets of word ids as the CIDEr-D reward sees them.
gxn::CiderD cider_of(const std::vector<std::vector<std::vector<std::int64_t>>>& reference_sets) {
  std::vector<std::vector<gxn::Tokens>> sets;
  for (const auto& set : reference_sets) {
    sets.emplace_back();
    for (const auto& caption : set) sets.back().push_back(tokens_of(caption));
  }
  return gxn::CiderD(sets);
}

// The CIDEr-D reward of a batch in which row r is tiny-set image r % 4.
gxn::CaptionReward cider_reward(const gxn::CiderD& cider) {
  return [&cider](const std::vector<std::int64_t>& words, std::int64_t item) {
    return cider.score(tokens_of(words), static_cast<std::size_t>(item % 4));
  };
}

std::vector<std::vector<std::int64_t>> greedy_captions(gxn::CaptionDecoder& decoder) {
  torch::NoGradGuard no_grad;
  return decoder->decode(tiny::image_embeddings(), {DecodeMode::Greedy, 1.0, 1, 8, std::nullopt}).ids;
}

double greedy_cider(gxn::CaptionDecoder& decoder, const gxn::CiderD& cider) {
  std::vector<gxn::Tokens> hypotheses;
  for (const auto& words : greedy_captions(decoder)) hypotheses.push_back(tokens_of(words));
  return cider.corpus_score(hypotheses);
}

// `steps` Adam steps of L_rl with a CIDEr-D reward, each image sampled 32 times per batch.
void train_self_critical(gxn::CaptionDecoder& decoder, const gxn::CiderD& cider, int steps, double learning_rate) {
  const auto v_l = tiny::image_embeddings().repeat({32, 1});
  const auto reward = cider_reward(cider);
  torch::optim::Adam optimizer(decoder->parameters(), torch::optim::AdamOptions(learning_rate));
  for (int step = 0; step < steps; ++step) {
    optimizer.zero_grad();
    gxn::self_critical_loss(decoder, v_l, reward, kSampling).loss.backward();
    optimizer.step();
  }
}

}  // namespace

TEST_CASE("Self-critical training with the CIDEr-D reward raises CIDEr-D from a cross-entropy start", "[model][scst]") {
  std::vector<std::vector<std::vector<std::int64_t>>> one_reference_each;
  for (const auto& caption : tiny::kCaptions) one_reference_each.push_back({caption});
  const auto cider = cider_of(one_reference_each);
  auto decoder = tiny::make_decoder(23);
  tiny::train_xe(decoder, 5);  // a poor start: a few words right, no caption whole
  const double start = greedy_cider(decoder, cider);
  torch::manual_seed(1);
  train_self_critical(decoder, cider, 150, 3e-3);
  const double end = greedy_cider(decoder, cider);
  INFO("greedy CIDEr-D: " << start << " after XE, " << end << " after 150 SCST steps (at most 9.375 here)");
  REQUIRE(start < 3);  // room to improve, else this test shows nothing
  CHECK(end > start + 4);
}

TEST_CASE("Self-critical training raises CIDEr-D over cross-entropy alone when XE's captions stop short",
          "[model][scst]") {
  // Each image has three short references and two that go on: "a b" x3, "a b c d" x2. XE learns
  // p(<end> | a b) = 3/5, so its greedy caption stops at "a b"; CIDEr-D, which rewards the
  // n-grams the references agree on, prefers "a b c d" (5.82 against 4.22 here).
  const std::vector<std::vector<std::int64_t>> long_captions{
      {4, 5, 6, 7}, {8, 9, 10, 11}, {12, 13, 14, 15}, {16, 17, 18, 19}};
  std::vector<std::vector<std::vector<std::int64_t>>> reference_sets;
  std::vector<std::vector<std::int64_t>> targets;
  std::vector<std::int64_t> images;
  for (std::int64_t i = 0; i < 4; ++i) {
    const auto& whole = long_captions[static_cast<std::size_t>(i)];
    const std::vector<std::int64_t> short_caption(whole.begin(), whole.begin() + 2);
    reference_sets.push_back({short_caption, short_caption, short_caption, whole, whole});
    for (const auto& caption : reference_sets.back()) {
      targets.push_back(caption);
      images.push_back(i);
    }
  }
  const auto cider = cider_of(reference_sets);
  torch::manual_seed(23);
  gxn::CaptionDecoder decoder(gxn::CaptionDecoderOptions{20, tiny::kEmbedDim, 16, 64});
  // Cross-entropy to convergence on all twenty references.
  const auto batch = tiny::caption_batch(targets);
  const auto v_l = tiny::image_embeddings().index_select(0, torch::tensor(images));
  const auto train_xe = [&](gxn::CaptionDecoder& d, int steps, double learning_rate) {
    torch::optim::Adam optimizer(d->parameters(), torch::optim::AdamOptions(learning_rate));
    for (int step = 0; step < steps; ++step) {
      optimizer.zero_grad();
      d->xe_loss(v_l, batch.ids, batch.lengths).backward();
      optimizer.step();
    }
  };
  train_xe(decoder, 300, 1e-2);
  REQUIRE(greedy_captions(decoder) == std::vector<std::vector<std::int64_t>>{{4, 5}, {8, 9}, {12, 13}, {16, 17}});
  const double xe_start = greedy_cider(decoder, cider);

  // From there, the same number of steps at the same step size: more XE, or SCST.
  gxn::CaptionDecoder xe_alone(gxn::CaptionDecoderOptions{20, tiny::kEmbedDim, 16, 64});
  for (std::size_t i = 0; i < decoder->parameters().size(); ++i)
    xe_alone->parameters()[i].data().copy_(decoder->parameters()[i].data());
  train_xe(xe_alone, 150, 1e-3);
  torch::manual_seed(1);
  train_self_critical(decoder, cider, 150, 1e-3);
  const double xe_end = greedy_cider(xe_alone, cider), scst_end = greedy_cider(decoder, cider);
  INFO("greedy CIDEr-D: " << xe_start << " after XE; 150 steps on: " << xe_end << " with XE alone, " << scst_end
                          << " with SCST");
  CHECK(greedy_captions(decoder) == long_captions);
  CHECK(xe_end < xe_start + 0.1);
  CHECK(scst_end > xe_end + 1);
}

TEST_CASE("The self-critical loss refuses bad arguments, naming them", "[model][scst]") {
  auto decoder = tiny::make_decoder(24);
  const auto v_l = tiny::image_embeddings();
  CHECK_THAT(error_of([&] {
               gxn::self_critical_loss(decoder, v_l, unigram_f1, {DecodeMode::Greedy, 1.0, 1, 8, std::nullopt});
             }),
             Contains("sampling.mode"));
  CHECK_THAT(error_of([&] {
               gxn::self_critical_loss(decoder, v_l, unigram_f1, {DecodeMode::Sample, 0.0, 1, 8, std::nullopt});
             }),
             Contains("temperature"));
  CHECK_THAT(error_of([&] { gxn::self_critical_loss(decoder, v_l, gxn::CaptionReward{}, kSampling); }),
             Contains("reward"));
  CHECK_THAT(error_of([&] {
               gxn::self_critical_loss(decoder, torch::zeros({0, tiny::kEmbedDim}), unigram_f1, kSampling);
             }),
             Contains("no image"));
  const auto nan_for_item_2 = [](const std::vector<std::int64_t>& words, std::int64_t item) {
    return item == 2 ? std::nan("") : unigram_f1(words, item);
  };
  CHECK_THAT(error_of([&] { gxn::self_critical_loss(decoder, v_l, nan_for_item_2, kSampling); }),
             Contains("item 2") && Contains("greedy"));
}
