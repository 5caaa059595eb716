#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/engine/text/vocabulary.hpp"
#include "support/error_of.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace {

using Captions = std::vector<std::vector<std::string>>;

// The message of the gxn::Error that loading `text` as a vocabulary file throws.
std::string load_error(const std::string& text, gxn::ErrorCode expected = gxn::ErrorCode::Format) {
  TempDir dir;
  const std::string path = dir.file("bad.txt");
  write_text(path, text);
  const std::string message = error_of([&] { gxn::Vocabulary::load(path); }, expected);
  CHECK(message.find(path) != std::string::npos);
  return message;
}

const std::string kHeader4 = "gxn-vocabulary 1 4\n<pad>\n<start>\n<end>\n<unk>\n";

}  // namespace

TEST_CASE("Vocabulary keeps words seen at least min_count times, most frequent first", "[vocabulary]") {
  Captions captions = {{"a", "dog", "runs"}, {"a", "dog"}, {"a", "cat"}, {"a", "cat", "dog"}, {"the"}};
  // counts: a 4, dog 3, cat 2, runs 1, the 1
  auto v = gxn::Vocabulary::build(captions, 2);
  REQUIRE(v.words() == std::vector<std::string>{"<pad>", "<start>", "<end>", "<unk>", "a", "dog", "cat"});
  CHECK(v.id("a") == 4);
  CHECK(v.id("runs") == gxn::Vocabulary::unk_id);
  CHECK_FALSE(v.contains("runs"));

  auto default_threshold = gxn::Vocabulary::build(captions);
  CHECK(default_threshold.size() == 5);  // specials + "a" (4 times)
}

TEST_CASE("Vocabulary ids do not depend on caption order; ties are in byte order", "[vocabulary]") {
  Captions forward = {{"zebra", "apple"}, {"apple", "zebra"}, {"mango"}, {"mango"}};
  Captions backward(forward.rbegin(), forward.rend());
  auto a = gxn::Vocabulary::build(forward, 1);
  auto b = gxn::Vocabulary::build(backward, 1);
  CHECK(a == b);
  CHECK(a.words() == std::vector<std::string>{"<pad>", "<start>", "<end>", "<unk>", "apple", "mango", "zebra"});
}

TEST_CASE("Vocabulary encodes, decodes and skips special tokens in the data", "[vocabulary]") {
  auto v = gxn::Vocabulary::build({gxn::tokenize("A red circle."), gxn::tokenize("a red <unk> square")}, 1);
  CHECK(v.contains("unk"));  // the tokenizer split "<unk>" into < unk >
  CHECK(v.size() == 4 + 8);  // a red circle . < unk > square
  auto ids = v.encode_caption(gxn::tokenize("A blue circle."));
  REQUIRE(ids.size() == 6);
  CHECK(ids.front() == gxn::Vocabulary::start_id);
  CHECK(ids[2] == gxn::Vocabulary::unk_id);
  CHECK(ids.back() == gxn::Vocabulary::end_id);
  CHECK(v.decode_text(ids) == "a <unk> circle .");
  CHECK(v.decode({v.id("red"), gxn::Vocabulary::end_id, v.id("circle")}) == std::vector<std::string>{"red"});
  CHECK(v.decode({gxn::Vocabulary::pad_id, v.id("red"), gxn::Vocabulary::pad_id}) == std::vector<std::string>{"red"});
  CHECK_THROWS_AS(v.decode({v.size()}), gxn::Error);
  CHECK_THROWS_AS(v.word(-1), gxn::Error);

  auto with_special = gxn::Vocabulary::build({{"<end>", "dog"}}, 1);
  CHECK(with_special.size() == 5);
}

TEST_CASE("Vocabulary refuses bad thresholds and tokens that cannot be saved", "[vocabulary]") {
  CHECK_THROWS_AS(gxn::Vocabulary::build({{"a"}}, 0), gxn::Error);
  CHECK_THROWS_AS(gxn::Vocabulary::build({{"two words"}}, 1), gxn::Error);
  CHECK_THROWS_AS(gxn::Vocabulary::build({{""}}, 1), gxn::Error);
  CHECK_THROWS_AS(gxn::Vocabulary::build({{"bad\xFF"}}, 1), gxn::Error);
}

