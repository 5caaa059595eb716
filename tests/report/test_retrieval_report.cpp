#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/report/retrieval_report.hpp"
#include "gxn/report/split_queries.hpp"
#include "report/html_escape.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

gxn::Image solid(int w, int h, gxn::Rgb colour) {
  gxn::Image img(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) std::copy(colour.begin(), colour.end(), img.pixel(x, y));
  return img;
}

gxn::Rgb at(const gxn::Image& img, int x, int y) {
  const std::uint8_t* p = img.pixel(x, y);
  return {p[0], p[1], p[2]};
}

// A report with every kind of part, strings chosen to need escaping.
gxn::RetrievalReport sample_report(int text_queries) {
  gxn::RetrievalReport r;
  r.title = "Shapes <test> & \"quotes\"";
  r.facts = {{"model", "m<1>.gxn"}, {"data", "shapes"}};
  gxn::RetrievalMetrics m;
  m.i2t = {52.5, 80, 90, 1, 3.3};
  m.t2i = {41.3, 70, 85, 2, 4.5};
  m.rsum = 419;
  r.metrics = m;
  r.metrics_note = "test split: 30 images";
  r.generation = {{"captions: shapes F1 <all>", "0.750"}, {"imagined: colour at place", "61.0%"}};
  r.generation_note = "Imagined images are read cell by cell.";
  for (int q = 0; q < text_queries; ++q) {
    gxn::TextQueryResult t;
    t.text = "a red <circle> & a 'square' " + std::to_string(q);
    t.images.push_back({"wrong.png", solid(16, 16, {0, 0, 255}), -0.125, false});
    t.images.push_back({"right<1>.png", solid(16, 16, {255, 0, 0}), -0.25, true});
    t.images.push_back({"other.png", solid(8, 16, {0, 255, 0}), -0.5, false});
    r.text_queries.push_back(std::move(t));
  }
  r.text_queries[0].extra_images.push_back({"imagined <1>", solid(64, 64, {9, 9, 9})});
  gxn::ImageQueryResult i;
  i.name = "query & image.png";
  i.image = solid(64, 64, {200, 100, 0});
  i.captions = {{"<script>alert(1)</script>", -0.1, false}, {"an orange square", -0.2, true}};
  i.extra_texts.push_back({"generated", "a \"big\" orange square"});
  r.image_queries.push_back(std::move(i));
  return r;
}

}  // namespace

