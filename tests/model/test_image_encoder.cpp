#include <catch2/catch.hpp>

#include <torch/script.h>

#include <fstream>
#include <functional>

#include "gxn/error.hpp"
#include "gxn/model/image_encoder.hpp"
#include "gxn/model/scripted_backbone.hpp"
#include "gxn/model/small_cnn.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;

namespace {

gxn::ImageEncoderConfig config_for(gxn::Backbone backbone) {
  gxn::ImageEncoderConfig c;
  c.backbone = backbone;
  return c;
}

// A TorchScript module with the same names as a native module's parameters and buffers.
torch::jit::Module scripted_copy(const torch::nn::Module& native,
                                 const std::shared_ptr<torch::jit::CompilationUnit>& cu) {
  torch::jit::Module m(c10::QualifiedName("__torch__.Copy"), cu, /*shouldMangle=*/true);
  for (const auto& p : native.named_parameters(/*recurse=*/false))
    m.register_parameter(p.key(), p.value().clone(), false);
  for (const auto& b : native.named_buffers(/*recurse=*/false)) m.register_buffer(b.key(), b.value().clone());
  for (const auto& child : native.named_children()) m.register_module(child.key(), scripted_copy(*child.value(), cu));
  return m;
}

// A TorchScript backbone: (B, 3, H, W) -> (B, 4), doubled in training mode so tests can see
// which mode it is in.
torch::jit::Module tiny_backbone() {
  torch::jit::Module m("Tiny");
  m.register_parameter("weight", torch::randn({4, 3}), false);
  m.register_attribute("training", c10::BoolType::get(), true);
  m.define(R"(
    def forward(self, x):
        y = torch.matmul(x.mean([2, 3]), self.weight.t())
        if self.training:
            y = 2.0 * y
        return y
  )");
  return m;
}

}  // namespace