TEST_CASE("Vocabulary saves and loads itself, UTF-8 words included", "[vocabulary]") {
  auto v = gxn::Vocabulary::build({gxn::tokenize("Café crème 一只狗 🐶 don't"), gxn::tokenize("café")}, 1);
  TempDir dir;
  const std::string path = dir.file("roundtrip.txt");
  v.save(path);
  auto loaded = gxn::Vocabulary::load(path);
  CHECK(loaded == v);
  CHECK(loaded.id("café") == 4);  // seen twice: first
  // Saving again over the file replaces it whole.
  gxn::Vocabulary().save(path);
  CHECK(gxn::Vocabulary::load(path).size() == 4);

  // Windows line ends are tolerated.
  const std::string crlf = dir.file("crlf.txt");
  write_text(crlf, "gxn-vocabulary 1 5\r\n<pad>\r\n<start>\r\n<end>\r\n<unk>\r\ndog\r\n");
  CHECK(gxn::Vocabulary::load(crlf).id("dog") == 4);
}

TEST_CASE("Vocabulary::load names the file and line of the damage", "[vocabulary][bad-input]") {
  CHECK(load_error("").find("empty") != std::string::npos);
  CHECK(load_error("hello\n").find("not a gxn vocabulary") != std::string::npos);
  CHECK(load_error("gxn-vocabulary one 4\n").find("line 1") != std::string::npos);
  CHECK(load_error("gxn-vocabulary 2 4\n", gxn::ErrorCode::Unsupported).find("version 2") != std::string::npos);
  CHECK(load_error("gxn-vocabulary 1 3\n<pad>\n<start>\n<end>\n").find("line 1") != std::string::npos);
  // Truncated: fewer entries than promised, or a last line cut mid-way.
  CHECK(load_error("gxn-vocabulary 1 6\n<pad>\n<start>\n<end>\n<unk>\ndog\n").find("truncated") != std::string::npos);
  CHECK(load_error(kHeader4.substr(0, kHeader4.size() - 3)).find("line 5: truncated") != std::string::npos);
  CHECK(load_error(kHeader4 + "dog\n").find("line 6: unexpected content") != std::string::npos);
  CHECK(load_error("gxn-vocabulary 1 4\n<pad>\n<end>\n<start>\n<unk>\n").find("line 3") != std::string::npos);
  const std::string five = "gxn-vocabulary 1 5\n<pad>\n<start>\n<end>\n<unk>\n";
  CHECK(load_error(five + "\xC3\x28\n").find("line 6: bad word '\\xC3('") != std::string::npos);
  CHECK(load_error(five + "two words\n").find("line 6: bad word") != std::string::npos);
  CHECK(load_error(five + "\n").find("line 6: bad word") != std::string::npos);
  CHECK(load_error(five + "<unk>\n").find("line 6: special token") != std::string::npos);
  CHECK(load_error("gxn-vocabulary 1 6\n<pad>\n<start>\n<end>\n<unk>\ndog\ndog\n")
            .find("line 7: duplicate word 'dog' (first on line 6)") != std::string::npos);
}

TEST_CASE("Vocabulary::load reports a missing file as NotFound", "[vocabulary][bad-input]") {
  try {
    gxn::Vocabulary::load("/nonexistent/vocab.txt");
    FAIL("no error");
  } catch (const gxn::Error& e) {
    CHECK(e.code() == gxn::ErrorCode::NotFound);
    CHECK(std::string(e.what()).find("/nonexistent/vocab.txt") != std::string::npos);
  }
}

TEST_CASE("Vocabulary::from_words keeps a model file's word list and refuses a damaged one",
          "[vocabulary][bad-input]") {
  const gxn::Vocabulary built = gxn::Vocabulary::build({{"a", "red", "a"}, {"red", "circle", "a"}}, 1);
  const gxn::Vocabulary copy = gxn::Vocabulary::from_words(built.words(), "m.gxn");
  REQUIRE(copy == built);
  REQUIRE(copy.id("circle") == built.id("circle"));
  auto words = built.words();
  std::swap(words[0], words[1]);
  REQUIRE_THROWS_WITH(gxn::Vocabulary::from_words(words, "m.gxn"),
                      Catch::Contains("m.gxn: vocabulary entry 0") && Catch::Contains("<pad>"));
  words = built.words();
  words.push_back("red");
  REQUIRE_THROWS_WITH(gxn::Vocabulary::from_words(words, "m.gxn"), Catch::Contains("duplicate word"));
  words = built.words();
  words.push_back("two words");
  REQUIRE_THROWS_WITH(gxn::Vocabulary::from_words(words, "m.gxn"), Catch::Contains("entry 7"));
  words = built.words();
  words.push_back("<unk>");
  REQUIRE_THROWS_WITH(gxn::Vocabulary::from_words(words, "m.gxn"), Catch::Contains("appears again"));
  REQUIRE_THROWS_WITH(gxn::Vocabulary::from_words({"<pad>"}, "m.gxn"), Catch::Contains("1 entries"));
}
