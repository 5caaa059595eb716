#pragma once
// The k best-scoring candidates per query, best first (equal scores: lower index first).
#include <cstdint>
#include <vector>

namespace gxn {

struct TopK {
  std::int64_t queries = 0;
  std::int64_t k = 0;               // min(requested k, number of candidates)
  std::vector<std::int64_t> index;  // queries × k, row-major: candidate ids, best first
  std::vector<float> score;         // queries × k: their scores (higher is better)

  const std::int64_t* indices_of(std::int64_t q) const { return index.data() + q * k; }
  const float* scores_of(std::int64_t q) const { return score.data() + q * k; }
};

}  // namespace gxn
