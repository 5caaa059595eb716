// `gxn preprocess IMAGE --size S --out X.npy`: an image as a torchvision CNN expects it.
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "gxn/engine/io/image.hpp"
#include "gxn/engine/io/npy.hpp"
#include "gxn/engine/io/preprocess.hpp"

namespace {

struct PreprocessArgs {
  std::string image;
  std::string out;
  int size = 224;
  int resize = 0;  // 0: round(size * 256 / 224)
};

void run_preprocess(const PreprocessArgs& args) {
  gxn::PreprocessOptions options = gxn::preprocess_options_for_size(args.size);
  if (args.resize > 0) options.resize = args.resize;
  const gxn::ChwImage input = gxn::preprocess(gxn::decode_image_file(args.image), options);
  const std::vector<std::int64_t> shape = {input.channels, input.height, input.width};
  gxn::write_npy(args.out, shape, input.values.data());
}

}  // namespace

static void add_preprocess(CLI::App& gxn) {
  auto args = std::make_shared<PreprocessArgs>();
  CLI::App* cmd = gxn.add_subcommand(
      "preprocess",
      "Decode an image (JPEG, PNG, BMP, GIF) and prepare it as torchvision's Resize, CenterCrop, ToTensor and "
      "Normalize (ImageNet mean/std) do on PIL images; writes a float32 (3, S, S) .npy");
  cmd->add_option("image", args->image, "Image file")->required();
  cmd->add_option("--size", args->size, "Crop size S")->capture_default_str()->check(CLI::Range(1, 16384));
  cmd->add_option("--resize", args->resize, "Shorter side before the crop (default round(S * 256 / 224))")
      ->check(CLI::Range(1, 16384));
  cmd->add_option("--out", args->out, "Output .npy file")->required();
  cmd->callback([args] { run_preprocess(*args); });
}

GXN_COMMAND(add_preprocess);
