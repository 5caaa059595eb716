// The text->image path: conditioning augmentation, generator, matching-aware discriminator and
// their losses.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gxn/error.hpp"
#include "gxn/model/conditioning_augmentation.hpp"
#include "gxn/model/gan_loss.hpp"
#include "gxn/model/image_discriminator.hpp"
#include "gxn/model/image_generator.hpp"
#include "support/error_of.hpp"

using Catch::Matchers::Contains;

namespace {

namespace F = torch::nn::functional;

// Small sizes so every test runs in well under a second on one core.
constexpr std::int64_t kBatch = 4, kEmbed = 16, kCondition = 8, kNoise = 10;

gxn::ConditioningAugmentation small_ca() { return gxn::ConditioningAugmentation(kEmbed, kCondition); }
gxn::ImageGenerator small_generator() {
  return gxn::ImageGenerator(gxn::ImageGeneratorOptions(kCondition).noise_dim(kNoise).channels(8));
}
gxn::ImageDiscriminator small_discriminator() {
  return gxn::ImageDiscriminator(gxn::ImageDiscriminatorOptions(kEmbed).channels(8).text_dim(8));
}

// t_l as the model gives it: non-negative and unit length.
torch::Tensor grounded(const torch::Tensor& x) { return F::normalize(x.abs(), F::NormalizeFuncOptions().dim(1)); }
torch::Tensor random_images(std::int64_t n) { return torch::rand({n, 3, 64, 64}) * 2 - 1; }

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().clone());
  return out;
}

// How many tensors differ from their earlier copies.
std::size_t changed(const std::vector<torch::Tensor>& params, const std::vector<torch::Tensor>& before) {
  std::size_t n = 0;
  for (std::size_t k = 0; k < params.size(); ++k) n += !torch::equal(params[k].detach(), before[k]);
  return n;
}

}  // namespace

TEST_CASE("The text-to-image modules give the documented shapes", "[model][gan]") {
  torch::manual_seed(1);
  auto ca = small_ca();
  auto g = small_generator();
  auto d = small_discriminator();
  const auto t_l = grounded(torch::randn({kBatch, kEmbed}));

  const auto c = ca(t_l);
  for (const auto& t : {c.condition, c.mean, c.log_variance})
    CHECK(t.sizes() == torch::IntArrayRef{kBatch, kCondition});

  const auto z = gxn::sample_noise(kBatch, kNoise);
  CHECK(z.sizes() == torch::IntArrayRef{kBatch, kNoise});
  const auto images = g(z, c.condition);
  REQUIRE(images.sizes() == torch::IntArrayRef{kBatch, 3, 64, 64});
  CHECK(images.min().item<float>() >= -1.0f);
  CHECK(images.max().item<float>() <= 1.0f);
  CHECK(images.std().item<float>() > 0.0f);                     // not a constant image
  CHECK_FALSE(torch::allclose(g(z, c.condition + 1), images));  // the condition steers the image

  const auto logits = d(images, t_l);
  CHECK(logits.sizes() == torch::IntArrayRef{kBatch});
  // One row works in train mode too (batch norm runs on feature maps, never on 1 value).
  CHECK(g(gxn::sample_noise(1, kNoise), c.condition.narrow(0, 0, 1)).sizes() == torch::IntArrayRef{1, 3, 64, 64});
  CHECK(d(images.narrow(0, 0, 1), t_l.narrow(0, 0, 1)).sizes() == torch::IntArrayRef{1});

  // The default sizes of the brief: noise 100, 64 channels (4x4x512 first map), text 128.
  gxn::ImageGenerator full_g(gxn::ImageGeneratorOptions(128));
  CHECK(full_g->project->weight.sizes() == torch::IntArrayRef{8 * 64 * 16, 228});
  gxn::ImageDiscriminator full_d(gxn::ImageDiscriminatorOptions(1024));
  CHECK(full_d->compress_text->weight.sizes() == torch::IntArrayRef{128, 1024});
}

