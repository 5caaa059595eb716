// Caption metrics: BLEU and CIDEr-D golden values worked out by hand (the arithmetic is in the
// comments), edge cases, refusals, and a cross-check of CiderD's precomputed tables against a
// direct transcription of coco-caption's algorithm on random corpora.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>
#include <sstream>

#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/error.hpp"
#include "support/error_of.hpp"

using gxn::Tokens;
using Sets = std::vector<std::vector<Tokens>>;

namespace {

Tokens words(const std::string& sentence) {
  std::istringstream in(sentence);
  Tokens t;
  for (std::string w; in >> w;) t.push_back(w);
  return t;
}

template <typename F>
std::string argument_error(F&& f) {
  return error_of(std::forward<F>(f), gxn::ErrorCode::InvalidArgument);
}

void check_bleu(const gxn::BleuScores& s, double b1, double b2, double b3, double b4) {
  CHECK(s.bleu[0] == Approx(b1).epsilon(1e-12).margin(1e-15));
  CHECK(s.bleu[1] == Approx(b2).epsilon(1e-12).margin(1e-15));
  CHECK(s.bleu[2] == Approx(b3).epsilon(1e-12).margin(1e-15));
  CHECK(s.bleu[3] == Approx(b4).epsilon(1e-12).margin(1e-15));
}

// ---- A direct transcription of coco-caption's CiderD (ciderD_scorer.py), n-grams as word
// vectors in std::map, no precomputation: the reference CiderD's tables are checked against.
using Counts = std::map<Tokens, double>;

Counts ngram_counts(const Tokens& s) {
  Counts c;
  for (std::size_t n = 1; n <= 4; ++n)
    for (std::size_t i = 0; i + n <= s.size(); ++i) c[Tokens(s.begin() + i, s.begin() + i + n)] += 1;
  return c;
}

double direct_cider(const Tokens& hyp, std::size_t set, const Sets& sets) {
  std::map<Tokens, double> df;
  for (const auto& refs : sets) {
    std::map<Tokens, bool> seen;
    for (const Tokens& r : refs)
      for (const auto& g : ngram_counts(r)) seen[g.first] = true;
    for (const auto& g : seen) df[g.first] += 1;
  }
  const double log_n = std::log(double(sets.size()));
  auto vec = [&](const Tokens& s, double norm[4]) {
    Counts v;
    for (int n = 0; n < 4; ++n) norm[n] = 0;
    for (const auto& [g, tf] : ngram_counts(s)) {
      const double d = df.count(g) ? df[g] : 0.0;
      v[g] = tf * (log_n - std::log(std::max(1.0, d)));
      norm[g.size() - 1] += v[g] * v[g];
    }
    for (int n = 0; n < 4; ++n) norm[n] = std::sqrt(norm[n]);
    return v;
  };
  double nh[4], nr[4], total = 0;
  const Counts vh = vec(hyp, nh);
  for (const Tokens& r : sets[set]) {
    const Counts vr = vec(r, nr);
    const double delta = double(hyp.size()) - double(r.size());
    for (int n = 0; n < 4; ++n) {
      double val = 0;
      for (const auto& [g, h] : vh) {
        if (g.size() != std::size_t(n + 1) || !vr.count(g)) continue;
        val += std::min(h, vr.at(g)) * vr.at(g);
      }
      if (nh[n] != 0 && nr[n] != 0) val /= nh[n] * nr[n];
      total += val * std::exp(-delta * delta / 72.0);
    }
  }
  return total / 4 / double(sets[set].size()) * 10;
}

}  // namespace

TEST_CASE("caption_metric_tokens: tokenize, then drop punctuation", "[caption_metrics]") {
  CHECK(gxn::caption_metric_tokens("A dog, running!") == Tokens{"a", "dog", "running"});
  CHECK(gxn::caption_metric_tokens("The man's hat... (red)") == Tokens{"the", "man", "'s", "hat", "red"});
  CHECK(gxn::caption_metric_tokens("a T-shirt, 3.5 m long.") == Tokens{"a", "t-shirt", "3.5", "m", "long"});
  CHECK(gxn::caption_metric_tokens("").empty());
  CHECK(gxn::caption_metric_tokens(" ?! ... \xE2\x80\x94 ").empty());
}

