#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "gxn/error.hpp"
#include "support/error_of.hpp"
#include "tiny_caption_set.hpp"

using Catch::Matchers::Contains;
using gxn::DecodeMode;
using gxn::DecodeOptions;
using gxn::Vocabulary;

namespace {

DecodeOptions greedy(std::int64_t max_length = 16) { return {DecodeMode::Greedy, 1.0, 1, max_length, std::nullopt}; }
DecodeOptions sample(double temperature, std::int64_t max_length = 16) {
  return {DecodeMode::Sample, temperature, 1, max_length, std::nullopt};
}
DecodeOptions beam(std::int64_t size, std::int64_t max_length = 16) {
  return {DecodeMode::Beam, 1.0, size, max_length, std::nullopt};
}

// log p(caption | v_l) by teacher forcing, for captions as decode() returns them: a caption
// shorter than max_length words ended with <end>; one of max_length words was cut, no <end>.
torch::Tensor teacher_forced(gxn::CaptionDecoder& decoder, const torch::Tensor& v_l,
                             const std::vector<std::vector<std::int64_t>>& captions, std::int64_t max_length) {
  std::vector<std::vector<std::int64_t>> sequences;
  for (const auto& c : captions)
    sequences.push_back(tiny::wrapped(c, static_cast<std::int64_t>(c.size()) < max_length));
  const auto batch = gxn::caption_tensors(sequences);
  return decoder->log_likelihood(v_l, batch.ids, batch.lengths);
}

}  // namespace

TEST_CASE("The decoder overfits a tiny caption set: greedy and beam decode reproduce it", "[model][decoder]") {
  auto decoder = tiny::make_decoder(1);
  tiny::train_xe(decoder, 300);
  const auto v_l = tiny::image_embeddings();
  const auto batch = tiny::caption_batch(tiny::kCaptions);
  const double loss = decoder->xe_loss(v_l, batch.ids, batch.lengths).item<double>();
  INFO("L_xe after 300 Adam steps: " << loss);
  CHECK(loss < 0.05);
  torch::NoGradGuard no_grad;
  const auto by_greedy = decoder->decode(v_l, greedy());
  const auto by_beam = decoder->decode(v_l, beam(3));
  CHECK(by_greedy.ids == tiny::kCaptions);
  CHECK(by_beam.ids == tiny::kCaptions);
  // Each caption is near certain: log p > log 0.9.
  CHECK(by_greedy.log_probs.min().item<double>() > std::log(0.9));
}

TEST_CASE("L_xe ignores padding and whatever ids lie past a caption's end", "[model][decoder]") {
  auto decoder = tiny::make_decoder(2);
  const auto v_l = tiny::image_embeddings();
  const auto alone = tiny::caption_batch({tiny::kCaptions[0]});
  const auto loss_alone = decoder->xe_loss(v_l.narrow(0, 0, 1), alone.ids, alone.lengths);
  // The same caption padded to 10 tokens, once with <pad> and once with other (valid) ids.
  auto padded = torch::full({1, 10}, Vocabulary::pad_id, torch::kInt64);
  padded.narrow(1, 0, 5).copy_(alone.ids);
  auto junk = padded.clone();
  junk.narrow(1, 5, 5).copy_(torch::tensor({{9, 1, 2, 15, 7}}, torch::kInt64));
  CHECK(torch::allclose(decoder->xe_loss(v_l.narrow(0, 0, 1), padded, alone.lengths), loss_alone, 1e-6, 1e-6));
  CHECK(torch::allclose(decoder->xe_loss(v_l.narrow(0, 0, 1), junk, alone.lengths), loss_alone, 1e-6, 1e-6));

  // In a batch of unsorted lengths each caption keeps its own log-likelihood, and L_xe is their
  // sum over the number of target tokens (3+1, 4+1, 5+1, 6+1 = 22).
  const auto batch =
      tiny::caption_batch({tiny::kCaptions[2], tiny::kCaptions[0], tiny::kCaptions[3], tiny::kCaptions[1]});
  const auto rows = torch::tensor({2, 0, 3, 1}, torch::kInt64);
  const auto together = decoder->log_likelihood(v_l.index_select(0, rows), batch.ids, batch.lengths);
  for (std::int64_t i = 0; i < 4; ++i) {
    const std::int64_t k = rows[i].item<std::int64_t>();
    const auto one = tiny::caption_batch({tiny::kCaptions[static_cast<std::size_t>(k)]});
    CHECK(torch::allclose(together[i], decoder->log_likelihood(v_l.narrow(0, k, 1), one.ids, one.lengths)[0], 1e-5,
                          1e-5));
  }
  CHECK(torch::allclose(decoder->xe_loss(v_l.index_select(0, rows), batch.ids, batch.lengths), -together.sum() / 22,
                        1e-6, 1e-6));
  CHECK(-loss_alone.item<double>() * 4 ==
        Approx(decoder->log_likelihood(v_l.narrow(0, 0, 1), alone.ids, alone.lengths).item<double>()).epsilon(1e-5));
}

