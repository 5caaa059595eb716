// Recall and speed of RetrievalIndex against gxn's exact fused search, in one run.
//
//   index_recall [n=50000] [dim=256] [queries=200] [k=10] [data=unit|raw] [seed=1]
//                [items=FILE.npy queries_file=FILE.npy] [nlist=0] [nprobe=1,2,4,8,16,32]
//                [index=FILE] [hnsw=M]
//
// Data: n image rows and `queries` caption rows scattered around 1000 topic centres (about
// n/1000 images per topic). data=unit makes every part (x_h, x_l) non-negative with unit norm, as
// VSE-style order embeddings are; data=raw leaves them unnormalised (|N(centre, 0.5²)|), the hard
// case for L2 lists. items= and queries_file= read (N, 2, D) embeddings files instead (e.g. what
// `gxn encode` writes). Prints the exact search's time, the IVF index's build time and memory,
// and for each nprobe the recall@k (fraction of the exact top-k found) and the time per query
// (best of five runs) with the speed-up over exact search. index=FILE saves the built index there, or loads it when
// the file exists (to measure search alone). hnsw=M also measures the structure the index did not
// take: FAISS HNSW (M links per node) over the λ-scaled rows as a shortlist, rescored exactly.
// Never fails on figures; it is a measurement.
#include <faiss/IndexHNSW.h>
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gxn/engine/cpu.hpp"
#include "gxn/engine/io/npy.hpp"
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
  // and s* and L2 disagree on their order, which is what the lists must survive.
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

double recall(const gxn::TopK& top, const gxn::TopK& exact) {
  std::int64_t hits = 0;
  for (std::int64_t q = 0; q < top.queries; ++q) {
    const std::set<std::int64_t> truth(exact.indices_of(q), exact.indices_of(q) + exact.k);
    for (std::int64_t r = 0; r < top.k; ++r) hits += truth.count(top.indices_of(q)[r]);
  }
  return double(hits) / double(top.queries * top.k);
}

std::vector<std::int64_t> numbers(const std::string& list) {
  std::vector<std::int64_t> out;
  for (std::size_t at = 0; at < list.size();) {
    const std::size_t comma = std::min(list.find(',', at), list.size());
    out.push_back(std::atoll(list.substr(at, comma - at).c_str()));
    at = comma + 1;
  }
  return out;
}

double peak_rss_gib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / (1 << 20);
}

// FAISS HNSW over the λ-scaled rows (λ = 0.5) as a shortlist of L2-near items, each rescored
// with the exact s*: recall and time per query (HNSW search and rescoring) against exact search.
void measure_hnsw(const gxn::Matrix& items, const gxn::Matrix& queries, std::int64_t k, int links,
                  const gxn::TopK& exact, double exact_ms) {
  const auto scale = static_cast<float>(std::sqrt(0.5));
  auto scaled = [scale](const gxn::Matrix& m) {
    std::vector<float> out(m.values());
    for (float& x : out) x *= scale;
    return out;
  };
  const std::vector<float> rows = scaled(items), asked = scaled(queries);
  const auto d = static_cast<int>(items.cols());
  faiss::IndexHNSWFlat hnsw(d, links);
  auto t = Clock::now();
  hnsw.add(items.rows(), rows.data());
  std::printf("HNSW (M %d, efConstruction %d): built in %.1f s\n", links, hnsw.hnsw.efConstruction, seconds_since(t));
  const gxn::OrderScorer scorer;
  for (std::int64_t shortlist : {100, 1000})
    for (int breadth : {1, 4}) {  // efSearch: the shortlist, or four times it
      hnsw.hnsw.efSearch = breadth * static_cast<int>(shortlist);
      std::vector<float> distances(static_cast<std::size_t>(queries.rows() * shortlist));
      std::vector<faiss::Index::idx_t> found(distances.size());
      t = Clock::now();
      hnsw.search(queries.rows(), asked.data(), shortlist, distances.data(), found.data());
      gxn::TopK top;
      top.queries = queries.rows();
      top.k = k;
      top.index.assign(static_cast<std::size_t>(queries.rows() * k), -1);
      top.score.assign(top.index.size(), 0.0f);
#pragma omp parallel for schedule(dynamic, 16)
      for (std::int64_t q = 0; q < queries.rows(); ++q) {
        std::vector<std::pair<float, std::int64_t>> scored;
        for (std::int64_t c = 0; c < shortlist; ++c) {
          const auto item = static_cast<std::int64_t>(found[static_cast<std::size_t>(q * shortlist + c)]);
          if (item >= 0) scored.emplace_back(scorer.score(queries.row(q), items.row(item), items.cols()), item);
        }
        const auto kept = std::min<std::size_t>(scored.size(), static_cast<std::size_t>(k));
        std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(kept), scored.end(),
                          [](const auto& a, const auto& b) {
                            return a.first > b.first || (a.first == b.first && a.second < b.second);
                          });
        for (std::size_t i = 0; i < kept; ++i) top.index[static_cast<std::size_t>(q * k) + i] = scored[i].second;
      }
      const double ms = 1e3 * seconds_since(t) / double(queries.rows());
      std::printf("  HNSW shortlist %5lld  efSearch %4d  recall@%lld %.4f  %.3f ms/query  %.1fx exact\n",
                  (long long)shortlist, hnsw.hnsw.efSearch, (long long)k, recall(top, exact), ms, exact_ms / ms);
    }
}

}  // namespace

