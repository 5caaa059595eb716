// `gxn encode`: images, captions or precomputed features through a model, to an (N, 2, D)
// embeddings file (npy.hpp) that gxn eval/search, RetrievalIndex and numpy read.
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "encoder_args.hpp"
#include "gxn/engine/io/npy.hpp"
#include "text_lines.hpp"

namespace gxn::cli {
namespace {

struct EncodeArgs {
  EncoderArgs encoder;
  std::string images;    // a folder or a list file
  std::string texts;     // one caption per line
  std::string features;  // .npy of (N, D) or (N, R, D)
  std::string out;
  std::string names;  // optional: the row names, one per line
};

void run_encode(const EncodeArgs& args) {
  const Encoder encoder(args.encoder.model, args.encoder.options());
  Matrix rows;
  std::vector<std::string> names;
  const char* kind = "";
  if (!args.images.empty()) {
    names = image_files_from(args.images);
    rows = encoder.encode_images(names);
    kind = "image";
  } else if (!args.texts.empty()) {
    names = read_captions_file(args.texts);
    rows = encoder.encode_texts(names);
    kind = "caption";
  } else {
    const NpyArray array = read_npy(args.features);
    const MatrixView features = feature_rows(array, args.features);
    try {
      rows = encoder.encode_features(features);
    } catch (const Error& e) {
      throw Error(e.code(), args.features + ": " + e.what());
    }
    for (std::int64_t i = 0; i < features.rows; ++i) names.push_back(std::to_string(i));
    kind = "feature row";
  }
  write_embeddings(args.out, rows);
  if (!args.names.empty()) write_lines(args.names, names);
  if (!args.encoder.quiet)
    std::printf("wrote %lld %s embeddings, shape (%lld, 2, %lld), to %s%s%s\n", static_cast<long long>(rows.rows()),
                kind, static_cast<long long>(rows.rows()), static_cast<long long>(encoder.embed_dim()),
                args.out.c_str(), args.names.empty() ? "" : "; row names to ", args.names.c_str());
}

void add_encode(CLI::App& gxn) {
  auto args = std::make_shared<EncodeArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "encode",
      "Encode images, captions or precomputed features with a model into an (N, 2, D) float32 .npy: row n holds "
      "(x_h, x_l). Rows follow the input: a folder's image files sorted by name, a list file's or captions file's "
      "lines, a features file's rows");
  add_encoder_options(cmd, args->encoder);
  CLI::Option_group* input = cmd->add_option_group("Input", "what to encode (one of)");
  input->add_option("--images", args->images,
                    "a folder (its .jpg/.jpeg/.png/.bmp/.gif files, by name) or a text file of image paths, one per "
                    "line (relative to the file's folder)");
  input->add_option("--texts", args->texts, "a text file of captions, one per line");
  input->add_option("--features", args->features,
                    ".npy of precomputed features, (N, D) or (N, R, D), for a model with the precomp backbone");
  input->require_option(1);
  cmd->add_option("--out", args->out, "the embeddings file to write (.npy)")->required();
  cmd->add_option("--names", args->names,
                  "also write the rows' names, one per line: image paths, captions, or row numbers");
  cmd->callback([args] { run_encode(*args); });
}

}  // namespace

GXN_COMMAND(add_encode);

}  // namespace gxn::cli