TEST_CASE("Decoding and teacher forcing agree on a caption's log-probability", "[model][decoder]") {
  auto decoder = tiny::make_decoder(3);
  torch::manual_seed(30);
  const auto v_l = torch::randn({12, tiny::kEmbedDim});
  // Untrained, the decoder's captions come in every length: some end early, some are cut.
  const std::int64_t max_length = 6;
  for (const auto& options : {sample(1.0, max_length), greedy(max_length), beam(4, max_length)}) {
    const auto decoded = decoder->decode(v_l, options);
    const auto expected = teacher_forced(decoder, v_l, decoded.ids, max_length);
    CHECK(torch::allclose(decoded.log_probs, expected, 1e-5, 1e-4));
  }
  std::size_t ended = 0;
  for (const auto& c : decoder->decode(v_l, sample(1.0, max_length)).ids)
    ended += static_cast<std::int64_t>(c.size()) < max_length;
  INFO("sampled captions that ended before the cap: " << ended);
  CHECK(ended > 0);
  CHECK(ended < 12);
}

TEST_CASE("Sampled log-probabilities carry gradients to v_l, beam scores do not", "[model][decoder]") {
  auto decoder = tiny::make_decoder(4);
  auto v_l = tiny::image_embeddings().requires_grad_(true);
  torch::manual_seed(40);
  const auto sampled = decoder->decode(v_l, sample(1.0, 8));
  REQUIRE(sampled.log_probs.requires_grad());
  sampled.log_probs.sum().backward();
  REQUIRE(v_l.grad().defined());
  CHECK(v_l.grad().abs().sum().item<double>() > 0);
  CHECK(decoder->output->weight.grad().abs().sum().item<double>() > 0);
  CHECK_FALSE(decoder->decode(v_l, beam(2, 8)).log_probs.requires_grad());
}

TEST_CASE("Beam search of size 1 is greedy search, and wider beams never score below it", "[model][decoder]") {
  auto decoder = tiny::make_decoder(5);
  torch::manual_seed(50);
  const auto v_l = torch::randn({16, tiny::kEmbedDim});
  torch::NoGradGuard no_grad;
  const auto by_greedy = decoder->decode(v_l, greedy(10));
  const auto by_beam1 = decoder->decode(v_l, beam(1, 10));
  CHECK(by_beam1.ids == by_greedy.ids);
  CHECK(torch::allclose(by_beam1.log_probs, by_greedy.log_probs, 1e-6, 1e-6));
  std::int64_t better = 0;
  for (std::int64_t size : {2, 3, 5}) {
    const auto by_beam = decoder->decode(v_l, beam(size, 10));
    CHECK((by_beam.log_probs - by_greedy.log_probs).min().item<double>() >= -1e-5);
    better += (by_beam.log_probs - by_greedy.log_probs).gt(1e-4).sum().item<std::int64_t>();
  }
  INFO("images where a wider beam found a more likely caption than greedy: " << better);
  CHECK(better > 0);  // else this test could not tell beam search from greedy search
}

TEST_CASE("A beam wide enough to keep every hypothesis finds the most likely caption", "[model][decoder]") {
  // 6 tokens: only <end>, <unk> and two words can be emitted. With max_length 2 there are 13
  // captions: <end>; a <end> for 3 words a; a b cut for 9 pairs. A beam of 16 never drops one.
  torch::manual_seed(60);
  gxn::CaptionDecoder decoder(gxn::CaptionDecoderOptions{6, 4, 5, 7});
  const auto v_l = torch::randn({5, 4});
  torch::NoGradGuard no_grad;
  const auto by_beam = decoder->decode(v_l, beam(16, 2));
  const std::vector<std::int64_t> emittable{3, 4, 5};
  for (std::int64_t i = 0; i < 5; ++i) {
    std::vector<std::vector<std::int64_t>> all{{}};
    for (auto a : emittable) {
      all.push_back({a});
      for (auto b : emittable) all.push_back({a, b});
    }
    const auto scores = teacher_forced(decoder, v_l.narrow(0, i, 1).expand({13, 4}), all, 2);
    const std::int64_t best = scores.argmax().item<std::int64_t>();
    CHECK(by_beam.ids[static_cast<std::size_t>(i)] == all[static_cast<std::size_t>(best)]);
    CHECK(by_beam.log_probs[i].item<double>() == Approx(scores[best].item<double>()).epsilon(1e-5));
  }
}

