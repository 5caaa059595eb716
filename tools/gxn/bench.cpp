// `gxn bench ...`: benchmarks that print measured figures (they never pass or fail on time).
//
//   gxn bench score --queries 1000 --candidates 5000 --dim 1024 --threads 2 [--isa auto] [--json]
//
// times the fused order-violation kernel (the full score matrix) against a naive LibTorch
// broadcast, (v.unsqueeze(0) - t.unsqueeze(1)).clamp_min(0).pow(2).sum(-1), in one process on
// the same random non-negative embeddings, checks that both agree, and reports throughput in
// G pair·dims/s (queries × candidates × floats per row, per second) and their ratio.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include <omp.h>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gxn/engine/search/score.hpp"
#include "gxn/error.hpp"

namespace {

struct ScoreBenchOptions {
  std::int64_t queries = 1000;
  std::int64_t candidates = 5000;
  std::int64_t dim = 1024;
  int threads = 0;
  std::string isa = "auto";
  int repeats = 5;
  std::int64_t naive_chunk = 0;  // queries per naive broadcast; 0: as many as fit kNaiveChunkFloats
  unsigned seed = 1;
  bool json = false;
};

// Default bound on the naive broadcast's temporaries (floats): 16 MiB. Small chunks are the
// fastest for LibTorch 1.13 (larger temporaries spill from cache and map fresh pages each time),
// so the comparison is against the naive code at its best.
constexpr std::int64_t kNaiveChunkFloats = std::int64_t{4} << 20;
// Largest relative disagreement accepted between the two implementations.
constexpr double kTolerance = 1e-4;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

gxn::Matrix random_embeddings(std::int64_t rows, std::int64_t cols, std::mt19937& rng) {
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  gxn::Matrix m(rows, cols);
  for (std::int64_t i = 0; i < rows * cols; ++i) m.data()[i] = unit(rng);
  return m;
}

void check_options(const ScoreBenchOptions& o) {
  if (o.queries < 1) throw gxn::Error(gxn::ErrorCode::InvalidArgument, "--queries: must be at least 1");
  if (o.candidates < 1) throw gxn::Error(gxn::ErrorCode::InvalidArgument, "--candidates: must be at least 1");
  if (o.dim < 2 || o.dim % 2 != 0)
    throw gxn::Error(
        gxn::ErrorCode::InvalidArgument,
        "--dim: floats per embedding row (x_h then x_l) must be even and at least 2, got " + std::to_string(o.dim));
  if (o.threads < 0) throw gxn::Error(gxn::ErrorCode::InvalidArgument, "--threads: must be 0 (all cores) or positive");
  if (o.repeats < 1) throw gxn::Error(gxn::ErrorCode::InvalidArgument, "--repeats: must be at least 1");
  if (o.naive_chunk < 0) throw gxn::Error(gxn::ErrorCode::InvalidArgument, "--naive-chunk: must not be negative");
}

void run_score_bench(const ScoreBenchOptions& o) {
  check_options(o);
  std::mt19937 rng(o.seed);
  const gxn::Matrix texts = random_embeddings(o.queries, o.dim, rng);      // queries: captions t
  const gxn::Matrix images = random_embeddings(o.candidates, o.dim, rng);  // candidates: images v

  // lambda = 0.5 weighs both halves alike, so s* = 0.5 · s over the whole row: the naive
  // formula, which knows nothing of halves, then computes 2 · s*.
  // Both implementations get the same threads: OpenMP's default unless --threads says.
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  gxn::ScoreOptions score_options;
  score_options.lambda = 0.5f;
  score_options.threads = threads;
  score_options.isa = gxn::parse_isa(o.isa.c_str());
  const gxn::OrderScorer scorer(score_options);

  gxn::Matrix fused(o.candidates, o.queries);                   // images × texts
  scorer.score_matrix(images, texts, fused.data(), o.queries);  // warm-up: page in, spin up threads
  double fused_seconds = 1e300;
  for (int r = 0; r < o.repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    scorer.score_matrix(images, texts, fused.data(), o.queries);
    fused_seconds = std::min(fused_seconds, seconds_since(start));
  }

  torch::NoGradGuard no_grad;
  torch::set_num_threads(threads);
  const torch::Tensor t = torch::from_blob(const_cast<float*>(texts.data()), {o.queries, o.dim});
  const torch::Tensor v = torch::from_blob(const_cast<float*>(images.data()), {o.candidates, o.dim});
  torch::Tensor naive = torch::empty({o.queries, o.candidates});
  const std::int64_t chunk =
      std::min(o.queries, o.naive_chunk > 0 ? o.naive_chunk
                                            : std::max<std::int64_t>(1, kNaiveChunkFloats / (o.candidates * o.dim)));
  const auto naive_start = std::chrono::steady_clock::now();
  for (std::int64_t q = 0; q < o.queries; q += chunk) {
    const torch::Tensor tq = t.slice(0, q, std::min(o.queries, q + chunk));
    naive.slice(0, q, q + tq.size(0)).copy_(-(v.unsqueeze(0) - tq.unsqueeze(1)).clamp_min(0).pow(2).sum(-1));
  }
  const double naive_seconds = seconds_since(naive_start);

  // Both must compute the same thing: relative error against the larger magnitude per pair,
  // with a floor so that scores near zero compare on the scale of the matrix.
  const float* n = naive.data_ptr<float>();
  double scale = 0.0;
  for (std::int64_t i = 0; i < o.queries * o.candidates; ++i) scale = std::max(scale, std::fabs(double(n[i])));
  double max_rel = 0.0;
  std::int64_t worst_q = 0, worst_c = 0;
  for (std::int64_t q = 0; q < o.queries; ++q)
    for (std::int64_t c = 0; c < o.candidates; ++c) {
      const double want = 0.5 * n[q * o.candidates + c];
      const double got = fused(c, q);
      const double rel = std::fabs(got - want) / std::max(std::fabs(want), 1e-3 * 0.5 * scale + 1e-30);
      if (!(rel <= max_rel)) {  // also catches NaN
        max_rel = std::isnan(rel) ? INFINITY : rel;
        worst_q = q;
        worst_c = c;
      }
    }
  if (!(max_rel <= kTolerance))
    throw gxn::Error(gxn::ErrorCode::Internal,
                     "bench score: the fused kernel (" + std::string(gxn::isa_name(scorer.isa())) +
                         ") disagrees with LibTorch: relative error " + std::to_string(max_rel) + " at query " +
                         std::to_string(worst_q) + ", candidate " + std::to_string(worst_c) + " (fused " +
                         std::to_string(fused(worst_c, worst_q)) + ", LibTorch/2 " +
                         std::to_string(0.5 * n[worst_q * o.candidates + worst_c]) + ")");

  const double pair_dims = double(o.queries) * double(o.candidates) * double(o.dim);
  const double fused_gpds = pair_dims / fused_seconds / 1e9;
  const double naive_gpds = pair_dims / naive_seconds / 1e9;
  if (o.json) {
    const nlohmann::json out = {{"bench", "score"},
                                {"queries", o.queries},
                                {"candidates", o.candidates},
                                {"dim", o.dim},
                                {"threads", threads},
                                {"isa", gxn::isa_name(scorer.isa())},
                                {"repeats", o.repeats},
                                {"fused_seconds", fused_seconds},
                                {"naive_seconds", naive_seconds},
                                {"fused_gpds", fused_gpds},
                                {"naive_gpds", naive_gpds},
                                {"ratio", fused_gpds / naive_gpds},
                                {"max_rel_error", max_rel},
                                {"torch_threads", torch::get_num_threads()},
                                {"naive_chunk", chunk}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("order-violation scores: %lld queries x %lld candidates x %lld floats per row, threads: %d\n",
                static_cast<long long>(o.queries), static_cast<long long>(o.candidates), static_cast<long long>(o.dim),
                threads);
    const std::string fused_name = std::string("fused (gxn, ") + gxn::isa_name(scorer.isa()) + ")";
    std::printf("  %-21s  %9.2f G pair-dims/s  %9.1f ms  (best of %d)\n", fused_name.c_str(), fused_gpds,
                fused_seconds * 1e3, o.repeats);
    std::printf("  naive (LibTorch)       %9.2f G pair-dims/s  %9.1f ms  (%lld queries per broadcast)\n", naive_gpds,
                naive_seconds * 1e3, static_cast<long long>(chunk));
    std::printf("  ratio                  %9.1f x\n", fused_gpds / naive_gpds);
    std::printf("  max relative error     %9.2e\n", max_rel);
  }
}

void add_bench(CLI::App& gxn) {
  CLI::App* bench = gxn.add_subcommand("bench", "Measure throughput (figures only, no pass/fail on time)");
  bench->require_subcommand(1);

  auto options = std::make_shared<ScoreBenchOptions>();
  CLI::App* score = bench->add_subcommand(
      "score", "Fused order-violation kernel vs a naive LibTorch broadcast, same inputs, one process");
  // A later occurrence overrides an earlier one, so wrapper scripts can put defaults first.
  score->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  score->add_option("--queries", options->queries, "Captions (rows t)")->capture_default_str();
  score->add_option("--candidates", options->candidates, "Images (rows v)")->capture_default_str();
  score->add_option("--dim", options->dim, "Floats per embedding row: x_h then x_l, so 2·D")->capture_default_str();
  score->add_option("--threads", options->threads, "Threads for both implementations (0: all cores)")
      ->capture_default_str();
  score->add_option("--isa", options->isa, "Kernel: auto, portable, avx2 or avx512")->capture_default_str();
  score->add_option("--repeats", options->repeats, "Timed runs of the fused kernel (the best counts)")
      ->capture_default_str();
  score
      ->add_option("--naive-chunk", options->naive_chunk,
                   "Queries per naive LibTorch broadcast (0: as many as keep a temporary within 16 MiB)")
      ->capture_default_str();
  score->add_option("--seed", options->seed, "Seed of the random embeddings")->capture_default_str();
  score->add_flag("--json", options->json, "Print JSON (keys fused_gpds, naive_gpds, ratio, ...)");
  score->callback([options] { run_score_bench(*options); });
  gxn::cli::add_train_benchmark(*bench);
}

}  // namespace

GXN_COMMAND(add_bench);