TEST_CASE("KL to N(0, I) is zero at the standard normal and matches the closed form", "[model][gan]") {
  const auto zeros = torch::zeros({3, 5});
  CHECK(gxn::kl_to_standard_normal(zeros, zeros).item<float>() == 0.0f);

  torch::manual_seed(2);
  const auto mean = torch::randn({3, 5}, torch::kFloat64);
  const auto log_variance = torch::randn({3, 5}, torch::kFloat64);
  // 1/2 sum_k (mu^2 + sigma^2 - 1 - log sigma^2) per row, averaged over rows.
  double expected = 0;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 5; ++k) {
      const double mu = mean[i][k].item<double>(), lv = log_variance[i][k].item<double>();
      expected += 0.5 * (mu * mu + std::exp(lv) - 1 - lv) / 3;
    }
  const auto kl = gxn::kl_to_standard_normal(mean, log_variance);
  CHECK(kl.dim() == 0);
  CHECK(kl.item<double>() == Approx(expected).epsilon(1e-12));
  // One hand-worked value: mu = 1, sigma^2 = e -> 1/2 (1 + e - 1 - 1) = (e - 1) / 2.
  CHECK(gxn::kl_to_standard_normal(torch::ones({1, 1}, torch::kFloat64), torch::ones({1, 1}, torch::kFloat64))
            .item<double>() == Approx((std::exp(1.0) - 1) / 2).epsilon(1e-14));
}

TEST_CASE("A fresh conditioning augmentation lets the caption through: G's images differ with the caption",
          "[model][gan]") {
  // Before its init was chosen for it, mu moved by about 0.02 between captions against a sigma of
  // 1: t_c was noise, and G learnt to draw the same images for every caption.
  torch::manual_seed(5);
  auto ca = small_ca();
  auto g = small_generator();
  const auto t_l = grounded(torch::randn({2 * kBatch, kEmbed}));
  const auto out = ca(t_l);
  const auto mu_spread = (out.mean.narrow(0, 0, kBatch) - out.mean.narrow(0, kBatch, kBatch)).norm(2, 1).mean();
  const auto sigma = (0.5 * out.log_variance).exp().mean();
  INFO("|mu_1 - mu_2| " << mu_spread.item<double>() << ", sigma " << sigma.item<double>());
  CHECK(mu_spread.item<double>() > 10 * sigma.item<double>());
  // The same z and the same draw of eps, two captions, against one caption and two z: the
  // caption moves G's images at least a seventh as much as the noise does (the old init: a
  // thirteenth). Batch statistics: an untrained G's running ones shrink every image to nothing.
  torch::NoGradGuard no_grad;
  const auto eps = torch::randn({kBatch, kCondition});
  const auto condition = [&](std::int64_t first_row) {
    return out.mean.narrow(0, first_row, kBatch) + (0.5 * out.log_variance.narrow(0, first_row, kBatch)).exp() * eps;
  };
  const auto z = torch::randn({kBatch, kNoise}), other_z = torch::randn({kBatch, kNoise});
  const double by_caption = (g(z, condition(0)) - g(z, condition(kBatch))).abs().mean().item<double>();
  const double by_noise = (g(z, condition(0)) - g(other_z, condition(0))).abs().mean().item<double>();
  INFO("pixel change by caption " << by_caption << ", by noise " << by_noise);
  CHECK(by_caption > by_noise / 7);
}

TEST_CASE("Conditioning augmentation samples t_c = mu + sigma eps, repeatably under a seed", "[model][gan]") {
  torch::manual_seed(3);
  auto ca = small_ca();
  const auto t_l = grounded(torch::randn({kBatch, kEmbed}));

  torch::manual_seed(30);
  const auto a = ca(t_l);
  torch::manual_seed(30);
  const auto b = ca(t_l);
  CHECK(torch::equal(a.condition, b.condition));
  torch::manual_seed(30);
  const auto eps = torch::randn({kBatch, kCondition});
  CHECK(torch::allclose(a.condition, a.mean + (0.5 * a.log_variance).exp() * eps, 1e-5, 1e-6));
  CHECK_FALSE(torch::equal(ca(t_l).condition, a.condition));  // a fresh draw

  // Many draws for one caption: the sample mean approaches mu, the sample spread sigma.
  const std::int64_t n = 20000;
  const auto many = ca(t_l.narrow(0, 0, 1).expand({n, kEmbed}).contiguous());
  const auto mu = many.mean[0], sigma = (0.5 * many.log_variance[0]).exp();
  const auto sample_mean = many.condition.mean(0), sample_std = many.condition.std(0);
  // 5 standard errors of the mean.
  CHECK(((sample_mean - mu).abs() <= 5 * sigma / std::sqrt(double(n))).all().item<bool>());
  CHECK(((sample_std / sigma - 1).abs() < 0.05).all().item<bool>());

  // eval() keeps sampling (imagining several images for one caption wants the variety).
  ca->eval();
  CHECK_FALSE(torch::equal(ca(t_l).condition, ca(t_l).condition));
}

