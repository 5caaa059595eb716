#pragma once
// Caption metrics: BLEU-1..4 and CIDEr-D, as coco-caption computes them, on tokenized sentences.
// Used to evaluate generated captions (`gxn eval-captions`) and, through CiderD::score, as the
// reward of self-critical training.
//
// Where gxn differs from coco-caption on purpose: coco-caption adds tiny constants to BLEU's
// ratios (1e-15 above, 1e-9 below) so it never divides by zero. gxn computes the exact
// values instead: an n-gram order with no hypothesis n-grams, or none matched, has precision 0
// and makes BLEU-n (and every higher order) exactly 0, where coco-caption reports a small
// positive number (BLEU-4 of a two-word exact match: 0 here, about 0.001 there). Elsewhere the
// two agree to about 1e-9 relative.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gxn {

using Tokens = std::vector<std::string>;

// The tokens of a sentence as the metrics see it: gxn::tokenize (lowercased, punctuation split
// off), then punctuation-only tokens dropped, as coco-caption's PTB tokenizer removes them.
//   "A dog, running!"  ->  a dog running
Tokens caption_metric_tokens(std::string_view sentence);

struct BleuScores {
  double bleu[4] = {0, 0, 0, 0};  // BLEU-1..4 in [0, 1]
};

// Corpus BLEU (Papineni et al.; coco-caption's Bleu with its default "closest" option):
// n-gram matches clipped to the highest count in any one reference, summed over the corpus;
// BLEU-n is the geometric mean of the precisions p_1..p_n times the brevity penalty
// exp(min(0, 1 - r/c)), where c is the total hypothesis length and r the sum over sentences of
// the reference length closest to the hypothesis length (ties: the shorter one).
// hypotheses[i] is scored against references[i]. Throws gxn::Error(InvalidArgument) on a size
// mismatch, no hypotheses, or an empty reference set (naming its index).
BleuScores corpus_bleu(const std::vector<Tokens>& hypotheses, const std::vector<std::vector<Tokens>>& references);

// corpus_bleu of a one-sentence corpus: the sentence BLEU (e.g. a BLEU-4 reward).
BleuScores sentence_bleu(const Tokens& hypothesis, const std::vector<Tokens>& references);

// CIDEr-D (Vedantam et al., 2015; coco-caption's CiderD). For n = 1..4 a sentence becomes a
// vector of n-gram counts weighted by idf = log(N) - log(max(1, df)), where N is the number of
// reference sets and df the number of sets whose references contain the n-gram. Against one
// reference, order n contributes Σ min(h_g, r_g)·r_g / (‖h‖·‖r‖) (the hypothesis clipped to the
// reference; 0 when either vector is zero) times exp(-(len_h - len_r)² / (2·6²)). A score is
// the mean over n and over the set's references, ×10: at most 10, reached by a hypothesis equal
// to every reference of its set when all four orders have weight; n-grams that every set holds
// weigh 0, so a corpus of one set scores 0.
//
// Document frequencies come from the reference sets given to the constructor, which also
// precomputes every reference's vectors and norms: score() only weighs the hypothesis and
// walks two sorted lists per reference, cheap enough to reward each sampled caption in
// training. An immutable value; copies share the tables; score() is safe from many threads.
class CiderD {
 public:
  // Throws gxn::Error(InvalidArgument) on no sets or an empty reference set (naming its index).
  explicit CiderD(std::vector<std::vector<Tokens>> reference_sets);
  // Copies share the tables; with no move operations a moved-from CiderD stays whole.
  CiderD(const CiderD&) = default;
  CiderD& operator=(const CiderD&) = default;

  // Number of reference sets.
  std::size_t size() const;

  // CIDEr-D of one hypothesis against reference set `set` (throws gxn::Error(InvalidArgument)
  // when set >= size()). An empty hypothesis, or one of words no reference uses, scores 0.
  double score(const Tokens& hypothesis, std::size_t set) const;

  // The corpus CIDEr-D: the mean over sets of score(hypotheses[i], i). Throws gxn::Error
  // (InvalidArgument) unless there is exactly one hypothesis per set.
  double corpus_score(const std::vector<Tokens>& hypotheses) const;

 private:
  struct Tables;
  std::shared_ptr<const Tables> tables_;
};

struct CaptionMetrics {
  double bleu1 = 0, bleu2 = 0, bleu3 = 0, bleu4 = 0, cider = 0;
};

// Corpus BLEU-1..4 and CIDEr-D (document frequencies over `references`) of paired hypotheses
// and reference sets. Throws as corpus_bleu does.
CaptionMetrics evaluate_captions(const std::vector<Tokens>& hypotheses,
                                 const std::vector<std::vector<Tokens>>& references);

}  // namespace gxn
