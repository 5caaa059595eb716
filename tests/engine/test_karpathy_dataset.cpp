#include <catch2/catch.hpp>
#include <string>

#include "gxn/engine/data/karpathy_dataset.hpp"
#include "gxn/error.hpp"

static std::string fixture(const char* name) { return std::string(GXN_TEST_DATA) + "/karpathy/" + name; }

TEST_CASE("A Karpathy dataset file is read with its splits and captions", "[karpathy]") {
  auto d = gxn::read_karpathy_dataset(fixture("dataset.json"));
  REQUIRE(d.name == "tiny");
  REQUIRE(d.images.size() == 3);
  REQUIRE(d.images[0].captions == std::vector<std::string>{"A red circle.", "red disc"});
  REQUIRE(d.images[1].path == "val2014/b.jpg");
  REQUIRE(d.images[1].split == "train");  // restval
  REQUIRE(d.split("train").size() == 2);
  REQUIRE(d.split("test").size() == 1);
  REQUIRE(d.split("val").empty());
}

TEST_CASE("A damaged Karpathy dataset file is refused with the culprit named", "[karpathy]") {
  auto message_of = [](const char* name) {
    try {
      gxn::read_karpathy_dataset(fixture(name));
    } catch (const gxn::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  REQUIRE_THAT(message_of("no_sentences.json"), Catch::Contains("images[0]") && Catch::Contains("sentences"));
  REQUIRE_THAT(message_of("bad_split.json"), Catch::Contains("holdout"));
  REQUIRE_THAT(message_of("truncated.json"), Catch::Contains("not valid JSON"));
  REQUIRE_THAT(message_of("no_filename.json"), Catch::Contains("filename"));
  REQUIRE_THAT(message_of("missing.json"), Catch::Contains("cannot open"));
}