TEST_CASE("BLEU clips repeated words (Papineni's example)", "[caption_metrics][bleu]") {
  // hyp "the the the the the the the" (7 words); "the" occurs at most twice in one reference,
  // so 2 of 7 unigrams match: p1 = 2/7. The closest reference length is 7: no brevity penalty.
  // The bigram "the the" (6 of them) is in no reference: p2 = 0, so BLEU-2..4 = 0.
  check_bleu(gxn::sentence_bleu(words("the the the the the the the"),
                                {words("the cat is on the mat"), words("there is a cat on the mat")}),
             2.0 / 7, 0, 0, 0);
}

TEST_CASE("BLEU takes the closest reference length, the shorter on a tie", "[caption_metrics][bleu]") {
  // hyp "a cat on the mat" (5 words); refs R1 "the cat on mat" (4), R2 "a cat is on the mat" (6).
  //  unigrams a cat on the mat: all in R2                                   p1 = 5/5
  //  bigrams  a-cat (R2) cat-on (R1) on-the (R2) the-mat (R2): each in some ref  p2 = 4/4
  //  trigrams a-cat-on, cat-on-the: in neither; on-the-mat (R2)             p3 = 1/3
  //  4-grams  a-cat-on-the, cat-on-the-mat: in neither                      p4 = 0
  // Lengths 4 and 6 are both 1 from 5: the shorter, 4, is taken; c = 5 > r = 4: no penalty
  // (taking 6 would multiply everything by exp(1 - 6/5) = 0.8187).
  // BLEU-3 = (1 · 1 · 1/3)^(1/3) = 3^(-1/3) = 0.693361...
  check_bleu(gxn::sentence_bleu(words("a cat on the mat"), {words("the cat on mat"), words("a cat is on the mat")}), 1,
             1, std::pow(3.0, -1.0 / 3), 0);
}

TEST_CASE("BLEU: clipping and the brevity penalty", "[caption_metrics][bleu]") {
  // hyp "the the the cat" (4) against "the cat sat on the mat" (6):
  //  unigrams the×3 clipped to the reference's 2, cat 1:   p1 = 3/4
  //  bigrams the-the ×2 (no), the-cat (yes):               p2 = 1/3
  //  trigrams the-the-the, the-the-cat: no                 p3 = 0
  //  c = 4 < r = 6: brevity penalty exp(1 - 6/4) = exp(-0.5)
  //  BLEU-1 = 0.75·e^-0.5 = 0.454898; BLEU-2 = sqrt(0.75 · 1/3)·e^-0.5 = 0.5·e^-0.5 = 0.303265
  check_bleu(gxn::sentence_bleu(words("the the the cat"), {words("the cat sat on the mat")}), 0.75 * std::exp(-0.5),
             0.5 * std::exp(-0.5), 0, 0);
}

TEST_CASE("corpus BLEU sums the counts over sentences, it does not average sentence scores",
          "[caption_metrics][bleu]") {
  // The two previous sentences together: matched / total n-grams and lengths add up.
  //  p1 = (5 + 3) / (5 + 4) = 8/9     p2 = (4 + 1) / (4 + 3) = 5/7
  //  p3 = (1 + 0) / (3 + 2) = 1/5     p4 = (0 + 0) / (2 + 1) = 0
  //  c = 5 + 4 = 9, r = 4 + 6 = 10: penalty exp(1 - 10/9) = exp(-1/9)
  //  BLEU-1 = 8/9·e^(-1/9) = 0.795413   BLEU-2 = sqrt(8/9 · 5/7)·e^(-1/9) = 0.713025
  //  BLEU-3 = (8/9 · 5/7 · 1/5)^(1/3)·e^(-1/9) = (8/63)^(1/3)·e^(-1/9) = 0.449775
  const std::vector<Tokens> hyps = {words("a cat on the mat"), words("the the the cat")};
  const Sets refs = {{words("the cat on mat"), words("a cat is on the mat")}, {words("the cat sat on the mat")}};
  const double penalty = std::exp(-1.0 / 9);
  check_bleu(gxn::corpus_bleu(hyps, refs), 8.0 / 9 * penalty, std::sqrt(40.0 / 63) * penalty,
             std::cbrt(8.0 / 63) * penalty, 0);
}

