#include "certified_top_k.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <tuple>
#include <vector>

#include "int16_kernel.hpp"
#include "score_kernel.hpp"

namespace gxn::detail {

namespace {

// Queries below which coding the candidates costs more than the integer pass saves.
constexpr std::int64_t kMinQueries = 1000;
// Candidates kept per query and thread beyond k before the pass gives up (bounds too loose).
constexpr std::int64_t kMaxSurvivors = 4096;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Codes of a matrix's λ-scaled rows in panels of `width` rows, and each row's residual norm.
struct Codes {
  AlignedFloats storage;  // bytes, 64-byte aligned
  std::vector<double> residual;
  std::int64_t panel_bytes = 0;
  const std::uint16_t* panel(std::int64_t p) const {
    return reinterpret_cast<const std::uint16_t*>(reinterpret_cast<const char*>(storage.get()) + p * panel_bytes);
  }
};

Codes encode(const MatrixView& m, int width, std::int64_t pairs, float scale_h, float scale_l, double step,
             double max_code, int threads) {
  Codes codes;
  const std::int64_t panels = ceil_div(m.rows, width), half = m.cols / 2;
  codes.panel_bytes = pairs * 4 * width;
  codes.storage = AlignedFloats(ceil_div(panels * codes.panel_bytes, 4));
  auto* bytes = reinterpret_cast<char*>(codes.storage.get());
  // Rows past the end (in the last panel) code as zeros; every other code is written below, by
  // the thread that will use its pages first.
  if (panels > 0) std::memset(bytes + (panels - 1) * codes.panel_bytes, 0, static_cast<std::size_t>(codes.panel_bytes));
  codes.residual.assign(static_cast<std::size_t>(m.rows), 0.0);
  const auto inverse = static_cast<float>(1.0 / step), top = static_cast<float>(max_code);
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::uint16_t> row_codes(static_cast<std::size_t>(2 * pairs), 0);
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < m.rows; ++r) {
      const float* x = m.row(r);
      double e2 = 0;
      for (const auto& [begin, end, scale] :
           {std::tuple{std::int64_t{0}, half, scale_h}, std::tuple{half, m.cols, scale_l}})
        for (std::int64_t d = begin; d < end; ++d) {
          const float scaled = x[d] * scale;  // the floats the fp32 kernel scores
          // Round to nearest (any code would do: the residual below is what the bound uses).
          const int code = static_cast<int>(std::min(std::max(scaled * inverse, 0.0f), top) + 0.5f);
          const double rest = double(scaled) - double(code) * step;
          e2 += rest * rest;
          row_codes[static_cast<std::size_t>(d)] = static_cast<std::uint16_t>(code);
        }
      codes.residual[static_cast<std::size_t>(r)] = std::sqrt(e2) * (1 + 1e-12);
      auto* panel = reinterpret_cast<std::uint16_t*>(bytes + (r / width) * codes.panel_bytes) + 2 * (r % width);
      for (std::int64_t g = 0; g < pairs; ++g)
        std::memcpy(panel + 2 * g * width, row_codes.data() + 2 * g, 2 * sizeof(std::uint16_t));
    }
  }
  return codes;
}

// s*(t, v) of two rows as the fp32 kernel computes it (see score_avx512.cpp): the scaled values,
// relu(v − t)² accumulated by fused multiply-adds in order of dimension, then 0 − sum.
float fp32_kernel_score(const float* t, const float* v, std::int64_t depth, float scale_h, float scale_l) {
  float acc = 0.0f;
  for (std::int64_t d = 0; d < depth; ++d) {
    const float s = d < depth / 2 ? scale_h : scale_l;
    const float packed_v = v[d] * s, packed_t = t[d] * s;
    const float x = std::max(packed_v - packed_t, 0.0f);
    acc = std::fma(x, x, acc);
  }
  return 0.0f - acc;
}

// One query's bounds as one thread sees them: the k smallest upper bounds (a max-heap) and the
// candidates whose lower bound was within the heap's top when they came.
struct QueryBounds {
  std::vector<double> upper;
  std::vector<std::pair<double, std::int64_t>> kept;  // (lower bound, candidate)
};

}  // namespace

