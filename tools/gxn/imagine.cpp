// `gxn imagine`: the images a model's generator (the text->image path) imagines for a caption,
// one per noise vector z, side by side in one PNG.
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "encoder_args.hpp"
#include "gxn/report/contact_sheet.hpp"

namespace gxn::cli {
namespace {

struct ImagineArgs {
  EncoderArgs encoder;
  std::string text;
  std::int64_t count = 8;
  std::uint64_t seed = 1;
  int size = 128;  // shown size of each 64x64 image
  std::string out;
};

void run_imagine(const ImagineArgs& args) {
  const Encoder encoder(args.encoder.model, args.encoder.options());
  const std::vector<Image> images = encoder.imagine(args.text, args.count, args.seed);
  std::vector<SheetTile> tiles;
  for (const Image& image : images) tiles.push_back({&image, false});
  ContactSheetOptions options;
  options.thumbnail = args.size;
  write_png(args.out, compose_contact_sheet(tiles, options));
  std::printf("wrote %s: %lld images for \"%s\"\n", args.out.c_str(), static_cast<long long>(images.size()),
              args.text.c_str());
}

void add_imagine(CLI::App& gxn) {
  auto args = std::make_shared<ImagineArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "imagine", "Imagine images for a caption with a model trained with the t2i path (G(z, t_c) from t_l)");
  add_encoder_options(cmd, args->encoder);
  cmd->add_option("--text", args->text, "the caption")->required();
  cmd->add_option("-n,--count", args->count, "images to imagine (one per noise vector)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{4096}));
  cmd->add_option("--seed", args->seed, "seed of the noise")->capture_default_str()->check(kSeedText);
  cmd->add_option("--size", args->size, "pixels each image is shown at in the grid")
      ->capture_default_str()
      ->check(CLI::Range(8, 1024));
  cmd->add_option("-o,--out", args->out, "the PNG to write")->required();
  cmd->callback([args] { run_imagine(*args); });
}

}  // namespace

GXN_COMMAND(add_imagine);

}  // namespace gxn::cli