TEST_CASE("The GAN losses match hand-worked values for a discriminator with a fixed logit", "[model][gan]") {
  torch::manual_seed(4);
  auto d = small_discriminator();
  auto last = d->joint->ptr<torch::nn::Conv2dImpl>(3);
  const auto set_logit = [&](double b) {
    torch::NoGradGuard no_grad;
    last->weight.zero_();
    last->bias.fill_(b);
  };
  const auto real = random_images(kBatch), fake = random_images(kBatch);
  const auto t_l = grounded(torch::randn({kBatch, kEmbed})), wrong = t_l.roll(1, 0);
  const auto mean = torch::zeros({kBatch, kCondition}), log_variance = torch::zeros({kBatch, kCondition});
  const double ln2 = std::log(2.0);

  // Logit 0: D = 1/2 everywhere, so every term is ln 2.
  set_logit(0);
  auto dl = gxn::discriminator_loss(*d, real, fake, t_l, wrong, 0.5, 2.0);
  CHECK(dl.real == Approx(ln2));
  CHECK(dl.fake == Approx(ln2));
  CHECK(dl.wrong == Approx(ln2));
  CHECK(dl.loss.item<double>() == Approx(3.5 * ln2));
  auto gl = gxn::generator_loss(*d, fake, t_l, mean, log_variance, 4.0);
  CHECK(gl.adversarial == Approx(ln2));
  CHECK(gl.kl == 0.0);
  CHECK(gl.loss.item<double>() == Approx(ln2));

  // Logit 3: -log sigmoid(3) = log(1 + e^-3) for real pairs, -log(1 - sigmoid(3)) = log(1 + e^3) for the rest.
  set_logit(3);
  dl = gxn::discriminator_loss(*d, real, fake, t_l, wrong, 1.0, 1.0);
  CHECK(dl.real == Approx(std::log1p(std::exp(-3.0))));
  CHECK(dl.fake == Approx(std::log1p(std::exp(3.0))));
  CHECK(dl.wrong == Approx(std::log1p(std::exp(3.0))));
  const auto kl_mean = torch::ones({kBatch, kCondition});  // KL = 1/2 * 8 per row = 4
  gl = gxn::generator_loss(*d, fake, t_l, kl_mean, log_variance, 0.25);
  CHECK(gl.adversarial == Approx(std::log1p(std::exp(-3.0))));
  CHECK(gl.kl == Approx(4.0));
  CHECK(gl.loss.item<double>() == Approx(std::log1p(std::exp(-3.0)) + 1.0));

  // Logit 200: a naive log(1 - sigmoid(x)) is -inf; the stable form gives 200.
  set_logit(200);
  dl = gxn::discriminator_loss(*d, real, fake, t_l, wrong, 1.0, 1.0);
  CHECK(dl.real == Approx(0.0).margin(1e-30));
  CHECK(dl.fake == Approx(200.0));
  CHECK(std::isfinite(dl.loss.item<double>()));
}

