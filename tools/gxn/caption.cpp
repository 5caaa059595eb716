// `gxn caption`: the captions a model's decoder (the image->text path) writes for images, or
// for precomputed feature rows of a precomp model. One line per image: NAME<TAB>caption.
#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "encoder_args.hpp"

namespace gxn::cli {
namespace {

struct CaptionArgs {
  EncoderArgs encoder;
  std::vector<std::string> images;
  std::string features;   // .npy (N, D) or (N, R, D) for a precomp model
  std::int64_t beam = 0;  // 0: greedy
  bool sample = false;
  double temperature = 1.0;
  std::int64_t max_length = 0;  // 0: the model's
  std::uint64_t seed = 1;
  bool json = false;
};

void run_caption(const CaptionArgs& args) {
  if (args.images.empty() == args.features.empty())
    throw Error(ErrorCode::InvalidArgument,
                "caption: give image files, or --features F.npy for a precomp model (not both)");
  if (args.sample && args.beam > 0)
    throw Error(ErrorCode::InvalidArgument, "caption: --sample and --beam are two ways of decoding: choose one");
  const Encoder encoder(args.encoder.model, args.encoder.options());
  DecodeOptions decode = args.beam > 0 ? beam_decoding(encoder.config(), args.beam) : greedy_decoding(encoder.config());
  if (args.max_length > 0) decode.max_length = args.max_length;
  if (args.sample) {
    decode.mode = DecodeMode::Sample;
    decode.temperature = args.temperature;
    decode.generator = at::detail::createCPUGenerator(args.seed);
  }
  std::vector<std::string> names, captions;
  if (!args.features.empty()) {
    const NpyArray array = read_npy(args.features);
    try {
      captions = encoder.caption_features(feature_rows(array, args.features), decode);
    } catch (const Error& e) {
      throw Error(e.code(), args.features + ": " + e.what());
    }
    for (std::size_t i = 0; i < captions.size(); ++i) names.push_back(args.features + "[" + std::to_string(i) + "]");
  } else {
    captions = encoder.caption_images(args.images, decode);
    names = args.images;
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t i = 0; i < captions.size(); ++i) out[names[i]] = captions[i];
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  for (std::size_t i = 0; i < captions.size(); ++i) std::printf("%s\t%s\n", names[i].c_str(), captions[i].c_str());
}

void add_caption(CLI::App& gxn) {
  auto args = std::make_shared<CaptionArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "caption", "Caption images with a model trained with the i2t path (its decoder RNN_Dec, from v_l)");
  add_encoder_options(cmd, args->encoder);
  cmd->add_option("images", args->images, "image files (JPEG, PNG, BMP, GIF)");
  cmd->add_option("--features", args->features, "precomp model: a .npy of feature rows, (N, D) or (N, R, D)");
  cmd->add_option("--beam", args->beam, "beam search with this many beams (default: greedy)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100}));
  cmd->add_flag("--sample", args->sample, "sample words instead of taking the likeliest");
  cmd->add_option("--temperature", args->temperature, "sampling temperature")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 100.0));
  cmd->add_option("--seed", args->seed, "seed of --sample")->capture_default_str()->check(kSeedText);
  cmd->add_option("--max-length", args->max_length, "most words per caption (default: the model's)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
  cmd->add_flag("--json", args->json, "print {\"IMAGE\": \"caption\", ...}");
  cmd->callback([args] { run_caption(*args); });
}

}  // namespace

GXN_COMMAND(add_caption);

}  // namespace gxn::cli