TEST_CASE("Sampling follows the seed and the temperature", "[model][decoder]") {
  auto decoder = tiny::make_decoder(6);
  torch::manual_seed(70);
  const auto v_l = torch::randn({8, tiny::kEmbedDim});
  torch::NoGradGuard no_grad;
  torch::manual_seed(1);
  const auto first = decoder->decode(v_l, sample(1.0)).ids;
  torch::manual_seed(1);
  CHECK(decoder->decode(v_l, sample(1.0)).ids == first);
  torch::manual_seed(2);
  CHECK(decoder->decode(v_l, sample(1.0)).ids != first);
  // Nearly zero temperature: the most likely token every time.
  torch::manual_seed(3);
  CHECK(decoder->decode(v_l, sample(1e-3)).ids == decoder->decode(v_l, greedy()).ids);
}

TEST_CASE("Decoding never emits <pad> or <start>, stops at <end> and respects max_length", "[model][decoder]") {
  auto decoder = tiny::make_decoder(7);
  torch::manual_seed(80);
  const auto v_l = torch::randn({8, tiny::kEmbedDim});
  torch::NoGradGuard no_grad;
  // Make <pad> and <start> by far the most likely tokens: only the mask keeps them out.
  decoder->output->bias[Vocabulary::pad_id].fill_(20);
  decoder->output->bias[Vocabulary::start_id].fill_(20);
  // Teacher forcing gives them no probability either: one distribution for every use.
  const auto batch = tiny::caption_batch(tiny::kCaptions);
  const auto logits = decoder->forward(v_l.narrow(0, 0, 4), batch.ids, batch.lengths);
  CHECK(logits.select(2, Vocabulary::pad_id).eq(-std::numeric_limits<float>::infinity()).all().item<bool>());
  CHECK(logits.select(2, Vocabulary::start_id).eq(-std::numeric_limits<float>::infinity()).all().item<bool>());
  CHECK(torch::isfinite(decoder->xe_loss(v_l.narrow(0, 0, 4), batch.ids, batch.lengths)).item<bool>());
  for (std::int64_t max_length : {1, 3, 7}) {
    for (const auto& options :
         {greedy(max_length), sample(1.0, max_length), sample(3.0, max_length), beam(3, max_length)}) {
      for (const auto& words : decoder->decode(v_l, options).ids) {
        CHECK(static_cast<std::int64_t>(words.size()) <= max_length);
        for (auto id : words) {
          CHECK(id >= Vocabulary::unk_id);
          CHECK(id < tiny::kVocabSize);
        }
      }
    }
  }
  // <end> the most likely of the rest: every caption is empty, and its log-probability is
  // log p(<end>) at the first step.
  decoder->output->bias[Vocabulary::end_id].fill_(15);
  for (const auto& options : {greedy(5), beam(3, 5)}) {
    const auto decoded = decoder->decode(v_l, options);
    for (const auto& words : decoded.ids) CHECK(words.empty());
    const auto expected = teacher_forced(decoder, v_l, decoded.ids, 5);
    CHECK(torch::allclose(decoded.log_probs, expected, 1e-5, 1e-5));
  }
}

