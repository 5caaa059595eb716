// gxn's native resnet152 / vgg19 against torchvision on the same weights and the same image.
// The fixture is made at test time by scripts/export_backbone.py (random weights from a
// fixed seed, so no weight file is committed): it writes the TorchScript export and the
// torchvision-preprocessed input tensor of tests/data/scene.jpg with torchvision's features.
#include <catch2/catch.hpp>

#include <torch/script.h>

#include <cstdio>
#include <cstdlib>

#include "gxn/model/image_encoder.hpp"
#include "gxn/model/scripted_backbone.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;

namespace {

const std::string kScript = std::string(GXN_TEST_DATA) + "/../../scripts/export_backbone.py";

void export_backbone(const std::string& arch, const TempDir& dir) {
  const std::string cmd = "/usr/bin/python3 " + kScript + " " + arch + " --seed 7 --out " + dir.file(arch + ".pt") +
                          " --reference-image " + GXN_TEST_DATA + "/scene.jpg --reference-out " +
                          dir.file(arch + "_ref.pt") + " > " + dir.file("export.log") + " 2>&1";
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

// max |got - want| / max |want|
double relative_difference(const torch::Tensor& got, const torch::Tensor& want) {
  return ((got - want).abs().max() / want.abs().max()).item<double>();
}

void check_against_torchvision(gxn::Backbone backbone, const std::string& arch, std::int64_t dim) {
  TempDir dir;
  export_backbone(arch, dir);
  auto ref = gxn::load_torchscript(dir.file(arch + "_ref.pt"));
  const auto input = ref.attr("input").toTensor();
  const auto want = ref.attr("features").toTensor();
  REQUIRE(input.sizes() == torch::IntArrayRef{1, 3, 224, 224});
  REQUIRE(want.sizes() == torch::IntArrayRef{1, dim});
  REQUIRE(want.abs().max().item<float>() > 0);

  gxn::ImageEncoderConfig c;
  c.backbone = backbone;
  gxn::ImageEncoder native(c);
  native->load_backbone_weights(dir.file(arch + ".pt"));
  native->train();  // frozen: batch norm and dropout must stay in eval mode anyway
  const auto got = native(input);
  const double rel = relative_difference(got, want);
  std::printf("%s native vs torchvision: max relative difference %.3g\n", arch.c_str(), rel);
  CHECK(rel <= 1e-4);

  // The comparison is sensitive: one changed tensor (the last layer's bias, or the last batch
  // norm's running variance) moves the features far beyond the tolerance.
  {
    torch::NoGradGuard no_grad;
    auto buffers = native->named_buffers();
    auto* last_var = buffers.find("backbone.layer4.2.bn3.running_var");
    (last_var ? *last_var : native->named_parameters()["backbone.classifier.3.bias"]).mul_(2).add_(0.5);
  }
  CHECK(relative_difference(native(input), want) > 1e-2);

  // Weights of one network do not load into another.
  gxn::ImageEncoderConfig small;
  small.backbone = gxn::Backbone::CnnSmall;
  gxn::ImageEncoder other(small);
  CHECK_THROWS_WITH(other->load_backbone_weights(dir.file(arch + ".pt")),
                    Contains(arch + ".pt") && Contains("do not fit") && Contains("missing") && Contains("unexpected"));

  // The export runs as a torchscript backbone too.
  c.backbone = gxn::Backbone::TorchScript;
  c.feature_dim = dim;
  c.backbone_file = dir.file(arch + ".pt");
  gxn::ImageEncoder scripted(c);
  scripted->eval();
  const double rel_scripted = relative_difference(scripted(input), want);
  std::printf("%s torchscript vs torchvision: max relative difference %.3g\n", arch.c_str(), rel_scripted);
  CHECK(rel_scripted <= 1e-4);
}

}  // namespace

TEST_CASE("Native resnet152 gives torchvision's features on the same weights and image",
          "[model][image][torchvision]") {
  check_against_torchvision(gxn::Backbone::ResNet152, "resnet152", 2048);
}

TEST_CASE("Native vgg19 gives torchvision's features on the same weights and image", "[model][image][torchvision]") {
  check_against_torchvision(gxn::Backbone::Vgg19, "vgg19", 4096);
}