TEST_CASE("The reconstruction term is least at the scenes' mean image, not at the blank background", "[model][gan]") {
  // Five scenes for one caption that does not yet tell them apart: dark, and two of them hold a
  // red square at the top left. A mean absolute difference is least at the median, the dark
  // image, so it would teach G nothing about the square; the mean squared one keeps it at 2/5.
  const auto scenes = -torch::ones({5, 3, 64, 64});
  scenes.narrow(0, 0, 2).select(1, 0).narrow(1, 0, 16).narrow(2, 0, 16).fill_(1.0);
  CHECK(gxn::reconstruction_loss(torch::zeros({5, 3, 64, 64}), torch::ones({5, 3, 64, 64})).item<double>() == 1.0);

  auto image = torch::full({1, 3, 64, 64}, -1.0).requires_grad_(true);  // starts at the blank image
  torch::optim::SGD sgd({image}, torch::optim::SGDOptions(0.2));
  for (int step = 0; step < 100; ++step) {
    sgd.zero_grad();
    // x 3 * 64 * 64: each pixel's squared error averaged over the scenes; a step of 0.2 takes 40% off
    // its distance to their mean.
    (gxn::reconstruction_loss(image.expand({5, -1, -1, -1}), scenes) * (3 * 64 * 64)).backward();
    sgd.step();
  }
  const auto learnt = image.detach();
  CHECK(learnt[0][0][3][3].item<double>() == Approx(-1.0 + 2.0 * 2 / 5));  // the square's red, at 2/5
  CHECK(learnt[0][1][3][3].item<double>() == Approx(-1.0));
  CHECK(learnt[0][0][40][40].item<double>() == Approx(-1.0));

  CHECK_THAT(error_of([] { gxn::reconstruction_loss(random_images(2), random_images(3)); }), Contains("real_images"));
  CHECK_THAT(error_of([] {
               gxn::reconstruction_loss(torch::zeros({2, 3, 32, 32}), torch::zeros({2, 3, 32, 32}));
             }),
             Contains("fake_images") && Contains("64, 64"));
}

TEST_CASE("A GAN step changes D and G, keeps every loss finite and trains t_l only through G's loss", "[model][gan]") {
  torch::manual_seed(5);
  auto ca = small_ca();
  auto g = small_generator();
  auto d = small_discriminator();
  auto text = torch::randn({kBatch, kEmbed}, torch::requires_grad());  // stands in for the text encoder
  const auto real = random_images(kBatch);
  const auto wrong_rows = gxn::mismatched_rows(torch::tensor({0, 1, 2, 3}, torch::kInt64));

  auto g_params = g->parameters();
  for (const auto& p : ca->parameters()) g_params.push_back(p);
  const auto adam = torch::optim::AdamOptions(2e-4).betas({0.5, 0.999});
  torch::optim::Adam d_opt(d->parameters(), adam);
  auto g_opt_params = g_params;
  g_opt_params.push_back(text);
  torch::optim::Adam g_opt(g_opt_params, adam);

  for (int step = 0; step < 2; ++step) {
    INFO("step " << step);
    const auto d_before = copies(d->parameters()), g_before = copies(g_params);
    const auto text_before = text.detach().clone();
    const auto t_l = grounded(text);
    const auto c = ca(t_l);
    const auto fake = g(gxn::sample_noise(kBatch, kNoise), c.condition);

    // D step: only D learns.
    d_opt.zero_grad();
    g_opt.zero_grad();
    const auto dl = gxn::discriminator_loss(*d, real, fake, t_l, t_l.index_select(0, wrong_rows), 1.0, 1.0);
    dl.loss.backward();
    CHECK((!text.grad().defined() || text.grad().abs().sum().item<float>() == 0.0f));
    for (const auto& p : g_params) CHECK((!p.grad().defined() || p.grad().abs().sum().item<float>() == 0.0f));
    d_opt.step();
    const auto d_after = copies(d->parameters());
    CHECK(changed(d->parameters(), d_before) == d_before.size());
    CHECK(changed(g_params, g_before) == 0);

    // G step: G, the conditioning augmentation and the text learn; D's step is not taken.
    g_opt.zero_grad();
    const auto gl = gxn::generator_loss(*d, fake, t_l, c.mean, c.log_variance, 1.0);
    gl.loss.backward();
    REQUIRE(text.grad().defined());
    CHECK(text.grad().abs().sum().item<float>() > 0.0f);
    for (const auto& p : g_params) CHECK(p.grad().abs().sum().item<float>() > 0.0f);
    g_opt.step();
    CHECK(changed(g_params, g_before) == g_before.size());
    CHECK_FALSE(torch::equal(text.detach(), text_before));
    CHECK(changed(d->parameters(), d_after) == 0);

    for (double x : {dl.loss.item<double>(), dl.real, dl.fake, dl.wrong, gl.loss.item<double>(), gl.adversarial, gl.kl})
      CHECK(std::isfinite(x));
    CHECK(gl.kl > 0.0);
  }
}

