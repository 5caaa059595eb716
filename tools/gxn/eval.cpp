// `gxn eval`: cross-modal retrieval metrics (VSE++ protocol) of an images × captions score
// matrix, as a table or as JSON.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "gxn/engine/metrics.hpp"
#include "gxn/engine/npy.hpp"

namespace gxn::cli {
namespace {

struct EvalArgs {
  // Scores source (one option group; sources that compute scores, e.g. from a model and a
  // dataset, join it and are dispatched in load_scores).
  std::string scores_path;
  // Evaluation and output.
  std::string protocol = "all";
  bool json = false;
};

Matrix load_scores(const EvalArgs& args) {
  if (args.scores_path.empty()) throw Error(ErrorCode::InvalidArgument, "eval: give the score matrix with --scores S.npy");
  Matrix scores = read_npy_matrix(args.scores_path);
  if (scores.rows() < 1 || scores.cols() != kCaptionsPerImage * scores.rows())
    throw Error(ErrorCode::Shape, args.scores_path + ": " + std::to_string(scores.rows()) + " images × " +
                                      std::to_string(scores.cols()) + " captions; eval needs " +
                                      std::to_string(kCaptionsPerImage) +
                                      " captions per image (rows are images, caption j belongs to image j/5)");
  check_finite(scores, args.scores_path.c_str());
  return scores;
}

nlohmann::ordered_json to_json(const RankSummary& s) {
  return {{"r1", s.r1}, {"r5", s.r5}, {"r10", s.r10}, {"medr", s.medr}, {"meanr", s.meanr}};
}

void print_table(const RetrievalMetrics& m, const Matrix& scores, EvalProtocol protocol) {
  std::printf("%lld images, %lld captions, protocol %s\n", static_cast<long long>(scores.rows()),
              static_cast<long long>(scores.cols()), protocol_name(protocol));
  std::printf("%-5s %7s %7s %7s %7s %7s\n", "", "R@1", "R@5", "R@10", "medr", "meanr");
  for (const auto& [name, s] : {std::pair{"i2t", m.i2t}, std::pair{"t2i", m.t2i}})
    std::printf("%-5s %7.2f %7.2f %7.2f %7.2f %7.2f\n", name, s.r1, s.r5, s.r10, s.medr, s.meanr);
  std::printf("%-5s %7.2f\n", "rsum", m.rsum);
}

void run_eval(const EvalArgs& args) {
  const EvalProtocol protocol = parse_protocol(args.protocol);
  const Matrix scores = load_scores(args);
  const RetrievalMetrics m = evaluate(scores, protocol);
  if (args.json) {
    const nlohmann::ordered_json out = {{"i2t", to_json(m.i2t)},       {"t2i", to_json(m.t2i)},   {"rsum", m.rsum},
                                {"protocol", args.protocol}, {"images", scores.rows()}, {"captions", scores.cols()}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    print_table(m, scores, protocol);
  }
}

void add_eval(CLI::App& gxn) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "eval", "Retrieval metrics (R@1/5/10, medr, meanr, rsum) of an images × captions score matrix, 5 captions per image");
  CLI::Option_group* source = cmd->add_option_group("Scores", "where the images × captions scores come from");
  source->add_option("--scores", args->scores_path,
                     "float32 .npy of shape (images, 5·images), higher = more similar; caption j belongs to image j/5");
  cmd->add_option("--protocol", args->protocol,
                  "all: the whole matrix; 1k5: COCO 1K, mean of five 1000-image folds; 5k: COCO 5K (both need 5000 images)")
      ->check(CLI::IsMember({"all", "1k5", "5k"}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "print JSON: {\"i2t\": {r1, r5, r10, medr, meanr}, \"t2i\": {...}, \"rsum\"}");
  cmd->callback([args] { run_eval(*args); });
}

}  // namespace

GXN_COMMAND(add_eval);

}  // namespace gxn::cli
