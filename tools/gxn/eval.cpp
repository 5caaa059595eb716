// `gxn eval`: cross-modal retrieval metrics (VSE++ protocol), as a table or as JSON, of an
// images × captions score matrix or of a model on a dataset split; for the latter, optionally an
// HTML report with example queries.
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "encoder_args.hpp"
#include "eval_output.hpp"
#include "gxn/engine/io/npy.hpp"
#include "gxn/engine/metrics/metrics.hpp"

namespace gxn::cli {
namespace {

struct EvalArgs {
  // Scores source (one option group): a score matrix, or a model and a dataset split.
  std::string scores_path;
  EncoderArgs encoder;  // encoder.model: the model file
  std::string data;
  std::string split = "test";
  std::string image_dir;
  // Evaluation and output.
  std::string protocol = "all";
  bool json = false;
  bool captions = false;  // also caption the images (a model with a decoder) and score the captions
  bool imagine = false;   // also imagine images for captions (a model with a generator, shapes data)
  std::int64_t beam = 0;  // with captions: beam search with this many beams; 0: greedy
  std::string report;
  std::int64_t report_queries = 6;
};

Matrix load_scores(const EvalArgs& args) {
  Matrix scores = read_npy_matrix(args.scores_path);
  if (scores.rows() < 1 || scores.cols() != kCaptionsPerImage * scores.rows())
    throw Error(ErrorCode::Shape, args.scores_path + ": " + std::to_string(scores.rows()) + " images × " +
                                      std::to_string(scores.cols()) + " captions; eval needs " +
                                      std::to_string(kCaptionsPerImage) +
                                      " captions per image (rows are images, caption j belongs to image j/5)");
  check_finite(scores, args.scores_path.c_str());
  return scores;
}

void print_metrics(const RetrievalMetrics& m, std::int64_t images, std::int64_t captions, const EvalArgs& args) {
  if (args.json)
    std::printf("%s\n", metrics_json(m, args.protocol, images, captions).dump(2).c_str());
  else
    print_metrics_table(m, args.protocol, images, captions);
}

void run_eval(const EvalArgs& args) {
  const EvalProtocol protocol = parse_protocol(args.protocol);
  if (args.scores_path.empty() == args.encoder.model.empty())
    throw Error(ErrorCode::InvalidArgument,
                "eval: give either the score matrix (--scores S.npy) or a model and data (--model M --data DIR)");
  if (!args.scores_path.empty()) {
    if (!args.data.empty() || !args.report.empty() || args.captions || args.imagine)
      throw Error(ErrorCode::InvalidArgument,
                  "eval: --data, --captions, --imagine and --report go with --model, not --scores");
    const Matrix scores = load_scores(args);
    print_metrics(evaluate(scores, protocol), scores.rows(), scores.cols(), args);
    return;
  }
  if (args.data.empty()) throw Error(ErrorCode::InvalidArgument, "eval: --model needs --data DIR (and --split)");
  // Read the split first: a bad dataset fails before the model is loaded.
  EvaluationSplit data = read_evaluation_split(args.data, args.split, args.image_dir);
  if (!args.report.empty() && data.precomputed)
    throw Error(ErrorCode::InvalidArgument, "--report: " + data.source +
                                                " holds precomputed features; a report shows images, so it needs a "
                                                "dataset of image files");
  const Encoder encoder(args.encoder.model, args.encoder.options());
  const EncodedSplit split = encode_split(encoder, std::move(data));
  const RetrievalMetrics m = evaluate_embeddings(split.images, split.texts, encoder.score_options(), protocol);
  if (args.captions && !encoder.can_caption())
    throw Error(ErrorCode::InvalidArgument,
                "--captions: " + args.encoder.model + " has no caption decoder (train it with the i2t path)");
  if (args.imagine && !encoder.can_imagine())
    throw Error(ErrorCode::InvalidArgument,
                "--imagine: " + args.encoder.model + " has no image generator (train it with the t2i path)");
  if (args.beam > 0 && !args.captions)
    throw Error(ErrorCode::InvalidArgument, "--beam: it decodes the captions of --captions, which was not given");
  const GenerationMeasures generation = measure_generation(encoder, split.data, args.captions, args.imagine, args.beam);
  if (args.imagine && !generation.imagined)
    throw Error(ErrorCode::InvalidArgument, "--imagine: " + split.data.source +
                                                " is not shapes data (imagined images are read against the shapes "
                                                "the captions name)");
  if (args.json) {
    auto j = metrics_json(m, args.protocol, split.images.rows(), split.texts.rows());
    const auto generated = generation_json(generation);
    for (const auto& [key, value] : generated.items()) j[key] = value;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    print_metrics_table(m, args.protocol, split.images.rows(), split.texts.rows());
    print_generation(generation);
  }
  if (args.report.empty()) return;
  write_retrieval_report(args.report, model_report(encoder, split, m, args.protocol, args.encoder.model, args.data,
                                                   args.split, args.report_queries, generation));
  if (!args.json && !args.encoder.quiet) std::printf("report: %s\n", args.report.c_str());
}

void add_eval(CLI::App& gxn) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "eval",
      "Retrieval metrics (R@1/5/10, medr, meanr, rsum), 5 captions per image: of an images × captions score "
      "matrix, or of a model on a dataset split");
  CLI::Option_group* source = cmd->add_option_group("Scores", "where the images × captions scores come from (one of)");
  source->add_option("--scores", args->scores_path,
                     "float32 .npy of shape (images, 5·images), higher = more similar; caption j belongs to image j/5");
  source->add_option("--model", args->encoder.model, "a model file (.gxn): encode --data's split and score it with s*");
  cmd->add_option("--data", args->data,
                  "with --model: a dataset folder, either DIR/dataset.json with images (Karpathy style, as gxn data "
                  "shapes writes) or DIR/{split}_ims.npy + DIR/{split}_caps.txt (precomputed features)");
  cmd->add_option("--split", args->split, "with --data: the split to evaluate")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "val", "test"}));
  cmd->add_option("--image-dir", args->image_dir, "with a dataset.json: the image folder (default DIR/images)");
  add_encoder_options(cmd, args->encoder, /*model_option=*/false);
  cmd->add_option(
         "--protocol", args->protocol,
         "all: the whole matrix; 1k5: COCO 1K, mean of five 1000-image folds; 5k: COCO 5K (both need 5000 images)")
      ->check(CLI::IsMember({"all", "1k5", "5k"}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json,
                "print JSON: {\"i2t\": {r1, r5, r10, medr, meanr}, \"t2i\": {...}, \"rsum\", \"protocol\", \"images\", "
                "\"captions\"}");
  cmd->add_flag("--captions", args->captions,
                "with --model (trained with the i2t path): also caption every image (greedily, or --beam) and print "
                "BLEU-1..4 and CIDEr-D against the split's captions, how many captions differ, and on shapes data the "
                "precision, recall and F1 of the shapes they state (JSON: member \"captioning\")");
  cmd->add_option("--beam", args->beam, "with --captions: beam search with this many beams instead of greedy decoding")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100}));
  cmd->add_flag("--imagine", args->imagine,
                "with --model (trained with the t2i path) on shapes data: also imagine 4 images for each of 100 "
                "captions and print how often the named colour is at the named place and other places stay "
                "background (JSON: member \"imagining\")");
  cmd->add_option("--report", args->report,
                  "with --model and a dataset of images: also write an HTML report (metrics and example queries "
                  "with contact sheets) to this file, its images beside it in <name>_files/");
  cmd->add_option("--report-queries", args->report_queries, "example queries per direction in the report")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
  cmd->callback([args] { run_eval(*args); });
}

}  // namespace

GXN_COMMAND(add_eval);

}  // namespace gxn::cli