TEST_CASE("HTML escaping covers markup, quotes and invalid UTF-8", "[report]") {
  REQUIRE(gxn::html_escape("<a href=\"x\">Tom & Jerry's</a>") ==
          "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  REQUIRE(gxn::html_escape("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");  // valid UTF-8 kept
  REQUIRE(gxn::html_escape("bad \xff byte") == "bad \xef\xbf\xbd byte");
  REQUIRE(gxn::html_escape("") == "");
}

TEST_CASE("A report writes its page and PNGs, escaped, with the right image framed", "[report]") {
  TempDir dir;
  const std::string page = dir.file("report.html");
  gxn::ReportOptions options;
  options.sheet.thumbnail = 32;
  gxn::write_retrieval_report(page, sample_report(2), options);

  const std::string html = read_text(page);
  REQUIRE(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_THAT(html, Contains("<title>Shapes &lt;test&gt; &amp; &quot;quotes&quot;</title>"));
  CHECK_THAT(html, Contains("<dd>m&lt;1&gt;.gxn</dd>"));
  CHECK_THAT(html, Contains("a red &lt;circle&gt; &amp; a &#39;square&#39; 0"));
  CHECK_THAT(html, Contains(">right&lt;1&gt;.png</span><span class=\"score\">-0.2500 ✓</span>"));
  CHECK_THAT(html, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(html.find("<script>") == std::string::npos);
  CHECK_THAT(html, Contains("query &amp; image.png"));
  CHECK_THAT(html, Contains("a &quot;big&quot; orange square"));
  CHECK_THAT(html, Contains("imagined &lt;1&gt;"));
  // The metrics table, rounded to one decimal.
  CHECK_THAT(html, Contains("<td>52.5</td><td>80.0</td><td>90.0</td><td>1.0</td><td>3.3</td>"));
  CHECK_THAT(html, Contains("<td>41.3</td><td>70.0</td><td>85.0</td><td>2.0</td><td>4.5</td>"));
  CHECK_THAT(html, Contains("419.0"));
  CHECK_THAT(html, Contains("test split: 30 images"));
  CHECK_THAT(html, Contains("<h2>What the model imagines</h2>"));
  CHECK_THAT(html, Contains("<tr><td>captions: shapes F1 &lt;all&gt;</td><td>0.750</td></tr>"));
  CHECK_THAT(html, Contains("read cell by cell"));
  CHECK_THAT(html, Contains("<li class=\"right\">an orange square ✓"));
  for (const char* link : {"report_files/text_001.png", "report_files/text_002.png", "report_files/image_001.png",
                           "report_files/text_001_extra_1.png"})
    CHECK_THAT(html, Contains(std::string("src=\"") + link + "\""));

  // The strip: three tiles, the second framed in the marking colour, the others not.
  const gxn::Image strip = gxn::decode_image_file(dir.file("report_files/text_001.png"));
  REQUIRE(strip.width == options.sheet.gap + 3 * (32 + 2 * options.sheet.border + options.sheet.gap));
  for (int i = 0; i < 3; ++i) {
    const gxn::TileRect r = gxn::contact_sheet_tile(i, options.sheet);
    INFO("tile " << i);
    CHECK(at(strip, r.x, r.y + r.side / 2) == (i == 1 ? options.sheet.mark : options.sheet.frame));
    CHECK(at(strip, r.x + r.side / 2, r.y + r.side - 1) == (i == 1 ? options.sheet.mark : options.sheet.frame));
  }
  // The thumbnails are the images, in rank order.
  CHECK(at(strip, gxn::contact_sheet_tile(0, options.sheet).x + 20, 20) == gxn::Rgb{0, 0, 255});
  CHECK(at(strip, gxn::contact_sheet_tile(1, options.sheet).x + 20, 20) == gxn::Rgb{255, 0, 0});
  // The query image is fitted into query_image pixels.
  const gxn::Image query = gxn::decode_image_file(dir.file("report_files/image_001.png"));
  CHECK((query.width == options.query_image && query.height == options.query_image));
  CHECK(at(query, 5, 5) == gxn::Rgb{200, 100, 0});
}

TEST_CASE("Rewriting a report removes the PNGs it no longer uses, and only those", "[report]") {
  TempDir dir;
  const std::string page = dir.file("my report.html");
  gxn::write_retrieval_report(page, sample_report(3));
  REQUIRE(fs::exists(dir.file("my report_files/text_003.png")));
  // Links are percent-encoded.
  CHECK_THAT(read_text(page), Contains("src=\"my%20report_files/text_001.png\""));
  gxn::write_file_atomically(dir.file("my report_files/notes.txt"), std::string("mine"));
  gxn::write_retrieval_report(page, sample_report(1));
  CHECK_FALSE(fs::exists(dir.file("my report_files/text_003.png")));
  CHECK_FALSE(fs::exists(dir.file("my report_files/text_002.png")));
  CHECK(fs::exists(dir.file("my report_files/text_001.png")));
  CHECK(fs::exists(dir.file("my report_files/notes.txt")));
  CHECK(read_text(page).find("text_002") == std::string::npos);
}

TEST_CASE("A report that cannot be written names the path and keeps the old page", "[report]") {
  TempDir dir;
  const std::string page = dir.file("report.html");
  gxn::write_retrieval_report(page, sample_report(1));
  const std::string before = read_text(page);
  gxn::RetrievalReport bad = sample_report(1);
  bad.image_queries[0].image.pixels.clear();  // malformed
  REQUIRE_THROWS_WITH(gxn::write_retrieval_report(page, bad), Contains("image query 1") && Contains("malformed"));
  CHECK(read_text(page) == before);
  // The image folder's name is taken by a file.
  gxn::write_file_atomically(dir.file("blocked_files"), std::string("x"));
  REQUIRE_THROWS_WITH(gxn::write_retrieval_report(dir.file("blocked.html"), sample_report(1)),
                      Contains("blocked_files"));
  CHECK_FALSE(fs::exists(dir.file("blocked.html")));
}

TEST_CASE("Split queries rank by s*, mark the right answers and decode only what is shown", "[report]") {
  TempDir dir;
  // Two images; D = 1, rows (x_h, x_l). Image 0 = (1, 0), image 1 = (0, 1).
  gxn::write_png(dir.file("zero.png"), solid(8, 8, {10, 20, 30}));
  gxn::write_png(dir.file("one.png"), solid(8, 8, {40, 50, 60}));
  const gxn::Matrix images(2, 2, {1, 0, 0, 1});
  // Captions 0-4 belong to image 0 and 5-9 to image 1; caption 2 (0.1, 1) looks like image 1.
  std::vector<float> t;
  for (int j = 0; j < 10; ++j) {
    const bool like_zero = j < 5 && j != 2;
    t.push_back(like_zero ? 1.f : j == 2 ? 0.1f : 0.f);
    t.push_back(like_zero ? 0.f : 1.f);
  }
  const gxn::Matrix texts(10, 2, t);
  gxn::ReportSplit split;
  split.images = images;
  split.texts = texts;
  split.image_paths = {dir.file("zero.png"), dir.file("one.png")};
  split.image_names = {"zero", "one"};
  for (int j = 0; j < 10; ++j) split.captions.push_back("caption " + std::to_string(j));

  gxn::RetrievalReport report;
  gxn::add_split_queries(report, split, {2, 7}, {0}, {}, 5);
  REQUIRE(report.text_queries.size() == 2);
  const auto& q2 = report.text_queries[0];
  REQUIRE(q2.text == "caption 2");
  REQUIRE(q2.images.size() == 2);  // k is clamped to the images there are
  // s*(t=(0.1,1), v) = 0.5·s_h + 0.5·s_l: image 1 violates nothing, image 0 by 0.9 in x_h.
  CHECK(q2.images[0].name == "one");
  CHECK(q2.images[0].score == 0.0);
  CHECK_FALSE(q2.images[0].relevant);
  CHECK(q2.images[1].name == "zero");
  CHECK(q2.images[1].score == Approx(-0.405));
  CHECK(q2.images[1].relevant);
  CHECK(at(q2.images[1].image, 3, 3) == gxn::Rgb{10, 20, 30});
  CHECK(q2.right_rank == 2);
  CHECK(report.text_queries[1].images[0].name == "one");
  CHECK(report.text_queries[1].right_rank == 1);
  CHECK(report.text_queries[1].images[0].relevant);

  REQUIRE(report.image_queries.size() == 1);
  const auto& iq = report.image_queries[0];
  CHECK(iq.name == "zero");
  REQUIRE(iq.captions.size() == 5);
  for (int r = 0; r < 4; ++r) {  // captions 0, 1, 3, 4 score 0; then caption 2, also right
    CHECK(iq.captions[r].score == 0.0);
    CHECK(iq.captions[r].relevant);
  }
  CHECK(iq.captions[4].text == "caption 2");
  CHECK(iq.captions[4].score == Approx(-0.405));
  CHECK(iq.captions[4].relevant);
  CHECK(iq.right_rank == 1);
  // Image 1 with every caption listed (k = 10): only its own, 5-9, are marked.
  gxn::RetrievalReport other;
  gxn::add_split_queries(other, split, {}, {1}, {}, 10);
  for (const auto& c : other.image_queries[0].captions)
    CHECK(c.relevant == (c.text != "caption 2" && c.text >= "caption 5"));

  // With k = 1 the right image of caption 2 is not shown: the page says where it ranked.
  gxn::RetrievalReport top1;
  gxn::add_split_queries(top1, split, {2}, {}, {}, 1);
  REQUIRE(top1.text_queries[0].images.size() == 1);
  CHECK(top1.text_queries[0].right_rank == 2);
  gxn::write_retrieval_report(dir.file("top1.html"), top1);
  std::ifstream page(dir.file("top1.html"));
  const std::string html((std::istreambuf_iterator<char>(page)), {});
  CHECK_THAT(html, Contains("The right image is ranked 2nd."));

  // Bad requests name what is wrong.
  REQUIRE_THROWS_WITH(gxn::add_split_queries(report, split, {10}, {}, {}), Contains("caption query 10"));
  REQUIRE_THROWS_WITH(gxn::add_split_queries(report, split, {}, {2}, {}), Contains("image query 2"));
  split.captions.pop_back();
  REQUIRE_THROWS_WITH(gxn::add_split_queries(report, split, {0}, {}, {}), Contains("9 captions"));
  split.captions.push_back("caption 9");
  split.image_paths[1] = dir.file("missing.png");
  REQUIRE_THROWS_WITH(gxn::add_split_queries(report, split, {7}, {}, {}), Contains("missing.png"));
}

TEST_CASE("Example queries are spread evenly", "[report]") {
  CHECK(gxn::spread_indices(10, 3) == std::vector<std::int64_t>{0, 3, 6});
  CHECK(gxn::spread_indices(2, 5) == std::vector<std::int64_t>{0, 1});
  CHECK(gxn::spread_indices(0, 5).empty());
  CHECK(gxn::spread_indices(5, 0).empty());
}

TEST_CASE("A right answer ranked below those shown is reported with its ordinal", "[report]") {
  TempDir dir;
  gxn::RetrievalReport r;
  for (std::int64_t rank : {1, 3, 11, 21, 22, 103, 112}) {
    gxn::TextQueryResult t;
    t.text = "query";
    t.images.push_back({"x.png", solid(4, 4, {1, 2, 3}), -1, false});
    t.right_rank = rank;
    r.text_queries.push_back(std::move(t));
  }
  gxn::ImageQueryResult i;
  i.name = "q.png";
  i.image = solid(4, 4, {1, 2, 3});
  i.captions = {{"a", -1, false}, {"b", -2, false}};
  i.right_rank = 2;  // shown: no note
  r.image_queries.push_back(std::move(i));
  gxn::write_retrieval_report(dir.file("r.html"), r);
  const std::string html = read_text(dir.file("r.html"));
  CHECK(html.find("ranked 1st") == std::string::npos);  // shown: no note
  for (const char* ordinal : {"3rd", "11th", "21st", "22nd", "103rd", "112th"})
    CHECK_THAT(html, Contains(std::string("The right image is ranked ") + ordinal + "."));
  CHECK(html.find("The right caption") == std::string::npos);
}