TEST_CASE("BLEU of a perfect match is 1; short and empty hypotheses score 0, not NaN", "[caption_metrics][bleu]") {
  check_bleu(gxn::sentence_bleu(words("a red cat sat down"), {words("a red cat sat down"), words("something else")}), 1,
             1, 1, 1);
  // Two words have no trigram or 4-gram: p3 and p4 have nothing to count, and BLEU-3/4 are
  // exactly 0. (coco-caption's 1e-15 / 1e-9 guards give 0.01 and 0.001 here.)
  check_bleu(gxn::sentence_bleu(words("a cat"), {words("a cat")}), 1, 1, 0, 0);
  check_bleu(gxn::sentence_bleu({}, {words("a cat")}), 0, 0, 0, 0);
  // In a corpus an empty hypothesis still adds its closest reference length to r:
  //  "" vs "a cat" (r += 2) and an exact 4-word match (r += 4): every p_n = 1, c = 4, r = 6,
  //  so every BLEU-n = exp(1 - 6/4) = e^-0.5.
  const double p = std::exp(-0.5);
  check_bleu(gxn::corpus_bleu({{}, words("a cat sat down")}, {{words("a cat")}, {words("a cat sat down")}}), p, p, p,
             p);
}

TEST_CASE("BLEU refuses mismatched sizes, no hypotheses and empty reference sets", "[caption_metrics][bleu]") {
  const std::vector<Tokens> two = {words("a"), words("b")};
  CHECK_THAT(argument_error([&] { gxn::corpus_bleu(two, {{words("a")}}); }), Catch::Contains("2 hypotheses but 1"));
  CHECK_THAT(argument_error([&] { gxn::corpus_bleu({}, {}); }), Catch::Contains("no hypotheses"));
  CHECK_THAT(argument_error([&] {
               gxn::corpus_bleu(two, {{words("a")}, {}});
             }),
             Catch::Contains("reference set 1 is empty"));
  CHECK_THAT(argument_error([&] { gxn::sentence_bleu(words("a"), {}); }), Catch::Contains("is empty"));
}

TEST_CASE("CIDEr-D of a 2-image corpus: idf, clipping, length penalty", "[caption_metrics][cider]") {
  // Sets: S0 {"a cat sat down"}, S1 {"a dog sat down"}; N = 2, L = log 2.
  // In both sets (df 2, idf log 2 - log 2 = 0): a, sat, down, sat-down. Every other n-gram
  // has df 1 (idf L), and so has an n-gram in no set (idf log 2 - log max(1, 0) = L).
  const gxn::CiderD cider({{words("a cat sat down")}, {words("a dog sat down")}});
  REQUIRE(cider.size() == 2);

  // Hypothesis "a cat cat" against S0 (idf-weighted counts, L factored out):
  //  n=1  hyp {a: 1·0, cat: 2L}, norm 2L; ref {a: 0, cat: L, sat: 0, down: 0}, norm L.
  //       Σ min(h, r)·r = min(2L, L)·L = L²   -> L² / (2L · L) = 1/2
  //       (without clipping it would be 2L·L / (2L·L) = 1)
  //  n=2  hyp {a-cat: L, cat-cat: L (in no set)}, norm √2·L; ref {a-cat: L, cat-sat: L,
  //       sat-down: 0}, norm √2·L.   a-cat: L·L -> L² / (2L²) = 1/2
  //  n=3  hyp {a-cat-cat} matches nothing: 0.      n=4  hyp has none: 0.
  //  lengths 3 vs 4: penalty exp(-(3-4)² / (2·6²)) = exp(-1/72)
  //  CIDEr-D = 10 · (1/2 + 1/2 + 0 + 0) / 4 · exp(-1/72) = 2.5·exp(-1/72) = 2.465518
  const double partial = 2.5 * std::exp(-1.0 / 72);
  CHECK(cider.score(words("a cat cat"), 0) == Approx(partial).epsilon(1e-13));
  // A hypothesis equal to the only reference: every order has a non-zero vector and
  // cosine 1, no length penalty: 10 · (1+1+1+1)/4 = 10.
  CHECK(cider.score(words("a dog sat down"), 1) == Approx(10).epsilon(1e-13));
  // The corpus score is the mean over sets: (2.465518 + 10) / 2.
  CHECK(cider.corpus_score({words("a cat cat"), words("a dog sat down")}) == Approx((partial + 10) / 2).epsilon(1e-13));
  // The other image's caption shares with S0 only n-grams of idf 0 (a, sat, down, sat-down):
  // every order's dot product is 0.
  CHECK(cider.score(words("a dog sat down"), 0) == 0);
}