TEST_CASE("D learns to tell matching pairs from generated images and wrong captions", "[model][gan]") {
  torch::manual_seed(6);
  auto d = small_discriminator();
  const auto real = random_images(kBatch), fake = random_images(kBatch);
  const auto t_l = grounded(torch::randn({kBatch, kEmbed}));
  const auto wrong = t_l.index_select(0, gxn::mismatched_rows(torch::arange(kBatch)));
  torch::optim::Adam opt(d->parameters(), torch::optim::AdamOptions(1e-3).betas({0.5, 0.999}));
  double first = 0;
  gxn::DiscriminatorLoss last;
  for (int step = 0; step < 80; ++step) {
    opt.zero_grad();
    last = gxn::discriminator_loss(*d, real, fake, t_l, wrong, 1.0, 1.0);
    last.loss.backward();
    opt.step();
    if (step == 0) first = last.loss.item<double>();
  }
  INFO("loss " << first << " -> " << last.loss.item<double>() << " (real " << last.real << ", fake " << last.fake
               << ", wrong " << last.wrong << ")");
  CHECK(first == Approx(3 * std::log(2.0)).epsilon(0.1));  // logits start near 0
  CHECK(last.loss.item<double>() < 0.5 * first);
  // The same images score high with their own captions and low with the others': D reads the
  // text. A D blind to the text gives each image one p, and -log p - log(1 - p) >= 2 ln 2.
  CHECK(last.real + last.wrong < std::log(2.0));
}

TEST_CASE("Bad arguments to the text-to-image path name the argument at fault", "[model][gan]") {
  torch::manual_seed(7);
  CHECK_THAT(error_of([] { gxn::ConditioningAugmentation(0, 8); }), Contains("embed_dim"));
  CHECK_THAT(error_of([] { gxn::ConditioningAugmentation(16, 0); }), Contains("condition_dim"));
  CHECK_THAT(error_of([] { gxn::ImageGenerator(gxn::ImageGeneratorOptions(8).channels(7)); }),
             Contains("channels") && Contains("even"));
  CHECK_THAT(error_of([] { gxn::ImageGenerator(gxn::ImageGeneratorOptions(8).noise_dim(0)); }), Contains("noise_dim"));
  CHECK_THAT(error_of([] { gxn::ImageGenerator(gxn::ImageGeneratorOptions(0)); }), Contains("condition_dim"));
  CHECK_THAT(error_of([] { gxn::ImageDiscriminator(gxn::ImageDiscriminatorOptions(16).text_dim(0)); }),
             Contains("text_dim"));
  CHECK_THAT(error_of([] { gxn::sample_noise(0, 10); }), Contains("batch"));

  auto ca = small_ca();
  auto g = small_generator();
  auto d = small_discriminator();
  const auto t_l = grounded(torch::randn({2, kEmbed}));
  const auto images = random_images(2);
  CHECK_THAT(error_of([&] { ca(torch::randn({2, kEmbed + 1})); }), Contains("t_l") && Contains("[2, 17]"));
  CHECK_THAT(error_of([&] { ca(torch::ones({2, kEmbed}, torch::kInt64)); }), Contains("t_l"));
  CHECK_THAT(error_of([&] { g(torch::randn({2, kNoise + 1}), torch::randn({2, kCondition})); }), Contains("z"));
  CHECK_THAT(error_of([&] { g(torch::randn({2, kNoise}), torch::randn({2, kCondition + 1})); }), Contains("t_c"));
  CHECK_THAT(error_of([&] { g(torch::randn({2, kNoise}), torch::randn({3, kCondition})); }), Contains("t_c"));
  CHECK_THAT(error_of([&] {
               d(torch::randn({2, 3, 32, 32}), t_l);
             }),
             Contains("images") && Contains("64, 64") && Contains("[2, 3, 32, 32]"));
  CHECK_THAT(error_of([&] { d(torch::randn({2, 1, 64, 64}), t_l); }), Contains("images"));
  CHECK_THAT(error_of([&] { d(torch::randn({0, 3, 64, 64}), t_l.narrow(0, 0, 0)); }), Contains("images"));
  CHECK_THAT(error_of([&] { d(images, torch::randn({2, kEmbed - 1})); }), Contains("t_l"));

  CHECK_THAT(error_of([&] { gxn::discriminator_loss(*d, images, images, t_l, t_l, -1.0, 1.0); }), Contains("beta_f"));
  CHECK_THAT(error_of([&] {
               gxn::discriminator_loss(*d, images, images, t_l, t_l, 1.0, std::numeric_limits<double>::quiet_NaN());
             }),
             Contains("beta_w"));
  CHECK_THAT(error_of([&] {
               gxn::discriminator_loss(*d, images, torch::randn({2, 3, 32, 32}), t_l, t_l, 1, 1);
             }),
             Contains("fake_images"));
  CHECK_THAT(error_of([&] { gxn::discriminator_loss(*d, images, images, t_l, t_l.narrow(0, 0, 1), 1, 1); }),
             Contains("wrong_t_l"));
  const auto mean = torch::zeros({2, kCondition});
  CHECK_THAT(error_of([&] { gxn::generator_loss(*d, images, t_l, mean, mean, -0.5); }), Contains("beta_s"));
  CHECK_THAT(error_of([&] {
               gxn::generator_loss(*d, images, t_l, mean, torch::zeros({2, kCondition + 1}), 1);
             }),
             Contains("log_variance"));
  CHECK_THAT(error_of([&] { gxn::generator_loss(*d, images, t_l, torch::zeros({2}), mean, 1); }), Contains("mean"));
  CHECK_THAT(error_of([&] {
               gxn::kl_to_standard_normal(torch::zeros({3, 5}), torch::zeros({3, 4}));
             }),
             Contains("log_variance"));
  CHECK_THAT(error_of([&] { gxn::mismatched_rows(torch::tensor({3, 3, 3})); }), Contains("two different images"));
  CHECK_THAT(error_of([&] { gxn::mismatched_rows(torch::zeros({0}, torch::kInt64)); }),
             Contains("two different images"));
  CHECK_THAT(error_of([&] { gxn::mismatched_rows(torch::tensor({0.0f, 1.0f})); }), Contains("image_ids"));
}