bool certified_top_k_applies(Isa isa, std::int64_t queries, std::int64_t candidates, std::int64_t k) {
  // Coding every row costs about what scoring ~300 queries against it in fp32 does (measured at
  // 1M × 512 on two cores: 200 queries ran 0.82× as fast as fp32, 1,000 queries 1.8-2.0×).
  return isa == Isa::Avx512 && has_avx512_vnni() && queries >= kMinQueries && candidates >= 16384 &&
         k * 16 <= candidates;
}

std::optional<TopK> certified_top_k(bool image_rows, const MatrixView& queries, const MatrixView& candidates,
                                    std::int64_t k, float lambda, int threads) {
  const std::int64_t depth = queries.cols, pairs = ceil_div(depth, 2);
  // The largest code whose squares summed over the depth fit the kernel's 32-bit sums.
  const double max_code = std::floor(std::sqrt(double(std::numeric_limits<std::int32_t>::max()) / double(2 * pairs)));
  const float scale_h = std::sqrt(lambda), scale_l = std::sqrt(1.0f - lambda);
  // One step for every code: the largest scaled value over the largest code.
  float top = 0.0f;
  for (const MatrixView* m : {&queries, &candidates}) {
#pragma omp parallel for num_threads(threads) reduction(max : top) schedule(static)
    for (std::int64_t r = 0; r < m->rows; ++r)
      for (std::int64_t d = 0; d < depth; ++d) top = std::max(top, m->row(r)[d] * (d < depth / 2 ? scale_h : scale_l));
  }
  const double step = top > 0.0f ? double(top) / max_code : 1.0;
  const Codes rows = encode(queries, kCodeRows, pairs, scale_h, scale_l, step, max_code, threads);
  const Codes cols = encode(candidates, kCodeCols, pairs, scale_h, scale_l, step, max_code, threads);
  const double widest = *std::max_element(cols.residual.begin(), cols.residual.end());
  // fp32 sums `depth` squares: its score is within about depth·2^-24 (relative) of the true one,
  // so a candidate that close to the cap may still outrank, in fp32, one under it. The cap is
  // widened by four times that.
  const double rounding = 1 + 2.0 * double(depth) * std::ldexp(1.0, -23);

  const std::int64_t q_count = queries.rows, row_panels = ceil_div(q_count, kCodeRows);
  const std::int64_t col_panels = ceil_div(candidates.rows, kCodeCols);
  std::vector<std::vector<QueryBounds>> bounds(static_cast<std::size_t>(threads),
                                               std::vector<QueryBounds>(static_cast<std::size_t>(q_count)));
  std::atomic<bool> loose{false};
  std::exception_ptr failure;  // memory for the bounds ran out: nothing may leave the region
#pragma omp parallel num_threads(threads)
  try {
    const int t = omp_get_thread_num();
    std::vector<QueryBounds>& mine = bounds[static_cast<std::size_t>(t)];
    // Below this integer sum a candidate may still enter; +inf until the query has k upper bounds.
    std::vector<std::int64_t> pass(static_cast<std::size_t>(q_count), std::numeric_limits<std::int64_t>::max());
    std::vector<std::int32_t> tile(kCodeRows * kCodeCols);
    const std::int64_t first = col_panels * t / threads, end = col_panels * (t + 1) / threads;
    for (std::int64_t p = first; p < end && !loose.load(std::memory_order_relaxed); ++p) {
      const int cols_here = static_cast<int>(std::min<std::int64_t>(kCodeCols, candidates.rows - p * kCodeCols));
      for (std::int64_t rp = 0; rp < row_panels; ++rp) {
        int16_order_tile(image_rows, rows.panel(rp), cols.panel(p), pairs, tile.data());
        const int rows_here = static_cast<int>(std::min<std::int64_t>(kCodeRows, q_count - rp * kCodeRows));
        for (int i = 0; i < rows_here; ++i) {
          const std::int64_t q = rp * kCodeRows + i;
          const std::int32_t* sums = tile.data() + i * kCodeCols;
          std::int64_t& limit = pass[static_cast<std::size_t>(q)];
          bool any = false;
          for (int j = 0; j < cols_here; ++j) any |= sums[j] <= limit;
          if (!any) continue;
          QueryBounds& b = mine[static_cast<std::size_t>(q)];
          const double eq = rows.residual[static_cast<std::size_t>(q)];
          for (int j = 0; j < cols_here; ++j) {
            if (sums[j] > limit) continue;
            const std::int64_t c = p * kCodeCols + j;
            const double a = step * std::sqrt(double(sums[j])), e = cols.residual[static_cast<std::size_t>(c)] + eq;
            if (static_cast<std::int64_t>(b.upper.size()) < k) {
              b.upper.push_back(a + e);
              std::push_heap(b.upper.begin(), b.upper.end());
            } else if (a + e < b.upper.front()) {
              std::pop_heap(b.upper.begin(), b.upper.end());
              b.upper.back() = a + e;
              std::push_heap(b.upper.begin(), b.upper.end());
            }
            const double cap = static_cast<std::int64_t>(b.upper.size()) < k ? std::numeric_limits<double>::infinity()
                                                                             : b.upper.front() * rounding;
            if (a - e <= cap) b.kept.emplace_back(a - e, c);
            if (std::isfinite(cap)) {
              // Keep only what may still pass; the cap only falls from here.
              if (static_cast<std::int64_t>(b.kept.size()) > 2 * k + kMaxSurvivors) {
                b.kept.erase(
                    std::remove_if(b.kept.begin(), b.kept.end(), [cap](const auto& x) { return x.first > cap; }),
                    b.kept.end());
                if (static_cast<std::int64_t>(b.kept.size()) > k + kMaxSurvivors) loose = true;
              }
              const double reach = (cap + widest + eq) / step;
              limit = static_cast<std::int64_t>(std::min(reach * reach * (1 + 1e-12) + 1, 4e18));
            }
          }
        }
      }
    }
  } catch (...) {
    loose = true;
#pragma omp critical(gxn_certified_failure)
    if (!failure) failure = std::current_exception();
  }
  if (failure) std::rethrow_exception(failure);
  if (loose) return std::nullopt;

  // Per query: the cap from every thread's upper bounds, the candidates under it rescored in fp32.
  std::atomic<bool> short_of_k{false};  // cannot happen (the k under the cap are kept); checked
  TopK result;
  result.queries = q_count;
  result.k = k;
  result.index.resize(static_cast<std::size_t>(q_count * k));
  result.score.resize(result.index.size());
#pragma omp parallel num_threads(threads)
  {
    std::vector<double> upper;
    std::vector<std::pair<float, std::int64_t>> scored;
#pragma omp for schedule(dynamic, 16)
    for (std::int64_t q = 0; q < q_count; ++q) try {
        upper.clear();
        for (const auto& per_thread : bounds)
          upper.insert(upper.end(), per_thread[static_cast<std::size_t>(q)].upper.begin(),
                       per_thread[static_cast<std::size_t>(q)].upper.end());
        std::nth_element(upper.begin(), upper.begin() + (k - 1), upper.end());
        const double cap = upper[static_cast<std::size_t>(k - 1)] * rounding;
        scored.clear();
        const float* query = queries.row(q);
        for (const auto& per_thread : bounds)
          for (const auto& [lower, c] : per_thread[static_cast<std::size_t>(q)].kept)
            if (lower <= cap) {
              const float* candidate = candidates.row(c);
              const float s = image_rows ? fp32_kernel_score(candidate, query, depth, scale_h, scale_l)
                                         : fp32_kernel_score(query, candidate, depth, scale_h, scale_l);
              scored.emplace_back(s, c);
            }
        if (static_cast<std::int64_t>(scored.size()) < k) {
          short_of_k = true;
          continue;
        }
        std::partial_sort(scored.begin(), scored.begin() + k, scored.end(), [](const auto& a, const auto& b) {
          return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
        for (std::int64_t i = 0; i < k; ++i) {
          result.index[static_cast<std::size_t>(q * k + i)] = scored[static_cast<std::size_t>(i)].second;
          result.score[static_cast<std::size_t>(q * k + i)] = scored[static_cast<std::size_t>(i)].first;
        }
      } catch (...) {
#pragma omp critical(gxn_certified_failure)
        if (!failure) failure = std::current_exception();
      }
  }
  if (failure) std::rethrow_exception(failure);
  if (short_of_k) return std::nullopt;
  return result;
}

}  // namespace gxn::detail
