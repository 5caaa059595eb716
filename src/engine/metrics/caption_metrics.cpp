#include "gxn/engine/metrics/caption_metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/error.hpp"

namespace gxn {
namespace {

constexpr int kMaxOrder = 4;    // both metrics use n-grams of 1..4 words
constexpr double kSigma = 6.0;  // CIDEr-D's length penalty
constexpr double kCiderScale = 10.0;

// An n-gram as word ids (>= 1) followed by zeros: one key type holds every order without two
// orders ever colliding, and comparing keys is exact.
using NgramKey = std::array<std::uint32_t, kMaxOrder>;

struct NgramKeyHash {
  std::size_t operator()(const NgramKey& k) const noexcept {
    std::uint64_t h = (std::uint64_t{k[0]} << 32 | k[1]) * 0x9E3779B97F4A7C15ull;
    h ^= (std::uint64_t{k[2]} << 32 | k[3]) + 0xBF58476D1CE4E5B9ull + (h << 6) + (h >> 2);
    h = (h ^ (h >> 31)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

int order_of(const NgramKey& k) {
  int n = 0;
  while (n < kMaxOrder && k[static_cast<std::size_t>(n)] != 0) ++n;
  return n;
}

struct NgramCount {
  NgramKey key;
  std::uint32_t count;
};

// Every n-gram of orders 1..4 of `ids` with its count, sorted by key.
std::vector<NgramCount> count_ngrams(const std::vector<std::uint32_t>& ids) {
  std::vector<NgramKey> keys;
  keys.reserve(ids.size() * kMaxOrder);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    NgramKey key{};
    for (std::size_t n = 0; n < kMaxOrder && i + n < ids.size(); ++n) {
      key[n] = ids[i + n];
      keys.push_back(key);
    }
  }
  std::sort(keys.begin(), keys.end());
  std::vector<NgramCount> counts;
  for (std::size_t i = 0; i < keys.size();) {
    std::size_t j = i + 1;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    counts.push_back({keys[i], static_cast<std::uint32_t>(j - i)});
    i = j;
  }
  return counts;
}

std::uint32_t count_of(const std::vector<NgramCount>& counts, const NgramKey& key) {
  auto it = std::lower_bound(counts.begin(), counts.end(), key,
                             [](const NgramCount& c, const NgramKey& k) { return c.key < k; });
  return it != counts.end() && it->key == key ? it->count : 0;
}

// Word ids for one sentence pair at a time (BLEU needs no vocabulary beyond it).
class WordIds {
 public:
  std::vector<std::uint32_t> operator()(const Tokens& tokens) {
    std::vector<std::uint32_t> ids;
    ids.reserve(tokens.size());
    for (const std::string& t : tokens)
      ids.push_back(ids_.emplace(std::string_view(t), static_cast<std::uint32_t>(ids_.size() + 1)).first->second);
    return ids;
  }

 private:
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

// BLEU's sufficient statistics, summed over a corpus.
struct BleuCounts {
  double matched[kMaxOrder] = {0, 0, 0, 0};
  double total[kMaxOrder] = {0, 0, 0, 0};  // hypothesis n-grams of each order
  double hypothesis_length = 0, reference_length = 0;
};

void add_bleu_counts(BleuCounts& c, const Tokens& hypothesis, const std::vector<Tokens>& references) {
  WordIds word_ids;
  const std::vector<NgramCount> hyp = count_ngrams(word_ids(hypothesis));
  std::vector<std::vector<NgramCount>> refs;
  for (const Tokens& r : references) refs.push_back(count_ngrams(word_ids(r)));
  for (const NgramCount& g : hyp) {
    std::uint32_t most = 0;  // clip to the highest count in any one reference
    for (const auto& r : refs) most = std::max(most, count_of(r, g.key));
    c.matched[order_of(g.key) - 1] += std::min(g.count, most);
  }
  const double length = static_cast<double>(hypothesis.size());
  for (int n = 1; n <= kMaxOrder; ++n) c.total[n - 1] += std::max(0.0, length - n + 1);
  // The reference length closest to the hypothesis length; ties go to the shorter.
  const auto distance = [&](std::size_t l) {
    return l > hypothesis.size() ? l - hypothesis.size() : hypothesis.size() - l;
  };
  std::size_t closest = references.front().size();
  for (const Tokens& r : references) {
    if (distance(r.size()) < distance(closest) || (distance(r.size()) == distance(closest) && r.size() < closest))
      closest = r.size();
  }
  c.hypothesis_length += length;
  c.reference_length += static_cast<double>(closest);
}

BleuScores bleu_from_counts(const BleuCounts& c) {
  BleuScores s;
  if (c.hypothesis_length == 0) return s;  // nothing was said: every precision is 0
  const double brevity =
      c.hypothesis_length < c.reference_length ? std::exp(1.0 - c.reference_length / c.hypothesis_length) : 1.0;
  double log_sum = 0;
  for (int n = 0; n < kMaxOrder; ++n) {
    // No n-grams of this order, or none matched: precision 0, so BLEU-n and above are 0.
    if (c.matched[n] == 0) break;
    log_sum += std::log(c.matched[n] / c.total[n]);
    s.bleu[n] = std::exp(log_sum / (n + 1)) * brevity;
  }
  return s;
}

void check_references(const std::vector<Tokens>& references, std::size_t index, const char* what) {
  if (references.empty())
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": reference set " + std::to_string(index) +
                                                " is empty (each needs at least one reference)");
}

}  // namespace

Tokens caption_metric_tokens(std::string_view sentence) {
  Tokens tokens = tokenize(sentence);
  tokens.erase(
      std::remove_if(tokens.begin(), tokens.end(), [](const std::string& t) { return is_punctuation_token(t); }),
      tokens.end());
  return tokens;
}

BleuScores corpus_bleu(const std::vector<Tokens>& hypotheses, const std::vector<std::vector<Tokens>>& references) {
  if (hypotheses.size() != references.size())
    throw Error(ErrorCode::InvalidArgument, "corpus_bleu: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                                                std::to_string(references.size()) +
                                                " reference sets (one per hypothesis)");
  if (hypotheses.empty()) throw Error(ErrorCode::InvalidArgument, "corpus_bleu: no hypotheses to score");
  BleuCounts counts;
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    check_references(references[i], i, "corpus_bleu");
    add_bleu_counts(counts, hypotheses[i], references[i]);
  }
  return bleu_from_counts(counts);
}

BleuScores sentence_bleu(const Tokens& hypothesis, const std::vector<Tokens>& references) {
  check_references(references, 0, "sentence_bleu");
  BleuCounts counts;
  add_bleu_counts(counts, hypothesis, references);
  return bleu_from_counts(counts);
}

// The precomputed side of CIDEr-D: a word and an n-gram dictionary over the references, each
// n-gram's idf, and each reference's n-gram counts (by order, sorted by n-gram index) and norms.
struct CiderD::Tables {
  struct Entry {
    std::uint32_t gram;   // index into idf
    std::uint32_t count;  // occurrences in the sentence
  };
  struct Reference {
    std::size_t begin[kMaxOrder + 1];  // its entries of order n: entries[begin[n-1], begin[n])
    double norm[kMaxOrder];            // ‖idf-weighted counts‖ per order
    double length;                     // words
  };

