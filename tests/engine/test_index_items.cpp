// The index's items: the caller's ids and payloads, adding and removing, and their refusals.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "gxn/engine/search/index.hpp"
#include "support/error_of.hpp"
#include "support/files.hpp"
#include "support/random_rows.hpp"
#include "support/temp_dir.hpp"

namespace {

gxn::Matrix pick_rows(const gxn::Matrix& m, const std::vector<std::int64_t>& rows) {
  gxn::Matrix out(static_cast<std::int64_t>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::copy(m.row(rows[i]), m.row(rows[i]) + m.cols(), out.row(static_cast<std::int64_t>(i)));
  return out;
}

// Exact search: a shortlist of every item, every IVF list probed.
gxn::SearchOptions exhaustive(const gxn::RetrievalIndex& index) {
  gxn::SearchOptions o;
  o.shortlist = index.size();
  o.nprobe = std::max<std::int64_t>(1, index.nlist());
  return o;
}

}  // namespace

TEST_CASE("index items: search returns the caller's ids; ids and payloads survive save and load", "[index]") {
  std::mt19937 rng(11);
  const gxn::Matrix items = uniform_rows(200, 8, rng), queries = uniform_rows(9, 8, rng);
  std::vector<std::int64_t> ids;
  std::vector<std::string> payloads;
  for (std::int64_t i = 0; i < 200; ++i) {
    ids.push_back(1000 + 7 * i);
    payloads.push_back(i % 3 == 0 ? "" : "images/scene " + std::to_string(i) + ".png");
  }
  const auto plain = gxn::RetrievalIndex::build(items);
  const auto named = gxn::RetrievalIndex::build(items, ids, payloads);
  REQUIRE(plain.ids().front() == 0);
  REQUIRE_FALSE(plain.has_payloads());
  REQUIRE(plain.payload(5).empty());
  REQUIRE(named.has_payloads());
  REQUIRE(named.payload(1007) == "images/scene 1.png");
  REQUIRE(named.contains(1000 + 7 * 199));
  REQUIRE_FALSE(named.contains(1001));

  const gxn::TopK a = plain.search(queries, 10, exhaustive(plain)), b = named.search(queries, 10, exhaustive(named));
  REQUIRE(a.score == b.score);
  for (std::size_t i = 0; i < a.index.size(); ++i) REQUIRE(b.index[i] == 1000 + 7 * a.index[i]);

  TempDir dir;
  named.save(dir.file("named.gxnindex"));
  const auto loaded = gxn::RetrievalIndex::load(dir.file("named.gxnindex"));
  REQUIRE(loaded.ids() == ids);
  REQUIRE(loaded.payload(1007) == "images/scene 1.png");
  REQUIRE(loaded.payload(1000).empty());
  const gxn::TopK c = loaded.search(queries, 10, exhaustive(loaded));
  REQUIRE(c.index == b.index);
  loaded.save(dir.file("again.gxnindex"));
  REQUIRE(read_text(dir.file("again.gxnindex")) == read_text(dir.file("named.gxnindex")));
}

TEST_CASE("index items: adding and removing give the index a fresh build of the same items gives", "[index]") {
  std::mt19937 rng(12);
  const gxn::Matrix all = uniform_rows(900, 12, rng), queries = uniform_rows(15, 12, rng);
  for (auto kind : {gxn::ShortlistKind::Flat, gxn::ShortlistKind::Ivf}) {
    gxn::IndexOptions options;
    options.kind = kind;
    std::vector<std::int64_t> first(600), second(300);
    for (std::int64_t i = 0; i < 600; ++i) first[static_cast<std::size_t>(i)] = i;
    for (std::int64_t i = 0; i < 300; ++i) second[static_cast<std::size_t>(i)] = 600 + i;
    auto index = gxn::RetrievalIndex::build(pick_rows(all, first), options);
    index.add(pick_rows(all, second));  // ids continue: 600..899
    REQUIRE(index.size() == 900);
    REQUIRE(*std::max_element(index.ids().begin(), index.ids().end()) == 899);
    std::vector<std::int64_t> removed, kept;
    for (std::int64_t i = 0; i < 900; ++i) (i % 4 == 1 ? removed : kept).push_back(i);
    index.remove(removed);
    REQUIRE(index.size() == static_cast<std::int64_t>(kept.size()));
    REQUIRE_FALSE(index.contains(1));

    const auto fresh = gxn::RetrievalIndex::build(pick_rows(all, kept), kept, {}, options);
    const gxn::TopK got = index.search(queries, 20, exhaustive(index));
    const gxn::TopK want = fresh.search(queries, 20, exhaustive(fresh));
    REQUIRE(got.index == want.index);
    REQUIRE(got.score == want.score);
    for (std::int64_t id : got.index) REQUIRE(id % 4 != 1);
  }
}

TEST_CASE("index items: payloads may come later; ties go to the lower id", "[index]") {
  std::mt19937 rng(13);
  gxn::Matrix same(3, 4);
  for (std::int64_t r = 0; r < 3; ++r)
    for (std::int64_t c = 0; c < 4; ++c) same(r, c) = 0.25f;
  auto index = gxn::RetrievalIndex::build(same, {30, 10, 20}, {});
  const gxn::TopK top = index.search(uniform_rows(1, 4, rng), 3);
  REQUIRE(top.index == std::vector<std::int64_t>{10, 20, 30});
  index.add(uniform_rows(2, 4, rng), {}, {"a.png", "b.png"});
  REQUIRE(index.has_payloads());
  REQUIRE(index.payload(30).empty());
  REQUIRE(index.payload(31) == "a.png");
  index.add(uniform_rows(1, 4, rng));
  REQUIRE(index.payload(33).empty());
}

TEST_CASE("index items: bad ids, payloads and removals are refused and change nothing", "[index]") {
  std::mt19937 rng(14);
  const gxn::Matrix items = uniform_rows(20, 6, rng);
  using gxn::ErrorCode;
  CHECK(error_of(
            [&] {
              gxn::RetrievalIndex::build(items, {1, 2}, {});
            },
            ErrorCode::Shape)
            .find("2 ids for 20") != std::string::npos);
  std::vector<std::int64_t> ids(20);
  for (std::int64_t i = 0; i < 20; ++i) ids[static_cast<std::size_t>(i)] = i;
  ids[7] = 3;
  CHECK(error_of([&] { gxn::RetrievalIndex::build(items, ids, {}); }, ErrorCode::InvalidArgument)
            .find("ids[7] = 3: the id is already used") != std::string::npos);
  ids[7] = -1;
  CHECK(error_of([&] { gxn::RetrievalIndex::build(items, ids, {}); }, ErrorCode::InvalidArgument).find("ids[7] = -1") !=
        std::string::npos);
  std::vector<std::string> payloads(20, "x");
  payloads[4] = std::string(gxn::kMaxPayloadBytes + 1, 'a');
  CHECK(error_of([&] { gxn::RetrievalIndex::build(items, {}, payloads); }, ErrorCode::InvalidArgument)
            .find("payloads[4]") != std::string::npos);
  payloads[4] = std::string("a\0b", 3);
  CHECK(error_of([&] { gxn::RetrievalIndex::build(items, {}, payloads); }, ErrorCode::InvalidArgument).find("NUL") !=
        std::string::npos);

  auto index = gxn::RetrievalIndex::build(items);
  const gxn::Matrix more = uniform_rows(2, 6, rng);
  CHECK(error_of(
            [&] {
              index.add(more, {5, 40});
            },
            ErrorCode::InvalidArgument)
            .find("ids[0] = 5") != std::string::npos);
  CHECK(error_of([&] { index.add(uniform_rows(2, 8, rng)); }, ErrorCode::Shape).find("2·D") != std::string::npos);
  CHECK(error_of([&] { index.remove({3, 77}); }, ErrorCode::NotFound).find("77") != std::string::npos);
  CHECK(error_of([&] { index.remove(index.ids()); }, ErrorCode::InvalidArgument).find("empty") != std::string::npos);
  CHECK(error_of([&] { index.payload(99); }, ErrorCode::NotFound).find("99") != std::string::npos);
  REQUIRE(index.size() == 20);  // nothing added or removed
  REQUIRE(index.contains(3));
}