TEST_CASE("Precomputed features pass through, regions are pooled", "[model][image]") {
  auto c = config_for(gxn::Backbone::Precomp);
  c.feature_dim = 3;
  gxn::ImageEncoder mean_enc(c);
  auto x = torch::tensor({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  CHECK(torch::equal(mean_enc(x), x));
  auto regions = torch::tensor({{{1.0f, 8.0f, 0.0f}, {3.0f, 2.0f, -4.0f}}});  // (1, R=2, 3)
  CHECK(torch::equal(mean_enc(regions), torch::tensor({{2.0f, 5.0f, -2.0f}})));
  c.region_pooling = gxn::RegionPooling::Max;
  gxn::ImageEncoder max_enc(c);
  CHECK(torch::equal(max_enc(regions), torch::tensor({{3.0f, 8.0f, 0.0f}})));
  CHECK(max_enc->parameters().empty());
  CHECK_THAT(error_of([&] { mean_enc(torch::zeros({2, 4})); }), Contains("(B, 3)") && Contains("image.feature_dim"));
  CHECK_THAT(error_of([&] { mean_enc(torch::zeros({2, 3}, torch::kInt64)); }), Contains("floating-point"));
}

TEST_CASE("cnn-small maps 64x64 images to 256-d features and always trains", "[model][image]") {
  torch::manual_seed(6);
  gxn::ImageEncoder enc(config_for(gxn::Backbone::CnnSmall));
  REQUIRE(enc->trains_backbone());
  auto y = enc(torch::randn({2, 3, 64, 64}));
  REQUIRE(y.sizes() == torch::IntArrayRef{2, gxn::kCnnSmallFeatureDim});
  y.sum().backward();
  for (const auto& p : enc->parameters()) REQUIRE(p.grad().defined());
  CHECK_THAT(error_of([&] { enc(torch::randn({2, 1, 64, 64})); }), Contains("(B, 3, H, W)") && Contains("cnn-small"));
  CHECK_THAT(error_of([&] { enc(torch::randn({2, 3, 4, 4})); }), Contains(">= 8"));
}

TEST_CASE("Backbone weights load by name from a TorchScript export", "[model][image]") {
  TempDir dir;
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  torch::manual_seed(7);
  gxn::SmallCnn source;
  // Distinct batch-norm statistics, so a loader that skipped buffers would show.
  for (auto& b : source->buffers())
    if (b.is_floating_point()) b.uniform_(0.5, 1.5);
  source->eval();
  scripted_copy(*source, cu).save(dir.file("cnn.pt"));

  gxn::ImageEncoder enc(config_for(gxn::Backbone::CnnSmall));
  enc->load_backbone_weights(dir.file("cnn.pt"));
  enc->eval();
  auto x = torch::randn({2, 3, 16, 16});
  CHECK(torch::allclose(enc(x), source(x)));
}

TEST_CASE("A weight file that does not fit is refused naming what is wrong", "[model][image]") {
  TempDir dir;
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  gxn::SmallCnn source;
  auto extra = scripted_copy(*source, cu);
  extra.register_parameter("fc_weight", torch::zeros({2}), false);
  extra.save(dir.file("extra.pt"));

  auto wrong = scripted_copy(*source, cu);
  wrong.attr("features").toModule().attr("0").toModule().setattr("weight", torch::zeros({32, 3, 5, 5}));
  wrong.save(dir.file("wrong.pt"));

  gxn::ImageEncoder enc(config_for(gxn::Backbone::CnnSmall));
  CHECK_THAT(error_of([&] { enc->load_backbone_weights(dir.file("extra.pt")); }),
             Contains("extra.pt") && Contains("unexpected fc_weight"));
  CHECK_THAT(error_of([&] { enc->load_backbone_weights(dir.file("wrong.pt")); }),
             Contains("wrong.pt") && Contains("wrong shape features.0.weight"));
  CHECK_THAT(error_of([&] { enc->load_backbone_weights(dir.file("none.pt")); }), Contains("none.pt"));
  std::ofstream(dir.file("junk.pt")) << "not a zip";
  CHECK_THAT(error_of([&] { enc->load_backbone_weights(dir.file("junk.pt")); }),
             Contains("junk.pt") && Contains("TorchScript"));

  // A resnet-shaped file in a cnn-small: every name missing.
  auto other = torch::jit::Module("Other");
  other.register_parameter("conv1_weight", torch::zeros({1}), false);
  other.save(dir.file("other.pt"));
  CHECK_THAT(error_of([&] { enc->load_backbone_weights(dir.file("other.pt")); }),
             Contains("missing features.0.weight") && Contains("more"));

  gxn::ImageEncoder precomp(config_for(gxn::Backbone::Precomp));
  CHECK_THAT(error_of([&] { precomp->load_backbone_weights(dir.file("extra.pt")); }), Contains("precomp"));
}

TEST_CASE("A TorchScript backbone runs as given, and frozen stays in eval mode without gradients", "[model][image]") {
  TempDir dir;
  torch::manual_seed(8);
  auto module = tiny_backbone();
  module.save(dir.file("tiny.pt"));
  auto c = config_for(gxn::Backbone::TorchScript);
  c.feature_dim = 4;
  c.backbone_file = dir.file("tiny.pt");

  gxn::ImageEncoder frozen(c);
  REQUIRE_FALSE(frozen->trains_backbone());
  frozen->train();
  auto x = torch::rand({2, 3, 8, 8});
  auto expected = torch::matmul(x.mean({2, 3}), module.attr("weight").toTensor().t());
  auto y = frozen(x);
  CHECK(torch::allclose(y, expected));  // eval mode: not doubled
  CHECK_FALSE(y.requires_grad());
  REQUIRE(frozen->named_parameters().contains("backbone.weight"));
  CHECK_FALSE(frozen->named_parameters()["backbone.weight"].requires_grad());

  c.fine_tune = true;
  gxn::ImageEncoder tuned(c);
  tuned->train();
  auto z = tuned(x);
  CHECK(torch::allclose(z, 2 * expected));  // training mode reaches the TorchScript module
  z.sum().backward();
  CHECK(tuned->named_parameters()["backbone.weight"].grad().defined());
  tuned->eval();
  CHECK(torch::allclose(tuned(x), expected));

  c.feature_dim = 5;
  gxn::ImageEncoder wrong_dim(c);
  CHECK_THAT(error_of([&] { wrong_dim(x); }), Contains("tiny.pt") && Contains("image.feature_dim"));
  c.backbone_file = dir.file("absent.pt");
  CHECK_THAT(error_of([&] { gxn::ImageEncoder{c}; }), Contains("absent.pt"));
}
