// `gxn index`: a persistent index of an image collection (or of captions) for a model: build
// it from files, add to it, remove from it, search it by text (or by image), say what it is.
// Items keep their file name (or caption) as payload; the file is written atomically, so an
// interrupted build or add leaves the previous file (or none) in place.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "encoder_args.hpp"
#include "gxn/engine/search/index.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "text_lines.hpp"

namespace gxn::cli {
namespace {

struct IndexArgs {
  EncoderArgs encoder;
  std::string index;     // the index file
  std::string images;    // a folder or a list file
  std::string captions;  // a captions file
  std::string kind = "auto";
  std::string text, image;  // search: the query
  std::vector<std::int64_t> ids;
  std::int64_t k = 10, shortlist = 0;
  bool json = false;
};

const char* side_name(IndexedSide side) { return side == IndexedSide::Images ? "images" : "captions"; }
const char* kind_name(ShortlistKind kind) { return kind == ShortlistKind::Ivf ? "ivf" : "flat"; }

// The items to index, encoded: image files (payload: the path) or captions (payload: the caption).
struct Items {
  Matrix rows;
  std::vector<std::string> payloads;
  IndexedSide side = IndexedSide::Images;
};

Items encode_items(const IndexArgs& args, const Encoder& encoder) {
  if (args.images.empty() == args.captions.empty())
    throw Error(ErrorCode::InvalidArgument, "index: give the items: --images DIR|LIST or --captions FILE (one of)");
  Items items;
  if (!args.images.empty()) {
    items.payloads = image_files_from(args.images);
    items.rows = encoder.encode_images(items.payloads);
  } else {
    items.payloads = read_captions_file(args.captions);
    items.rows = encoder.encode_texts(items.payloads);
    items.side = IndexedSide::Captions;
  }
  return items;
}

// The index at args.index, checked against the model: its rows must be this model's.
RetrievalIndex load_for(const IndexArgs& args, const Encoder& encoder) {
  RetrievalIndex index = RetrievalIndex::load(args.index);
  if (index.dim() != encoder.embed_dim())
    throw Error(ErrorCode::Shape, args.index + ": holds embeddings of dimension " + std::to_string(index.dim()) +
                                      ", but " + args.encoder.model + " makes " + std::to_string(encoder.embed_dim()) +
                                      ": use the model the index was built with");
  return index;
}

void run_build(const IndexArgs& args) {
  const Encoder encoder(args.encoder.model, args.encoder.options());
  const Items items = encode_items(args, encoder);
  IndexOptions options;
  options.lambda = static_cast<float>(encoder.lambda());
  options.side = items.side;
  options.kind = args.kind == "flat"  ? ShortlistKind::Flat
                 : args.kind == "ivf" ? ShortlistKind::Ivf
                                      : ShortlistKind::Auto;
  const RetrievalIndex index = RetrievalIndex::build(items.rows, {}, items.payloads, options);
  index.save(args.index);
  if (!args.encoder.quiet)
    std::printf("wrote %s: %lld %s (%s shortlist), lambda %.3g\n", args.index.c_str(),
                static_cast<long long>(index.size()), side_name(index.side()), kind_name(index.kind()), index.lambda());
}

void run_add(const IndexArgs& args) {
  const Encoder encoder(args.encoder.model, args.encoder.options());
  RetrievalIndex index = load_for(args, encoder);
  const Items items = encode_items(args, encoder);
  if (items.side != index.side())
    throw Error(ErrorCode::InvalidArgument, args.index + " indexes " + side_name(index.side()) + ": add " +
                                                (index.side() == IndexedSide::Images ? "--images" : "--captions"));
  const std::int64_t before = index.size();
  index.add(items.rows, {}, items.payloads);
  index.save(args.index);
  if (!args.encoder.quiet)
    std::printf("added %lld %s to %s (ids %lld..%lld): %lld in all\n", static_cast<long long>(index.size() - before),
                side_name(index.side()), args.index.c_str(), static_cast<long long>(index.ids()[before]),
                static_cast<long long>(index.ids().back()), static_cast<long long>(index.size()));
}

void run_remove(const IndexArgs& args) {
  RetrievalIndex index = RetrievalIndex::load(args.index);
  const std::int64_t before = index.size();
  index.remove(args.ids);
  index.save(args.index);
  std::printf("removed %lld items from %s: %lld left\n", static_cast<long long>(before - index.size()),
              args.index.c_str(), static_cast<long long>(index.size()));
}

void run_search(const IndexArgs& args) {
  const bool text_query = !args.text.empty();
  if (text_query == !args.image.empty())
    throw Error(ErrorCode::InvalidArgument, "index search: give the query: --text \"...\" or --image FILE (one of)");
  if (text_query && tokenize(args.text).empty()) throw Error(ErrorCode::InvalidArgument, "--text: no word");
  const Encoder encoder(args.encoder.model, args.encoder.options());
  const RetrievalIndex index = load_for(args, encoder);
  if (text_query != (index.side() == IndexedSide::Images))
    throw Error(ErrorCode::InvalidArgument, args.index + " indexes " + side_name(index.side()) + ": search it with " +
                                                (index.side() == IndexedSide::Images ? "--text" : "--image"));
  const Matrix query = encode_query(encoder, text_query, args.text, args.image);
  SearchOptions options;
  options.shortlist = args.shortlist;
  const TopK top = index.search(query, args.k, options);
  const char* field = text_query ? "image" : "caption";
  if (args.json) {
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (std::int64_t r = 0; r < top.k; ++r) {
      const std::int64_t id = top.indices_of(0)[r];
      if (id < 0) break;
      results.push_back({{"rank", r + 1}, {"score", top.scores_of(0)[r]}, {field, index.payload(id)}, {"id", id}});
    }
    const nlohmann::ordered_json out = {
        {"query", {{text_query ? "text" : "image", text_query ? args.text : args.image}}},
        {"index", args.index},
        {"items", index.size()},
        {"results", results}};
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("%s query: %s\n", text_query ? "text" : "image", text_query ? args.text.c_str() : args.image.c_str());
  std::printf("%4s %10s %8s  %s\n", "rank", "score", "id", field);
  for (std::int64_t r = 0; r < top.k; ++r) {
    const std::int64_t id = top.indices_of(0)[r];
    if (id < 0) break;
    std::printf("%4lld %10.4f %8lld  %s\n", static_cast<long long>(r + 1), top.scores_of(0)[r],
                static_cast<long long>(id), index.payload(id).c_str());
  }
}

void run_info(const IndexArgs& args) {
  const RetrievalIndex index = RetrievalIndex::load(args.index);
  const nlohmann::ordered_json info = {
      {"index", args.index},      {"items", index.size()},           {"side", side_name(index.side())},
      {"embed_dim", index.dim()}, {"lambda", index.lambda()},        {"shortlist", kind_name(index.kind())},
      {"nlist", index.nlist()},   {"payloads", index.has_payloads()}};
  if (args.json) {
    std::printf("%s\n", info.dump(2).c_str());
    return;
  }
  std::printf("%s: %lld %s, D = %lld, lambda %.3g, %s shortlist%s, %s\n", args.index.c_str(),
              static_cast<long long>(index.size()), side_name(index.side()), static_cast<long long>(index.dim()),
              index.lambda(), kind_name(index.kind()),
              index.kind() == ShortlistKind::Ivf ? (" (" + std::to_string(index.nlist()) + " lists)").c_str() : "",
              index.has_payloads() ? "with payloads" : "no payloads");
}

void add_items_options(CLI::App* cmd, IndexArgs& args) {
  CLI::Option_group* items = cmd->add_option_group("Items", "what to index (one of)");
  items->add_option("--images", args.images,
                    "a folder (its .jpg/.jpeg/.png/.bmp/.gif files, by name) or a text file of image paths, one per "
                    "line; each item's payload is its path");
  items->add_option("--captions", args.captions, "a text file of captions, one per line (payload: the caption)");
  items->require_option(1);
}

void add_index(CLI::App& gxn) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* index = gxn.add_subcommand(
      "index", "A persistent index of images (or captions) for a model: build, add, remove, search, info");
  index->require_subcommand(1);

  CLI::App* build = index->add_subcommand("build", "Encode images (or captions) with a model and index them");
  add_encoder_options(build, args->encoder);
  add_items_options(build, *args);
  build->add_option("--out", args->index, "the index file to write")->required();
  build
      ->add_option("--kind", args->kind, "flat (exact search), ivf (inverted lists), or auto (flat below 50,000 items)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "flat", "ivf"}));
  build->callback([args] { run_build(*args); });

  CLI::App* add = index->add_subcommand("add", "Encode more images (or captions) and add them to an index");
  add_encoder_options(add, args->encoder);
  add_items_options(add, *args);
  add->add_option("--index", args->index, "the index file (rewritten atomically)")->required();
  add->callback([args] { run_add(*args); });

  CLI::App* remove = index->add_subcommand("remove", "Remove items from an index by id");
  remove->add_option("--index", args->index, "the index file (rewritten atomically)")->required();
  remove->add_option("--ids", args->ids, "the ids to remove")->required()->delimiter(',');
  remove->callback([args] { run_remove(*args); });

  CLI::App* search = index->add_subcommand(
      "search", "The best items of an index for a caption (an image index) or for an image (a caption index)");
  add_encoder_options(search, args->encoder);
  search->add_option("--index", args->index, "the index file")->required();
  CLI::Option_group* query = search->add_option_group("Query", "what to search for (one of)");
  query->add_option("--text", args->text, "a caption: find the images it describes");
  query->add_option("--image", args->image, "an image file: find the captions that describe it");
  query->require_option(1);
  search->add_option("-k", args->k, "how many results")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
  search
      ->add_option("--shortlist", args->shortlist,
                   "IVF: visit lists until they hold this many items (0: the default lists only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  search->add_flag("--json", args->json,
                   "print JSON: {\"query\", \"index\", \"items\", \"results\": [{\"rank\", \"score\", "
                   "\"image\"|\"caption\", \"id\"}]}");
  search->callback([args] { run_search(*args); });

  CLI::App* info = index->add_subcommand("info", "What an index file holds");
  info->add_option("--index", args->index, "the index file")->required();
  info->add_flag("--json", args->json, "print JSON");
  info->callback([args] { run_info(*args); });
}

}  // namespace

GXN_COMMAND(add_index);

}  // namespace gxn::cli
