// `gxn score`: the s* matrix of image embeddings against caption embeddings, written as an
// images × captions .npy (the layout `gxn eval --scores` reads).
#include <cstdio>
#include <string>

#include "command.hpp"
#include "gxn/engine/io/npy.hpp"
#include "gxn/engine/search/score.hpp"

namespace gxn::cli {
namespace {

struct ScoreArgs {
  std::string images, texts, out;
  float lambda = 0.5f;
  int threads = 0;
};

void run_score(const ScoreArgs& args) {
  const Matrix images = read_embeddings(args.images);
  const Matrix texts = read_embeddings(args.texts);
  if (images.cols() != texts.cols())
    throw Error(ErrorCode::Shape, args.images + " holds " + std::to_string(images.cols() / 2) + "-d embeddings but " +
                                      args.texts + " holds " + std::to_string(texts.cols() / 2) +
                                      "-d ones: both must come from the same model");
  check_finite(images, args.images.c_str());
  check_finite(texts, args.texts.c_str());
  ScoreOptions options;
  options.lambda = args.lambda;
  options.threads = args.threads;
  const Matrix scores = OrderScorer(options).score_matrix(images, texts);
  write_npy_matrix(args.out, scores);
}

void add_score(CLI::App& gxn) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd =
      gxn.add_subcommand("score", "Score image embeddings against caption embeddings (s*, images x captions)");
  cmd->add_option("--images", args->images, "Image embeddings, (N, 2, D) float32 .npy")->required();
  cmd->add_option("--texts", args->texts, "Caption embeddings, (M, 2, D) float32 .npy")->required();
  cmd->add_option("--out", args->out, "Where to write the N x M score matrix (.npy)")->required();
  cmd->add_option("--lambda", args->lambda, "Weight of the abstract part in s*, in [0, 1]")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 1.0f));
  cmd->add_option("--threads", args->threads, "Threads (0: all cores)")->capture_default_str();
  cmd->callback([args] { run_score(*args); });
}

}  // namespace

GXN_COMMAND(add_score);

}  // namespace gxn::cli
