#pragma once
// The k best candidates seen so far for each of many rows (queries). Internal to gxn::engine.
//
// A heap per row whose front is the worst kept candidate, so that most new candidates are
// turned away by one comparison with floor(). `Better` orders candidates best first; a
// Candidate has a float `score` (higher is better).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace gxn::detail {

template <class Candidate, bool (*Better)(const Candidate&, const Candidate&)>
class TopKHeaps {
 public:
  TopKHeaps() = default;
  TopKHeaps(std::int64_t rows, std::int64_t k) { reset(rows, k); }

  void reset(std::int64_t rows, std::int64_t k) {
    k_ = k;
    entries_.resize(static_cast<std::size_t>(rows * k));
    counts_.assign(static_cast<std::size_t>(rows), 0);
  }
  void clear() { std::fill(counts_.begin(), counts_.end(), 0); }

  void offer(std::int64_t row, const Candidate& c) {
    Candidate* heap = entries_.data() + row * k_;
    std::int64_t& n = counts_[static_cast<std::size_t>(row)];
    if (n < k_) {
      heap[n++] = c;
      std::push_heap(heap, heap + n, Better);
    } else if (Better(c, heap[0])) {
      std::pop_heap(heap, heap + n, Better);
      heap[n - 1] = c;
      std::push_heap(heap, heap + n, Better);
    }
  }

  // The score below which nothing can enter this row (-inf while the row is not full); a
  // candidate of this very score may, if Better says so.
  float floor(std::int64_t row) const {
    return counts_[static_cast<std::size_t>(row)] < k_ ? -std::numeric_limits<float>::infinity()
                                                       : entries_[static_cast<std::size_t>(row * k_)].score;
  }

  const Candidate* begin(std::int64_t row) const { return entries_.data() + row * k_; }
  const Candidate* end(std::int64_t row) const { return begin(row) + counts_[static_cast<std::size_t>(row)]; }

 private:
  std::int64_t k_ = 0;
  std::vector<Candidate> entries_;
  std::vector<std::int64_t> counts_;
};

}  // namespace gxn::detail