TEST_CASE("CIDEr-D weighs n-grams by idf over three sets", "[caption_metrics][cider]") {
  // Sets {"red cat"}, {"red dog"}, {"blue dog"}: N = 3. df: red 2, dog 2, cat 1, blue 1, each
  // bigram 1. idf: A = log 3 (df 1), B = log 3 - log 2 = log 1.5 (df 2).
  // "red dog" against S0 "red cat":
  //  n=1  hyp {red: B, dog: B}, norm √2·B; ref {red: B, cat: A}, norm √(A² + B²).
  //       only red is shared: B·B -> B / √(2(A² + B²)) = 0.405465 / 1.656111 = 0.244830
  //  n=2  red-dog vs red-cat: 0.   n=3,4: none. Same length: no penalty.
  //  CIDEr-D = 10 · 0.244830 / 4 = 0.612074
  const gxn::CiderD cider({{words("red cat")}, {words("red dog")}, {words("blue dog")}});
  const double a = std::log(3.0), b = std::log(1.5);
  const double expected = 2.5 * b / std::sqrt(2 * (a * a + b * b));
  CHECK(cider.score(words("red dog"), 0) == Approx(expected).epsilon(1e-13));
  // Against its own set a two-word exact match scores only 10 · (1 + 1 + 0 + 0)/4 = 5: it has
  // no trigrams or 4-grams.
  CHECK(cider.score(words("red dog"), 1) == Approx(5).epsilon(1e-13));
  // "blue dog" vs "red dog" is symmetric to the first case (A and B swap roles with the same sum).
  CHECK(cider.score(words("red dog"), 2) == Approx(expected).epsilon(1e-13));
}

TEST_CASE("CIDEr-D averages over a set's references", "[caption_metrics][cider]") {
  // Sets {"a b", "c d"}, {"e f"}: every n-gram is in one set only (idf log 2).
  // "a b" vs S0: cosine (1, 1, 0, 0) with "a b", 0 with "c d" -> 10 · (2/4) / 2 references = 2.5.
  // "e f" vs S1: 10 · 2/4 = 5. Corpus: (2.5 + 5) / 2 = 3.75.
  const gxn::CiderD cider({{words("a b"), words("c d")}, {words("e f")}});
  CHECK(cider.score(words("a b"), 0) == Approx(2.5).epsilon(1e-13));
  CHECK(cider.corpus_score({words("a b"), words("e f")}) == Approx(3.75).epsilon(1e-13));
}

TEST_CASE("CIDEr-D edge cases score 0, never NaN", "[caption_metrics][cider]") {
  const gxn::CiderD cider({{words("a cat sat down")}, {words("a dog sat down")}});
  CHECK(cider.score({}, 0) == 0);                                // empty hypothesis
  CHECK(cider.score(words("zebra quokka quokka"), 0) == 0);      // words no reference uses
  CHECK(cider.score(gxn::caption_metric_tokens("?!"), 0) == 0);  // only punctuation
  // One set: every n-gram is in all (1) sets, idf 0 everywhere, so even a perfect match is 0
  // (as in coco-caption, whose document frequencies come from the evaluated corpus).
  CHECK(gxn::CiderD({{words("a cat")}}).score(words("a cat"), 0) == 0);
  // An empty reference is allowed (it has a zero vector and contributes 0).
  const gxn::CiderD with_empty({{words("a b"), {}}, {words("e f")}});
  CHECK(with_empty.score(words("a b"), 0) == Approx(2.5).epsilon(1e-13));
}

