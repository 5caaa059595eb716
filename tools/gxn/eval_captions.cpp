// `gxn eval-captions`: corpus BLEU-1..4 and CIDEr-D of captions against references, read from
// two JSON files (R: id -> [reference, ...], H: id -> hypothesis), as a table or as JSON.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "eval_output.hpp"
#include "gxn/engine/data/shape_captions.hpp"
#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/metrics/caption_metrics.hpp"
#include "gxn/error.hpp"

namespace gxn::cli {
namespace {

struct EvalCaptionsArgs {
  std::string refs;
  std::string hyps;
  bool json = false;
};

// The top-level JSON object of `path`; gxn::Error(Format) naming the file otherwise.
nlohmann::json read_json_object(const std::string& path, const char* holds) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number past double's range
    throw Error(ErrorCode::Format, path + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object())
    throw Error(ErrorCode::Format,
                path + ": expected a JSON object mapping each id to " + holds + ", found " + j.type_name());
  return j;
}

std::string id_at(const std::string& path, const std::string& id) { return path + ": id '" + id + "'"; }

struct CaptionPairs {
  std::vector<Tokens> hypotheses;
  std::vector<std::vector<Tokens>> references;
  std::size_t reference_count = 0;
  std::vector<std::string> hypothesis_texts;
  std::vector<std::vector<std::string>> reference_texts;
};

// Pairs every hypothesis with its references by id; every id must be in both files.
CaptionPairs read_caption_pairs(const std::string& refs_path, const std::string& hyps_path) {
  const nlohmann::json refs = read_json_object(refs_path, "a list of reference captions");
  const nlohmann::json hyps = read_json_object(hyps_path, "one hypothesis caption");
  for (const auto& [id, value] : refs.items())
    if (!hyps.contains(id))
      throw Error(ErrorCode::InvalidArgument, id_at(refs_path, id) + " has no hypothesis in " + hyps_path);
  CaptionPairs pairs;
  for (const auto& [id, hypothesis] : hyps.items()) {
    const auto found = refs.find(id);
    if (found == refs.end())
      throw Error(ErrorCode::InvalidArgument, id_at(hyps_path, id) + " has no references in " + refs_path);
    if (!hypothesis.is_string())
      throw Error(ErrorCode::Format,
                  id_at(hyps_path, id) + ": the hypothesis must be a string, found " + hypothesis.type_name());
    if (!found->is_array())
      throw Error(ErrorCode::Format,
                  id_at(refs_path, id) + ": expected a list of reference strings, found " + found->type_name());
    if (found->empty()) throw Error(ErrorCode::InvalidArgument, id_at(refs_path, id) + " has an empty reference list");
    std::vector<Tokens> references;
    std::vector<std::string> reference_texts;
    for (std::size_t k = 0; k < found->size(); ++k) {
      const nlohmann::json& reference = (*found)[k];
      if (!reference.is_string())
        throw Error(ErrorCode::Format, id_at(refs_path, id) + ": reference " + std::to_string(k) +
                                           " must be a string, found " + reference.type_name());
      references.push_back(caption_metric_tokens(reference.get_ref<const std::string&>()));
      reference_texts.push_back(reference.get<std::string>());
    }
    pairs.reference_count += references.size();
    pairs.hypotheses.push_back(caption_metric_tokens(hypothesis.get_ref<const std::string&>()));
    pairs.references.push_back(std::move(references));
    pairs.hypothesis_texts.push_back(hypothesis.get<std::string>());
    pairs.reference_texts.push_back(std::move(reference_texts));
  }
  if (pairs.hypotheses.empty())
    throw Error(ErrorCode::InvalidArgument, hyps_path + " and " + refs_path + " hold no captions to evaluate");
  return pairs;
}

// On shapes captions (every id's references describe one scene): the shapes the hypotheses state.
std::optional<ShapeStatementScore> shape_statements(const CaptionPairs& pairs) {
  ShapeStatementScore score;
  for (std::size_t i = 0; i < pairs.hypothesis_texts.size(); ++i) {
    const auto scene = scene_from_references(pairs.reference_texts[i]);
    if (!scene) return std::nullopt;
    add_caption(score, parse_shape_caption(pairs.hypothesis_texts[i]), *scene);
  }
  return score;
}

void run_eval_captions(const EvalCaptionsArgs& args) {
  const CaptionPairs pairs = read_caption_pairs(args.refs, args.hyps);
  const CaptionMetrics m = evaluate_captions(pairs.hypotheses, pairs.references);
  const std::optional<ShapeStatementScore> shapes = shape_statements(pairs);
  if (args.json) {
    auto j = caption_metrics_json(m);
    if (shapes) j["shapes"] = {{"precision", shapes->precision()}, {"recall", shapes->recall()}, {"f1", shapes->f1()}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  print_caption_metrics_table(m, static_cast<std::int64_t>(pairs.hypotheses.size()),
                              static_cast<std::int64_t>(pairs.reference_count));
  if (shapes)
    std::printf("shapes the captions state: precision %.3f, recall %.3f, F1 %.3f\n", shapes->precision(),
                shapes->recall(), shapes->f1());
}

void add_eval_captions(CLI::App& gxn) {
  auto args = std::make_shared<EvalCaptionsArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "eval-captions",
      "Caption metrics (corpus BLEU-1..4 and CIDEr-D, as coco-caption computes them) of hypotheses against "
      "references; sentences are tokenized as gxn tokenizes captions, lowercased, punctuation dropped");
  cmd->add_option("--refs", args->refs, "JSON object: id -> list of reference captions (strings)")->required();
  cmd->add_option("--hyps", args->hyps, "JSON object: id -> one hypothesis caption (string); the same ids as --refs")
      ->required();
  cmd->add_flag("--json", args->json,
                "print one JSON object: {\"bleu1\", \"bleu2\", \"bleu3\", \"bleu4\", \"cider\"} (and \"shapes\": "
                "{precision, recall, f1} when the references are shapes captions)");
  cmd->callback([args] { run_eval_captions(*args); });
}

}  // namespace

GXN_COMMAND(add_eval_captions);

}  // namespace gxn::cli