  std::unordered_map<std::string, std::uint32_t> words;  // ids from 1
  std::unordered_map<NgramKey, std::uint32_t, NgramKeyHash> grams;
  std::vector<double> idf;
  double log_sets = 0;  // log N: the idf of an n-gram that no set holds
  std::vector<Entry> entries;
  std::vector<Reference> references;
  std::vector<std::size_t> set_begin;  // set s owns references[set_begin[s], set_begin[s+1])
};

CiderD::CiderD(std::vector<std::vector<Tokens>> reference_sets) {
  if (reference_sets.empty()) throw Error(ErrorCode::InvalidArgument, "CiderD: no reference sets");
  auto t = std::make_shared<Tables>();
  t->log_sets = std::log(static_cast<double>(reference_sets.size()));
  std::vector<std::uint32_t> df;
  std::vector<std::uint32_t> set_grams;
  for (std::size_t s = 0; s < reference_sets.size(); ++s) {
    check_references(reference_sets[s], s, "CiderD");
    t->set_begin.push_back(t->references.size());
    set_grams.clear();
    for (const Tokens& sentence : reference_sets[s]) {
      std::vector<std::uint32_t> ids;
      for (const std::string& w : sentence)
        ids.push_back(t->words.emplace(w, static_cast<std::uint32_t>(t->words.size() + 1)).first->second);
      Tables::Reference ref{};
      ref.length = static_cast<double>(ids.size());
      const std::vector<NgramCount> counts = count_ngrams(ids);  // sorted by key: orders interleave
      for (int n = 1; n <= kMaxOrder; ++n) {
        ref.begin[n - 1] = t->entries.size();
        for (const NgramCount& c : counts) {
          if (order_of(c.key) != n) continue;
          const auto gram = t->grams.emplace(c.key, static_cast<std::uint32_t>(t->grams.size())).first->second;
          t->entries.push_back({gram, c.count});
          set_grams.push_back(gram);
        }
        std::sort(t->entries.begin() + static_cast<std::ptrdiff_t>(ref.begin[n - 1]), t->entries.end(),
                  [](const Tables::Entry& a, const Tables::Entry& b) { return a.gram < b.gram; });
      }
      ref.begin[kMaxOrder] = t->entries.size();
      t->references.push_back(ref);
    }
    // Document frequency: the number of sets whose references hold the n-gram.
    std::sort(set_grams.begin(), set_grams.end());
    set_grams.erase(std::unique(set_grams.begin(), set_grams.end()), set_grams.end());
    df.resize(t->grams.size(), 0);
    for (std::uint32_t g : set_grams) ++df[g];
  }
  t->set_begin.push_back(t->references.size());
  reference_sets.clear();
  reference_sets.shrink_to_fit();

  t->idf.resize(df.size());
  for (std::size_t g = 0; g < df.size(); ++g) t->idf[g] = t->log_sets - std::log(std::max(1.0, double(df[g])));
  for (Tables::Reference& ref : t->references)
    for (int n = 0; n < kMaxOrder; ++n) {
      double sum = 0;
      for (std::size_t e = ref.begin[n]; e < ref.begin[n + 1]; ++e) {
        const double v = t->entries[e].count * t->idf[t->entries[e].gram];
        sum += v * v;
      }
      ref.norm[n] = std::sqrt(sum);
    }
  tables_ = std::move(t);
}

std::size_t CiderD::size() const { return tables_->set_begin.size() - 1; }

double CiderD::score(const Tokens& hypothesis, std::size_t set) const {
  const Tables& t = *tables_;
  if (set >= size())
    throw Error(ErrorCode::InvalidArgument, "CiderD::score: reference set " + std::to_string(set) + " out of range (" +
                                                std::to_string(size()) + " sets)");
  // Word ids; words no reference uses get ids of their own above the dictionary's, so their
  // n-grams still count (and weigh log N) in the hypothesis norm but match nothing.
  std::vector<std::uint32_t> ids;
  ids.reserve(hypothesis.size());
  std::unordered_map<std::string_view, std::uint32_t> unknown;
  for (const std::string& w : hypothesis) {
    auto it = t.words.find(w);
    ids.push_back(
        it != t.words.end()
            ? it->second
            : unknown.emplace(w, static_cast<std::uint32_t>(t.words.size() + 1 + unknown.size())).first->second);
  }
  // The hypothesis's weighted n-grams: norms over all, the known ones kept to meet the references.
  std::vector<Tables::Entry> known[kMaxOrder];
  double norm[kMaxOrder] = {0, 0, 0, 0};
  for (const NgramCount& c : count_ngrams(ids)) {
    const int n = order_of(c.key) - 1;
    const auto it = t.grams.find(c.key);
    const double weight = it != t.grams.end() ? t.idf[it->second] : t.log_sets;
    norm[n] += (c.count * weight) * (c.count * weight);
    if (it != t.grams.end() && weight > 0) known[n].push_back({it->second, c.count});
  }
  for (int n = 0; n < kMaxOrder; ++n) {
    norm[n] = std::sqrt(norm[n]);
    std::sort(known[n].begin(), known[n].end(),
              [](const Tables::Entry& a, const Tables::Entry& b) { return a.gram < b.gram; });
  }

  const double length = static_cast<double>(hypothesis.size());
  double sum = 0;
  const std::size_t first = t.set_begin[set], last = t.set_begin[set + 1];
  for (std::size_t r = first; r < last; ++r) {
    const Tables::Reference& ref = t.references[r];
    const double delta = length - ref.length;
    const double penalty = std::exp(-(delta * delta) / (2 * kSigma * kSigma));
    for (int n = 0; n < kMaxOrder; ++n) {
      if (norm[n] == 0 || ref.norm[n] == 0) continue;  // a zero vector: similarity 0
      // Merge the two sorted lists: Σ min(h, r)·r over shared n-grams, in idf-weighted counts.
      double dot = 0;
      auto h = known[n].begin();
      const Tables::Entry* e = t.entries.data() + ref.begin[n];
      const Tables::Entry* end = t.entries.data() + ref.begin[n + 1];
      while (h != known[n].end() && e != end) {
        if (h->gram < e->gram) {
          ++h;
        } else if (e->gram < h->gram) {
          ++e;
        } else {
          const double w = t.idf[e->gram];
          dot += std::min(h->count, e->count) * w * e->count * w;
          ++h, ++e;
        }
      }
      sum += dot / (norm[n] * ref.norm[n]) * penalty;
    }
  }
  return sum / (kMaxOrder * static_cast<double>(last - first)) * kCiderScale;
}

double CiderD::corpus_score(const std::vector<Tokens>& hypotheses) const {
  if (hypotheses.size() != size())
    throw Error(ErrorCode::InvalidArgument, "CiderD::corpus_score: " + std::to_string(hypotheses.size()) +
                                                " hypotheses for " + std::to_string(size()) +
                                                " reference sets (one per set)");
  double sum = 0;
  for (std::size_t i = 0; i < hypotheses.size(); ++i) sum += score(hypotheses[i], i);
  return sum / static_cast<double>(hypotheses.size());
}

CaptionMetrics evaluate_captions(const std::vector<Tokens>& hypotheses,
                                 const std::vector<std::vector<Tokens>>& references) {
  const BleuScores bleu = corpus_bleu(hypotheses, references);  // checks sizes and references first
  CaptionMetrics m;
  m.bleu1 = bleu.bleu[0], m.bleu2 = bleu.bleu[1], m.bleu3 = bleu.bleu[2], m.bleu4 = bleu.bleu[3];
  m.cider = CiderD(references).corpus_score(hypotheses);
  return m;
}

}  // namespace gxn
