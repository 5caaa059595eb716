#include <catch2/catch.hpp>

#include <torch/script.h>

#include <filesystem>
#include <fstream>

#include "gxn/error.hpp"
#include "gxn/model/model_file.hpp"
#include "model/section_file.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

gxn::ModelConfig small_config() {
  gxn::ModelConfig c;
  c.image.backbone = gxn::Backbone::Precomp;
  c.image.feature_dim = 12;
  c.text = {6, 4, 5, ""};
  c.embed_dim = 3;
  c.lambda = 0.3;
  return c;
}

const std::vector<std::string> kVocab{"<pad>", "<unk>", "a", "red", "ball", "sky"};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string load_error(const std::string& path) {
  try {
    gxn::load_model(path);
  } catch (const gxn::Error& e) {
    return e.what();
  }
  return "no error";
}

void check_same_outputs(gxn::GxnModel& a, gxn::GxnModel& b, const torch::Tensor& images) {
  a->eval();
  b->eval();
  auto ids = torch::tensor({{2, 3, 4}, {5, 0, 0}}, torch::kInt64);
  auto lengths = torch::tensor({3, 1}, torch::kInt64);
  const auto va = a->encode_images(images), vb = b->encode_images(images);
  const auto ta = a->encode_texts(ids, lengths), tb = b->encode_texts(ids, lengths);
  CHECK(torch::equal(va.abstract, vb.abstract));
  CHECK(torch::equal(va.grounded, vb.grounded));
  CHECK(torch::equal(ta.abstract, tb.abstract));
  CHECK(torch::equal(ta.grounded, tb.grounded));
}

}  // namespace

TEST_CASE("A saved model loads back with its config, vocabulary and weights", "[model][model_file]") {
  auto config = small_config();
  config.text.grounded_bidirectional = GENERATE(false, true);
  INFO("grounded_bidirectional " << config.text.grounded_bidirectional);
  TempDir dir;
  torch::manual_seed(12);
  gxn::GxnModel model(config);
  gxn::save_model(dir.file("m.gxn"), model, kVocab);
  // Written atomically: only the file itself is left in the directory.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);

  auto loaded = gxn::load_model(dir.file("m.gxn"));
  CHECK(loaded.vocabulary == kVocab);
  CHECK(gxn::to_json(loaded.model->config()) == gxn::to_json(model->config()));
  CHECK(loaded.model->fingerprint() == model->fingerprint());
  CHECK_FALSE(loaded.model->is_training());
  check_same_outputs(model, loaded.model, torch::randn({2, 12}));

  const auto info = gxn::read_model_info(dir.file("m.gxn"));
  CHECK(info.version == gxn::kModelFileVersion);
  CHECK(info.fingerprint == model->fingerprint());
  CHECK(info.config.text.vocab_size == 6);
}

TEST_CASE("A cnn-small model keeps its batch-norm statistics", "[model][model_file]") {
  TempDir dir;
  torch::manual_seed(13);
  auto c = small_config();
  c.image.backbone = gxn::Backbone::CnnSmall;
  gxn::GxnModel model(c);
  model->train();
  model->encode_images(torch::randn({4, 3, 16, 16}) + 3);  // moves the running statistics
  gxn::save_model(dir.file("cnn.gxn"), model, kVocab);
  auto loaded = gxn::load_model(dir.file("cnn.gxn"));
  check_same_outputs(model, loaded.model, torch::randn({2, 3, 16, 16}));
}

TEST_CASE("The weights section is what Module::save writes: CPU copies, the same bytes on every device",
          "[model][model_file]") {
  // save_model writes each tensor as a CPU copy (so a model trained on a GPU loads on the CPU);
  // on the CPU that copy is the tensor itself, and the bytes must be LibTorch's own.
  TempDir dir;
  torch::manual_seed(15);
  auto c = small_config();
  c.image.backbone = gxn::Backbone::CnnSmall;  // parameters, buffers and nested modules
  gxn::GxnModel model(c);
  gxn::save_model(dir.file("m.gxn"), model, kVocab);
  torch::serialize::OutputArchive archive;
  model->save(archive);
  std::string expected;
  archive.save_to([&expected](const void* data, std::size_t size) {
    expected.append(static_cast<const char*>(data), size);
    return size;
  });
  const auto file = gxn::read_section_file(dir.file("m.gxn"), "GXNMODEL", gxn::kModelFileVersion, "gxn model");
  const gxn::Section* weights = file.find("weights");
  REQUIRE(weights != nullptr);
  CHECK(std::string(weights->bytes) == expected);
}

TEST_CASE("A model with a TorchScript backbone carries the module itself", "[model][model_file]") {
  TempDir dir;
  torch::manual_seed(14);
  torch::jit::Module backbone("Tiny");
  backbone.register_parameter("weight", torch::randn({12, 3}), false);
  backbone.define("def forward(self, x):\n    return torch.matmul(x.mean([2, 3]), self.weight.t())\n");
  backbone.save(dir.file("tiny.pt"));
  auto c = small_config();
  c.image.backbone = gxn::Backbone::TorchScript;
  c.image.backbone_file = dir.file("tiny.pt");
  c.image.fine_tune = true;
  gxn::GxnModel model(c);
  {  // Fine-tuning changes the TorchScript module's weights; the file must keep the new ones.
    torch::NoGradGuard no_grad;
    model->named_parameters()["image_encoder.backbone.weight"].add_(1.0);
  }
  gxn::save_model(dir.file("ts.gxn"), model, kVocab);
  fs::remove(dir.file("tiny.pt"));
  auto loaded = gxn::load_model(dir.file("ts.gxn"));
  check_same_outputs(model, loaded.model, torch::randn({2, 3, 8, 8}));
}