int main(int argc, char** argv) {
  // FAISS's k-means runs on OpenBLAS: on the kernels it fell back to (see gxn/engine/cpu.hpp)
  // the build takes several times longer. Run again with the right ones, as `gxn` does.
  if (const char* core = gxn::recommended_blas_core(); core && !std::getenv("OPENBLAS_CORETYPE")) {
    setenv("OPENBLAS_CORETYPE", core, 1);
    execv("/proc/self/exe", argv);
  }
  std::map<std::string, std::string> arg = {
      {"n", "50000"}, {"dim", "256"}, {"queries", "200"},   {"k", "10"},    {"data", "unit"},
      {"seed", "1"},  {"items", ""},  {"queries_file", ""}, {"nlist", "0"}, {"nprobe", "1,2,4,8,16,32"},
      {"index", ""},  {"hnsw", "0"}};
  for (int i = 1; i < argc; ++i) {
    const char* eq = std::strchr(argv[i], '=');
    const std::string key = eq ? std::string(argv[i], static_cast<std::size_t>(eq - argv[i])) : "";
    if (!eq || !arg.count(key)) {
      std::fprintf(
          stderr,
          "usage: %s [n=N] [dim=D] [queries=Q] [k=K] [data=unit|raw] [seed=S] [items=F.npy queries_file=F.npy] "
          "[nlist=L] [nprobe=P1,P2,...] [index=FILE] [hnsw=M]\n",
          argv[0]);
      return 2;
    }
    arg[key] = eq + 1;
  }
  const std::int64_t k = std::atoll(arg["k"].c_str());
  try {
    gxn::Matrix items, queries;
    std::string data = arg["data"];
    if (!arg["items"].empty()) {
      items = gxn::read_embeddings(arg["items"]);
      queries = gxn::read_embeddings(arg["queries_file"]);
      const auto nq = std::min<std::int64_t>(queries.rows(), std::atoll(arg["queries"].c_str()));
      queries =
          gxn::Matrix(nq, queries.cols(), std::vector<float>(queries.data(), queries.data() + nq * queries.cols()));
      data = arg["items"];
    } else {
      const std::int64_t n = std::atoll(arg["n"].c_str()), dim = std::atoll(arg["dim"].c_str());
      items = gxn::Matrix(n, 2 * dim);
      queries = gxn::Matrix(std::atoll(arg["queries"].c_str()), 2 * dim);
      make_data(items, queries, data == "unit", static_cast<unsigned>(std::atoi(arg["seed"].c_str())));
    }
    const double rows_gib = double(items.rows()) * double(items.cols()) * 4 / (1 << 30);
    std::printf("index_recall: n=%lld D=%lld queries=%lld k=%lld data=%s threads=%d blas=%s\n", (long long)items.rows(),
                (long long)items.cols() / 2, (long long)queries.rows(), (long long)k, data.c_str(),
                omp_get_max_threads(), gxn::blas_core_name());

    gxn::ScoreOptions fp32;
    fp32.certified_int16 = false;
    auto t = Clock::now();
    const gxn::TopK exact = gxn::OrderScorer(fp32).top_images(queries, items, k);
    const double exact_ms = 1e3 * seconds_since(t) / double(queries.rows());
    std::printf("exact fused search (fp32): %.3f ms/query\n", exact_ms);
    t = Clock::now();
    const gxn::TopK certified = gxn::OrderScorer().top_images(queries, items, k);
    const double certified_ms = 1e3 * seconds_since(t) / double(queries.rows());
    std::printf("exact search, certified int16 pass%s: %.3f ms/query, %.2fx fp32, %s\n",
                gxn::has_avx512_vnni() ? "" : " (no VNNI here: fp32)", certified_ms, exact_ms / certified_ms,
                certified.index == exact.index && certified.score == exact.score ? "same top-k" : "DIFFERENT top-k");

    const std::string file = arg["index"];
    std::optional<gxn::RetrievalIndex> loaded;
    if (!file.empty() && std::filesystem::exists(file)) {
      loaded = gxn::RetrievalIndex::load(file);
      std::printf("IVF: loaded %s, nlist %lld\n", file.c_str(), (long long)loaded->nlist());
    } else {
      gxn::IndexOptions options;
      options.kind = gxn::ShortlistKind::Ivf;
      options.nlist = std::atoll(arg["nlist"].c_str());
      t = Clock::now();
      loaded = gxn::RetrievalIndex::build(items, options);
      std::printf("IVF: built in %.1f s, nlist %lld; memory %.3f GiB = %.3f x the rows (%.3f GiB); peak RSS %.2f GiB\n",
                  seconds_since(t), (long long)loaded->nlist(), double(loaded->memory_bytes()) / (1 << 30),
                  double(loaded->memory_bytes()) / (1 << 30) / rows_gib, rows_gib, peak_rss_gib());
      if (!file.empty()) {
        loaded->save(file);
        const double file_gib = double(std::filesystem::file_size(file)) / (1 << 30);
        std::printf("IVF: file %.3f GiB = %.3f x the rows\n", file_gib, file_gib / rows_gib);
      }
    }
    const gxn::RetrievalIndex& index = *loaded;
    const std::vector<std::int64_t> sizes = index.list_sizes();
    std::printf("IVF: list sizes %lld..%lld, mean %.0f\n", (long long)*std::min_element(sizes.begin(), sizes.end()),
                (long long)*std::max_element(sizes.begin(), sizes.end()), double(index.size()) / double(sizes.size()));
    for (std::int64_t hubs : {-1, 0})
      for (std::int64_t nprobe : numbers(arg["nprobe"])) {
        gxn::SearchOptions s;
        s.hubs = hubs, s.nprobe = nprobe;
        // The best of five runs: a search of a few lists takes milliseconds in all, and a pause
        // of the virtual machine's can double one run.
        gxn::TopK top;
        double ms = 1e300;
        for (int run = 0; run < 5; ++run) {
          t = Clock::now();
          top = index.search(queries, k, s);
          ms = std::min(ms, 1e3 * seconds_since(t) / double(queries.rows()));
        }
        std::printf("  nprobe %5lld  hubs %-4s  recall@%lld %.4f  %.3f ms/query  %.1fx exact\n", (long long)nprobe,
                    hubs < 0 ? "256" : "0", (long long)k, recall(top, exact), ms, exact_ms / ms);
      }
    if (const int links = std::atoi(arg["hnsw"].c_str()); links > 0)
      measure_hnsw(items, queries, k, links, exact, exact_ms);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "index_recall: %s\n", e.what());
    return 1;
  }
  return 0;
}