TEST_CASE("CiderD refuses empty inputs and bad indices", "[caption_metrics][cider]") {
  CHECK_THAT(argument_error([] { gxn::CiderD({}); }), Catch::Contains("no reference sets"));
  CHECK_THAT(argument_error([] {
               gxn::CiderD({{words("a")}, {words("b")}, {}});
             }),
             Catch::Contains("reference set 2 is empty"));
  const gxn::CiderD cider({{words("a")}, {words("b")}});
  CHECK_THAT(argument_error([&] { cider.score(words("a"), 2); }),
             Catch::Contains("reference set 2 out of range (2 sets)"));
  CHECK_THAT(argument_error([&] { cider.corpus_score({words("a")}); }),
             Catch::Contains("1 hypotheses for 2 reference sets"));
}

TEST_CASE("CiderD copies share tables and a moved-from one stays whole", "[caption_metrics][cider]") {
  gxn::CiderD a({{words("a b")}, {words("c d")}});
  const gxn::CiderD b = std::move(a);
  CHECK(a.size() == 2);
  CHECK(a.score(words("a b"), 0) == b.score(words("a b"), 0));
}

TEST_CASE("evaluate_captions gives corpus BLEU and CIDEr-D together", "[caption_metrics]") {
  const std::vector<Tokens> hyps = {words("a cat cat"), words("a dog sat down")};
  const Sets refs = {{words("a cat sat down")}, {words("a dog sat down")}};
  const gxn::CaptionMetrics m = gxn::evaluate_captions(hyps, refs);
  const gxn::BleuScores bleu = gxn::corpus_bleu(hyps, refs);
  CHECK(m.bleu1 == bleu.bleu[0]);
  CHECK(m.bleu2 == bleu.bleu[1]);
  CHECK(m.bleu3 == bleu.bleu[2]);
  CHECK(m.bleu4 == bleu.bleu[3]);
  CHECK(m.cider == Approx((2.5 * std::exp(-1.0 / 72) + 10) / 2).epsilon(1e-13));
  // p1 = (2 + 4) / (3 + 4): "cat" ×2 clipped to 1. c = 7 < r = 8: penalty exp(1 - 8/7).
  CHECK(m.bleu1 == Approx(6.0 / 7 * std::exp(1 - 8.0 / 7)).epsilon(1e-13));
  CHECK_THAT(argument_error([&] { gxn::evaluate_captions(hyps, {refs[0]}); }), Catch::Contains("2 hypotheses but 1"));
}

TEST_CASE("CiderD matches a direct transcription of coco-caption on random corpora", "[caption_metrics][cider]") {
  // Small vocabularies make repeated words, shared n-grams (idf between 0 and log N), clipping
  // and unknown hypothesis words common; lengths 0..12 exercise the length penalty.
  std::mt19937 rng(7);
  const std::vector<std::string> vocab = {"a", "b", "c", "d", "e", "f", "g"};
  auto sentence = [&](int max_len, int vocab_size) {
    Tokens s(std::uniform_int_distribution<int>(0, max_len)(rng));
    for (auto& w : s) w = vocab[std::uniform_int_distribution<int>(0, vocab_size - 1)(rng)];
    return s;
  };
  for (int trial = 0; trial < 20; ++trial) {
    const int sets_count = 1 + trial % 6;
    Sets sets(sets_count);
    for (auto& refs : sets) {
      refs.resize(1 + rng() % 5);
      for (auto& r : refs) r = sentence(12, 5);  // references use a..e
    }
    const gxn::CiderD cider(sets);
    for (int s = 0; s < sets_count; ++s)
      for (int h = 0; h < 5; ++h) {
        const Tokens hyp = sentence(12, 7);  // f and g are unknown words
        const double expected = direct_cider(hyp, s, sets);
        const double got = cider.score(hyp, s);
        REQUIRE(std::isfinite(got));
        CHECK(got == Approx(expected).epsilon(1e-12).margin(1e-12));
      }
  }
}