TEST_CASE("h0 standardises v_l with the tracked image statistics, which forward passes only read", "[model][decoder]") {
  auto tracked = tiny::make_decoder(9);
  auto fresh = tiny::make_decoder(9);  // the same weights, statistics still 0 and 1
  torch::manual_seed(90);
  const auto v_l = torch::rand({8, tiny::kEmbedDim}) * 0.2 + 0.5;  // a large common part, as unit-length v_l has
  const auto batch =
      tiny::caption_batch({tiny::kCaptions[0], tiny::kCaptions[1], tiny::kCaptions[2], tiny::kCaptions[3],
                           tiny::kCaptions[0], tiny::kCaptions[1], tiny::kCaptions[2], tiny::kCaptions[3]});
  const auto before = tracked->log_likelihood(v_l, batch.ids, batch.lengths);
  CHECK(tracked->image_mean.eq(0).all().item<bool>());
  CHECK(tracked->image_variance.eq(1).all().item<bool>());

  for (int i = 0; i < 300; ++i) tracked->track_image_statistics(v_l);
  CHECK(torch::allclose(tracked->image_mean, v_l.mean(0), 1e-5, 1e-6));
  CHECK(torch::allclose(tracked->image_variance, v_l.var(0), 1e-5, 1e-6));
  const auto after = tracked->log_likelihood(v_l, batch.ids, batch.lengths);
  CHECK_FALSE(torch::allclose(after, before, 1e-4, 1e-4));
  // The same as a decoder without statistics given the standardised v_l.
  const auto standardised = (v_l - v_l.mean(0)) / torch::sqrt(v_l.var(0) + 1e-5);
  CHECK(torch::allclose(after, fresh->log_likelihood(standardised, batch.ids, batch.lengths), 1e-4, 1e-4));
  // Reading them changes nothing: a caption scores the same alone as in its batch.
  const auto mean = tracked->image_mean.clone();
  const auto alone = tiny::caption_batch({tiny::kCaptions[2]});
  CHECK(tracked->log_likelihood(v_l.narrow(0, 2, 1), alone.ids, alone.lengths).item<double>() ==
        Approx(after[2].item<double>()).epsilon(1e-5));
  tracked->decode(v_l, sample(1.0));
  CHECK(torch::equal(tracked->image_mean, mean));

  CHECK_THAT(error_of([&] { tracked->track_image_statistics(v_l.narrow(0, 0, 1)); }), Contains("at least 2 rows"));
  CHECK_THAT(error_of([&] { tracked->track_image_statistics(v_l, 0.0); }), Contains("momentum"));
  CHECK_THAT(error_of([&] { tracked->track_image_statistics(torch::zeros({4, 3})); }), Contains("v_l must be"));
}

TEST_CASE("The decoder refuses bad arguments, naming them", "[model][decoder]") {
  auto decoder = tiny::make_decoder(8);
  const auto v_l = tiny::image_embeddings();
  const auto batch = tiny::caption_batch(tiny::kCaptions);
  CHECK_THAT(error_of([&] { decoder->decode(torch::zeros({2, 5})); }), Contains("v_l") && Contains("(B, 8)"));
  CHECK_THAT(error_of([&] { decoder->decode(torch::zeros({8})); }), Contains("v_l"));
  CHECK_THAT(error_of([&] { decoder->decode(v_l, beam(0)); }), Contains("beam_size = 0"));
  CHECK_THAT(error_of([&] { decoder->decode(v_l, sample(0.0)); }), Contains("temperature"));
  CHECK_THAT(error_of([&] { decoder->decode(v_l, sample(-1.0)); }), Contains("temperature"));
  CHECK_THAT(error_of([&] { decoder->decode(v_l, sample(std::nan(""))); }), Contains("temperature"));
  CHECK_THAT(error_of([&] { decoder->decode(v_l, greedy(0)); }), Contains("max_length = 0"));
  CHECK_THAT(error_of([&] { decoder->xe_loss(v_l.narrow(1, 0, 4), batch.ids, batch.lengths); }), Contains("v_l"));
  CHECK_THAT(error_of([&] { decoder->xe_loss(v_l.narrow(0, 0, 3), batch.ids, batch.lengths); }),
             Contains("v_l has 3 rows"));
  CHECK_THAT(error_of([&] {
               decoder->xe_loss(v_l, batch.ids, torch::tensor({5, 1, 7, 8}, torch::kInt64));
             }),
             Contains("caption 1") && Contains("length 1"));
  CHECK_THAT(error_of([&] {
               decoder->xe_loss(v_l, batch.ids, torch::tensor({5, 6, 7}, torch::kInt64));
             }),
             Contains("lengths"));
  auto out_of_vocab = batch.ids.clone();
  out_of_vocab[2][3] = 16;
  CHECK_THAT(error_of([&] { decoder->xe_loss(v_l, out_of_vocab, batch.lengths); }),
             Contains("caption 2, position 3") && Contains("token id 16"));
  CHECK_THAT(error_of([&] { decoder->xe_loss(v_l, batch.ids.to(torch::kInt32), batch.lengths); }), Contains("int64"));
  CHECK_THAT(error_of([] {
               (void)gxn::CaptionDecoder(gxn::CaptionDecoderOptions{3, 8, 16, 64});
             }),
             Contains("vocab_size = 3"));
  CHECK_THAT(error_of([] {
               (void)gxn::CaptionDecoder(gxn::CaptionDecoderOptions{16, 0, 16, 64});
             }),
             Contains("embed_dim"));
  // An empty batch is not an error: no captions.
  const auto none = decoder->decode(torch::zeros({0, tiny::kEmbedDim}));
  CHECK(none.ids.empty());
  CHECK(none.log_probs.numel() == 0);
}
