// `gxn search`: the best images for a caption, or the best captions for an image, by the
// model's s*. Candidates are encoded on the spot (a folder, a list, a captions file) or read
// from an embeddings file that `gxn encode --names` wrote with its row names.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "encoder_args.hpp"
#include "gxn/engine/io/npy.hpp"
#include "gxn/engine/search/score.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "text_lines.hpp"

namespace gxn::cli {
namespace {

struct SearchArgs {
  EncoderArgs encoder;
  // The query (one of).
  std::string text;
  std::string image;
  bool text_query = false;  // --text was given (its value may be empty)
  // The candidates (one of): encoded now, or read from `gxn encode` output.
  std::string images;    // folder or list, for a text query
  std::string captions;  // captions file, for an image query
  std::string embeddings;
  std::string names;
  std::int64_t k = 10;
  bool json = false;
};

struct Candidates {
  Matrix rows;
  std::vector<std::string> names;
};

Candidates read_candidates(const SearchArgs& args, const Encoder& encoder) {
  if (args.names.empty())
    throw Error(ErrorCode::InvalidArgument,
                "search: --embeddings needs --names (the rows' names, from gxn encode --names)");
  Candidates c{read_embeddings(args.embeddings), read_lines(args.names, "row name")};
  if (c.rows.cols() != 2 * encoder.embed_dim())
    throw Error(ErrorCode::Shape, args.embeddings + ": embeddings of dimension " + std::to_string(c.rows.cols() / 2) +
                                      ", but " + args.encoder.model + " makes " + std::to_string(encoder.embed_dim()));
  if (static_cast<std::int64_t>(c.names.size()) != c.rows.rows())
    throw Error(ErrorCode::Shape, args.names + ": " + std::to_string(c.names.size()) + " names for the " +
                                      std::to_string(c.rows.rows()) + " rows of " + args.embeddings);
  check_finite(c.rows, args.embeddings.c_str());
  return c;
}

void run_search(const SearchArgs& args) {
  const bool text_query = args.text_query;
  if (text_query && !args.captions.empty())
    throw Error(ErrorCode::InvalidArgument,
                "search: a --text query searches images (--images or --embeddings), not --captions");
  if (!text_query && !args.images.empty())
    throw Error(ErrorCode::InvalidArgument,
                "search: an --image query searches captions (--captions or --embeddings), not --images");
  if (args.embeddings.empty() && (text_query ? args.images.empty() : args.captions.empty()))
    throw Error(ErrorCode::InvalidArgument, std::string("search: give the candidates: ") +
                                                (text_query ? "--images DIR|LIST" : "--captions FILE") +
                                                " or --embeddings E.npy --names N.txt");
  if (text_query && tokenize(args.text).empty())
    throw Error(ErrorCode::InvalidArgument, "--text: the caption has no word");
  const Encoder encoder(args.encoder.model, args.encoder.options());

  const Matrix query = encode_query(encoder, text_query, args.text, args.image);
  Candidates candidates;
  if (!args.embeddings.empty()) {
    candidates = read_candidates(args, encoder);
  } else if (text_query) {
    candidates.names = image_files_from(args.images);
    candidates.rows = encoder.encode_images(candidates.names);
  } else {
    candidates.names = read_captions_file(args.captions);
    candidates.rows = encoder.encode_texts(candidates.names);
  }

  const OrderScorer scorer(encoder.score_options());
  const TopK top =
      text_query ? scorer.top_images(query, candidates.rows, args.k) : scorer.top_texts(query, candidates.rows, args.k);
  const char* field = text_query ? "image" : "caption";
  if (args.json) {
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (std::int64_t r = 0; r < top.k; ++r)
      results.push_back({{"rank", r + 1},
                         {"score", top.scores_of(0)[r]},
                         {field, candidates.names[static_cast<std::size_t>(top.indices_of(0)[r])]},
                         {"row", top.indices_of(0)[r]}});
    const nlohmann::ordered_json out = {
        {"query", {{text_query ? "text" : "image", text_query ? args.text : args.image}}},
        {"candidates", candidates.rows.rows()},
        {"lambda", encoder.lambda()},
        {"results", results}};
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("%s query: %s\n", text_query ? "text" : "image", text_query ? args.text.c_str() : args.image.c_str());
  std::printf("%4s %10s  %s\n", "rank", "score", field);
  for (std::int64_t r = 0; r < top.k; ++r)
    std::printf("%4lld %10.4f  %s\n", static_cast<long long>(r + 1), top.scores_of(0)[r],
                candidates.names[static_cast<std::size_t>(top.indices_of(0)[r])].c_str());
}

void add_search(CLI::App& gxn) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "search",
      "The best images for a caption (--text with --images) or the best captions for an image (--image with "
      "--captions), by the model's s* (higher is better, 0 is a perfect match)");
  add_encoder_options(cmd, args->encoder);
  CLI::Option_group* query = cmd->add_option_group("Query", "what to search for (one of)");
  CLI::Option* text = query->add_option("--text", args->text, "a caption: find the images it describes");
  query->add_option("--image", args->image, "an image file: find the captions that describe it");
  query->require_option(1);
  CLI::Option_group* among = cmd->add_option_group("Candidates", "what to search among");
  among->add_option("--images", args->images,
                    "for --text: a folder of images (by name) or a text file of image paths, one per line");
  among->add_option("--captions", args->captions, "for --image: a text file of captions, one per line");
  among->add_option("--embeddings", args->embeddings,
                    "instead: an (N, 2, D) embeddings file from gxn encode with this model (images for --text, "
                    "captions for --image)");
  among->add_option("--names", args->names, "with --embeddings: its row names, one per line (gxn encode --names)");
  cmd->add_option("-k", args->k, "how many results")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000}));
  cmd->add_flag("--json", args->json,
                "print JSON: {\"query\", \"candidates\", \"lambda\", \"results\": [{\"rank\", \"score\", "
                "\"image\"|\"caption\", \"row\"}]}");
  cmd->callback([args, text] {
    args->text_query = text->count() > 0;
    run_search(*args);
  });
}

}  // namespace

GXN_COMMAND(add_search);

}  // namespace gxn::cli