TEST_CASE("mismatched_rows never pairs a row with a caption of its own image", "[model][gan]") {
  const auto rows = [](std::vector<std::int64_t> ids) {
    const auto r = gxn::mismatched_rows(torch::tensor(ids, torch::kInt64));
    REQUIRE(r.scalar_type() == torch::kInt64);
    return std::vector<std::int64_t>(r.data_ptr<std::int64_t>(), r.data_ptr<std::int64_t>() + r.numel());
  };
  using V = std::vector<std::int64_t>;
  // Hand-worked: result[k] = (k - s) mod B for the smallest shift s that moves every row to another image.
  CHECK(rows({0, 1, 2, 3}) == V{3, 0, 1, 2});              // s = 1
  CHECK(rows({0, 0, 1, 1}) == V{2, 3, 0, 1});              // s = 1 keeps row 1 on image 0; s = 2 works
  CHECK(rows({5, 5, 9, 9, 7, 7}) == V{4, 5, 0, 1, 2, 3});  // s = 2
  // Image 0 fills 3 of 4 rows: no shift works, each row takes the next row of another image.
  CHECK(rows({0, 0, 0, 1}) == V{3, 3, 3, 0});
  // int32 ids are accepted.
  CHECK(gxn::mismatched_rows(torch::tensor({1, 2}, torch::kInt32)).equal(torch::tensor({1, 0}, torch::kInt64)));

  // Random batches, as captions_per_image sampling makes them (several captions per image).
  torch::manual_seed(8);
  for (int trial = 0; trial < 200; ++trial) {
    const std::int64_t n = torch::randint(2, 40, {1}).item<std::int64_t>();
    const std::int64_t images = torch::randint(2, 8, {1}).item<std::int64_t>();
    auto ids = torch::randint(0, images, {n}, torch::kInt64);
    if (ids.eq(ids[0]).all().item<bool>()) ids[0].add_(1);  // at least two images
    const auto r = gxn::mismatched_rows(ids);
    REQUIRE(r.sizes() == torch::IntArrayRef{n});
    CHECK(r.ge(0).all().item<bool>());
    CHECK(r.lt(n).all().item<bool>());
    INFO("trial " << trial);
    CHECK(ids.index_select(0, r).ne(ids).all().item<bool>());
  }
}