TEST_CASE("Model files that are not, or no longer, intact are refused with the reason", "[model][model_file]") {
  TempDir dir;
  torch::manual_seed(15);
  gxn::GxnModel model(small_config());
  const auto path = dir.file("m.gxn");
  gxn::save_model(path, model, kVocab);
  const std::string good = read_bytes(path);
  const auto bad = dir.file("bad.gxn");

  SECTION("missing") { CHECK_THAT(load_error(dir.file("none.gxn")), Contains("none.gxn") && Contains("no such file")); }
  SECTION("wrong magic") {
    write_bytes(bad, "GXNINDEX" + good.substr(8));
    CHECK_THAT(load_error(bad), Contains("bad.gxn") && Contains("not a gxn model file"));
    write_bytes(bad, "");
    CHECK_THAT(load_error(bad), Contains("bad.gxn") && Contains("truncated"));
  }
  SECTION("another format version, older or newer") {
    const std::string current = "reads version " + std::to_string(gxn::kModelFileVersion);
    for (std::uint32_t version : {gxn::kModelFileVersion - 1, gxn::kModelFileVersion + 1}) {
      std::string other = good;
      other[8] = static_cast<char>(version);
      write_bytes(bad, other);
      CHECK_THAT(load_error(bad),
                 Contains("bad.gxn") && Contains("version " + std::to_string(version) + ";") && Contains(current));
    }
  }
  SECTION("truncated anywhere") {
    for (std::size_t keep : {std::size_t{5}, std::size_t{12}, std::size_t{30}, good.size() / 2, good.size() - 1}) {
      write_bytes(bad, good.substr(0, keep));
      INFO("kept " << keep << " bytes");
      CHECK_THAT(load_error(bad), Contains("bad.gxn") && Contains("truncated"));
    }
  }
  SECTION("a flipped byte in the weights") {
    std::string damaged = good;
    damaged[damaged.size() - 100] ^= 0x10;
    write_bytes(bad, damaged);
    CHECK_THAT(load_error(bad),
               Contains("bad.gxn") && Contains("damaged") && Contains("'weights'") && Contains("checksum"));
  }
  SECTION("bytes after the end") {
    write_bytes(bad, good + "x");
    CHECK_THAT(load_error(bad), Contains("bad.gxn") && Contains("unexpected bytes"));
  }
  SECTION("a config whose sizes imply more weights than the file holds, refused before allocating them") {
    // Consistent in every other way (its fingerprint is the config's): only the sizes tell.
    gxn::SectionFile file = gxn::read_section_file(path, "GXNMODEL", gxn::kModelFileVersion, "gxn model");
    gxn::ModelConfig huge = small_config();
    huge.text.vocab_size = static_cast<std::int64_t>(kVocab.size());
    huge.text.hidden_dim = 1 << 16;  // two GRUs of 3 * 2^16 * 2^16 floats: 100 GB
    const std::string config = gxn::to_json(huge);
    for (auto& section : file.sections)
      if (section.name == "config") section.bytes = config;
    file.fingerprint = gxn::model_fingerprint(huge);
    gxn::write_section_file(bad, "GXNMODEL", file);
    CHECK_THAT(load_error(bad), Contains("bad.gxn") && Contains("implies at least") && Contains("weights section"));
  }
  SECTION("a header that disagrees with the config") {
    std::string damaged = good;
    damaged[16] ^= 1;  // first byte of the fingerprint
    write_bytes(bad, damaged);
    CHECK_THAT(load_error(bad), Contains("bad.gxn") && Contains("fingerprint"));
  }
}

TEST_CASE("A failed save leaves the existing model file untouched", "[model][model_file]") {
  TempDir dir;
  gxn::GxnModel model(small_config());
  const auto path = dir.file("m.gxn");
  gxn::save_model(path, model, kVocab);
  const std::string before = read_bytes(path);
  CHECK_THROWS_WITH(gxn::save_model(path, model, {"too", "few"}), Contains("m.gxn") && Contains("vocabulary"));
  CHECK_THROWS_WITH(gxn::save_model(path, model, {"<pad>", "<unk>", "two\nlines", "x", "y", "z"}), Contains("word 2"));
  CHECK_THROWS_AS(gxn::save_model(dir.file("no/such/dir/m.gxn"), model, kVocab), gxn::Error);
  CHECK(read_bytes(path) == before);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("Section files round-trip any bytes and check their magic", "[model][model_file]") {
  TempDir dir;
  std::string binary(1000, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
  gxn::SectionFile file;
  file.version = 3;
  file.fingerprint = 0x0123456789abcdefull;
  file.sections = {{"empty", ""}, {"binary", binary}};
  gxn::write_section_file(dir.file("x.bin"), "GXNTEST!", file);
  const auto back = gxn::read_section_file(dir.file("x.bin"), "GXNTEST!", 3, "test");
  CHECK(back.version == 3);
  CHECK(back.fingerprint == 0x0123456789abcdefull);
  REQUIRE(back.sections.size() == 2);
  CHECK(back.find("empty")->bytes.empty());
  CHECK(back.find("binary")->bytes == binary);
  CHECK(back.find("other") == nullptr);
  CHECK_THROWS_WITH(gxn::read_section_file(dir.file("x.bin"), "GXNMODEL", 3, "gxn model"),
                    Contains("not a gxn model file"));
}
