// Recall of RetrievalIndex against brute-force s*, and its speed, on synthetic embeddings.
//
//   index_recall [n=50000] [dim=256] [queries=500] [k=10] [data=unit|raw] [seed=1]
//
// Data: n image rows and `queries` caption rows, all scattered around 1000 topic centres
// (about n/1000 images per topic). data=unit makes every part (x_h, x_l) non-negative with unit norm,
// as VSE-style order embeddings are; data=raw leaves them unnormalised (|N(centre, 0.5²)|),
// the hard case for an L2 shortlist. Prints recall@k (the fraction of the exact top-k found)
// for the flat and IVF shortlists at default settings and a few variations. Never fails on
// figures; it is a measurement.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gxn/engine/search/index.hpp"
#include "gxn/engine/search/score.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void make_data(gxn::Matrix& items, gxn::Matrix& queries, bool unit, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  const std::int64_t dim2 = items.cols(), topics = 1000;
  gxn::Matrix centres(topics, dim2);
  for (float* p = centres.data(); p != centres.data() + topics * dim2; ++p) *p = g(rng);
  std::uniform_int_distribution<std::int64_t> topic(0, topics - 1);
  for (std::int64_t r = 0; r < items.rows(); ++r) {
    const float* c = centres.row(topic(rng));
    for (std::int64_t d = 0; d < dim2; ++d) items(r, d) = std::fabs(c[d] + 0.5f * g(rng));
  }
  // A caption is another draw from an image's topic: dozens of images are about equally close,
  // and s* and L2 disagree on their order, which is what a shortlist must survive.
  for (std::int64_t r = 0; r < queries.rows(); ++r) {
    const float* c = centres.row(topic(rng));
    for (std::int64_t d = 0; d < dim2; ++d) queries(r, d) = std::fabs(c[d] + 0.5f * g(rng));
  }
  if (!unit) return;
  for (gxn::Matrix* m : {&items, &queries})
    for (std::int64_t r = 0; r < m->rows(); ++r)
      for (std::int64_t part = 0; part < 2; ++part) {
        float* x = m->row(r) + part * dim2 / 2;
        double norm = 0;
        for (std::int64_t d = 0; d < dim2 / 2; ++d) norm += double(x[d]) * x[d];
        const auto inv = static_cast<float>(1 / std::sqrt(norm));
        for (std::int64_t d = 0; d < dim2 / 2; ++d) x[d] *= inv;
      }
}

// The exact top-k ids per query, by the scorer over the full matrix, in blocks of queries.
std::vector<std::set<std::int64_t>> brute_force(const gxn::Matrix& items, const gxn::Matrix& queries, std::int64_t k,
                                                float lambda) {
  gxn::ScoreOptions options;
  options.lambda = lambda;
  const gxn::OrderScorer scorer(options);
  std::vector<std::set<std::int64_t>> truth(static_cast<std::size_t>(queries.rows()));
  const std::int64_t block = 64;
  for (std::int64_t first = 0; first < queries.rows(); first += block) {
    const std::int64_t count = std::min(block, queries.rows() - first);
    // images × texts: here the items are images and the queries captions.
    const gxn::Matrix s = scorer.score_matrix(items, gxn::MatrixView(queries.row(first), count, queries.cols()));
#pragma omp parallel for
    for (std::int64_t q = 0; q < count; ++q) {
      std::vector<std::pair<float, std::int64_t>> col(static_cast<std::size_t>(items.rows()));
      for (std::int64_t i = 0; i < items.rows(); ++i) col[static_cast<std::size_t>(i)] = {s(i, q), i};
      std::partial_sort(col.begin(), col.begin() + k, col.end(),
                        [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
      for (std::int64_t r = 0; r < k; ++r)
        truth[static_cast<std::size_t>(first + q)].insert(col[static_cast<std::size_t>(r)].second);
    }
  }
  return truth;
}

double recall(const gxn::TopK& top, const std::vector<std::set<std::int64_t>>& truth) {
  std::int64_t hits = 0;
  for (std::int64_t q = 0; q < top.queries; ++q)
    for (std::int64_t r = 0; r < top.k; ++r) hits += truth[static_cast<std::size_t>(q)].count(top.indices_of(q)[r]);
  return double(hits) / double(top.queries * top.k);
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> arg = {{"n", "50000"}, {"dim", "256"},   {"queries", "500"},
                                            {"k", "10"},    {"data", "unit"}, {"seed", "1"}};
  for (int i = 1; i < argc; ++i) {
    const char* eq = std::strchr(argv[i], '=');
    const std::string key = eq ? std::string(argv[i], static_cast<std::size_t>(eq - argv[i])) : "";
    if (!eq || !arg.count(key)) {
      std::fprintf(stderr, "usage: %s [n=N] [dim=D] [queries=Q] [k=K] [data=unit|raw] [seed=S]\n", argv[0]);
      return 2;
    }
    arg[key] = eq + 1;
  }
  const std::int64_t n = std::atoll(arg["n"].c_str()), dim = std::atoll(arg["dim"].c_str());
  const std::int64_t nq = std::atoll(arg["queries"].c_str()), k = std::atoll(arg["k"].c_str());
  const bool unit = arg["data"] == "unit";
  try {
    gxn::Matrix items(n, 2 * dim), queries(nq, 2 * dim);
    make_data(items, queries, unit, static_cast<unsigned>(std::atoi(arg["seed"].c_str())));
    std::printf("index_recall: n=%lld D=%lld queries=%lld k=%lld data=%s threads=%d\n", (long long)n, (long long)dim,
                (long long)nq, (long long)k, unit ? "unit" : "raw", omp_get_max_threads());
    auto t = Clock::now();
    const auto truth = brute_force(items, queries, k, 0.5f);
    std::printf("brute force: %.2f ms/query\n", 1e3 * seconds_since(t) / double(nq));

    for (auto kind : {gxn::ShortlistKind::Flat, gxn::ShortlistKind::Ivf}) {
      gxn::IndexOptions options;
      options.kind = kind;
      t = Clock::now();
      const auto index = gxn::RetrievalIndex::build(items, options);
      std::printf("%s: built in %.1f s%s\n", kind == gxn::ShortlistKind::Flat ? "flat" : "IVF", seconds_since(t),
                  kind == gxn::ShortlistKind::Ivf ? (" (nlist " + std::to_string(index.nlist()) + ")").c_str() : "");
      const std::int64_t default_nprobe = std::max<std::int64_t>(1, index.nlist() / 8);
      for (std::int64_t shortlist : {100, 1000}) {
        for (std::int64_t hubs : {-1, 0}) {
          std::vector<std::int64_t> nprobes = {default_nprobe};
          if (kind == gxn::ShortlistKind::Ivf) nprobes.push_back(std::max<std::int64_t>(1, index.nlist() / 2));
          for (std::int64_t nprobe : nprobes) {
            gxn::SearchOptions s;
            s.shortlist = shortlist, s.hubs = hubs, s.nprobe = nprobe;
            t = Clock::now();
            const gxn::TopK top = index.search(queries, k, s);
            const double ms = 1e3 * seconds_since(t) / double(nq);
            std::printf("  shortlist %5lld  hubs %-3s  nprobe %5lld  recall@%lld %.4f  %.2f ms/query\n",
                        (long long)shortlist, hubs < 0 ? "on" : "off",
                        (long long)(kind == gxn::ShortlistKind::Flat ? 0 : nprobe), (long long)k, recall(top, truth),
                        ms);
          }
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "index_recall: %s\n", e.what());
    return 1;
  }
  return 0;
}
