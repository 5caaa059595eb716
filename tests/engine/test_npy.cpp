// .npy reading against files numpy wrote (tests/data/npy/make_fixtures.py), refusal of every
// kind of damage with the file and reason named, and atomic round trips.
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gxn/engine/io/npy.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return std::string(GXN_TEST_DATA) + "/npy/" + name; }

// The error raised reading `name`: its code, and a message naming the file and `reason`.
void require_refused(const std::string& name, gxn::ErrorCode code, const std::string& reason) {
  INFO("fixture " << name);
  try {
    gxn::read_npy(fixture(name));
    FAIL("read_npy accepted " << name);
  } catch (const gxn::Error& e) {
    const std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(e.code() == code);
    CHECK(msg.find(fixture(name)) != std::string::npos);
    CHECK(msg.find(reason) != std::string::npos);
  }
}

const std::vector<float> kM23 = {0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 1.25f};

}  // namespace

TEST_CASE("read_npy reads float32 in format versions 1.0, 2.0 and 3.0", "[npy]") {
  for (const char* name : {"f4_v1.npy", "f4_v2.npy", "f4_v3.npy"}) {
    INFO(name);
    const gxn::NpyArray a = gxn::read_npy(fixture(name));
    REQUIRE(a.shape == std::vector<std::int64_t>{2, 3});
    REQUIRE(a.data == kM23);
    REQUIRE(a.count() == 6);
  }
}

TEST_CASE("read_npy widens float16 exactly, including subnormals, Inf and NaN", "[npy]") {
  const gxn::NpyArray a = gxn::read_npy(fixture("f2.npy"));
  REQUIRE(a.shape == std::vector<std::int64_t>{11});
  const auto& x = a.data;
  CHECK(x[0] == 0.0f);
  CHECK_FALSE(std::signbit(x[0]));
  CHECK(x[1] == 0.0f);
  CHECK(std::signbit(x[1]));
  CHECK(x[2] == 1.0f);
  CHECK(x[3] == -2.5f);
  CHECK(x[4] == 65504.0f);
  CHECK(x[5] == std::ldexp(1.0f, -14));
  CHECK(x[6] == std::ldexp(1.0f, -24));
  CHECK(x[7] == INFINITY);
  CHECK(x[8] == -INFINITY);
  CHECK(std::isnan(x[9]));
  CHECK(x[10] == 0.333251953125f);  // 1/3 rounded to half precision: 1365 * 2^-12
}

TEST_CASE("read_npy reads any rank: 0-d, 4-d, empty", "[npy]") {
  const gxn::NpyArray scalar = gxn::read_npy(fixture("scalar.npy"));
  REQUIRE(scalar.shape.empty());
  REQUIRE(scalar.data == std::vector<float>{3.5f});

  const gxn::NpyArray r4 = gxn::read_npy(fixture("rank4.npy"));
  REQUIRE(r4.shape == std::vector<std::int64_t>{2, 1, 3, 2});
  for (std::size_t i = 0; i < 12; ++i) REQUIRE(r4.data[i] == static_cast<float>(i));

  const gxn::NpyArray empty = gxn::read_npy(fixture("empty.npy"));
  REQUIRE(empty.shape == std::vector<std::int64_t>{0, 3});
  REQUIRE(empty.data.empty());
}

TEST_CASE("read_npy refuses damaged and unsupported files, naming the file and the reason", "[npy]") {
  using gxn::ErrorCode;
  require_refused("bad_magic.npy", ErrorCode::Format, "bad magic");
  require_refused("truncated_header.npy", ErrorCode::Format, "truncated .npy header");
  require_refused("truncated_data.npy", ErrorCode::Format, "truncated data");
  require_refused("trailing_data.npy", ErrorCode::Format, "4 unexpected bytes after the data");
  require_refused("version4.npy", ErrorCode::Unsupported, "format version 4.0");
  require_refused("fortran.npy", ErrorCode::Unsupported, "Fortran-order");
  require_refused("big_endian.npy", ErrorCode::Unsupported, "big-endian");
  require_refused("int64.npy", ErrorCode::Unsupported, "dtype '<i8' is not supported");
  require_refused("float64.npy", ErrorCode::Unsupported, "dtype '<f8' is not supported");
  require_refused("structured.npy", ErrorCode::Unsupported, "structured dtypes");
  require_refused("not_dict.npy", ErrorCode::Format, "not a dict");
  require_refused("shape_overflow.npy", ErrorCode::Format, "too many values");
  require_refused("negative_shape.npy", ErrorCode::Format, "'shape'");
  require_refused("extra_key.npy", ErrorCode::Format, "unexpected key 'units'");
  require_refused("missing_shape.npy", ErrorCode::Format, "no 'shape' key");
  require_refused("unterminated_header.npy", ErrorCode::Format, "malformed .npy header");
  require_refused("does_not_exist.npy", ErrorCode::NotFound, "cannot open");
}

TEST_CASE("a header that claims 10^12 rows is refused by the file's size, before any allocation", "[npy]") {
  TempDir dir;
  for (const std::string shape : {"(1000000000000, 2)", "(1099511627776,)", "(4294967296, 4294967296)"}) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    header.resize(117, ' ');
    header += '\n';  // 10 + 118 header bytes: the 64-byte alignment numpy writes
    std::string file = std::string("\x93NUMPY\x01\x00", 8) + '\x76' + '\x00' + header + std::string(64, '\0');
    write_text(dir.file("claims.npy"), file);
    INFO(shape);
    // 4294967296 x 4294967296 overflows 64 bits: named as too many values, not wrapped round.
    REQUIRE_THROWS_WITH(
        gxn::read_npy(dir.file("claims.npy")),
        Catch::Contains("claims.npy") && (Catch::Contains("truncated data") || Catch::Contains("too many values")));
  }
}

TEST_CASE("read_npy refuses a directory", "[npy]") {
  TempDir dir;
  REQUIRE_THROWS_AS(gxn::read_npy(dir.path.string()), gxn::Error);
}

TEST_CASE("write_npy writes byte for byte what numpy writes", "[npy]") {
  TempDir dir;
  gxn::write_npy(dir.file("m.npy"), {2, 3}, kM23.data());
  REQUIRE(read_text(dir.file("m.npy")) == read_text(fixture("f4_v1.npy")));
  gxn::write_npy_matrix(dir.file("m2.npy"), gxn::Matrix(2, 3, kM23));
  REQUIRE(read_text(dir.file("m2.npy")) == read_text(fixture("f4_v1.npy")));
  gxn::write_embeddings(dir.file("e.npy"), gxn::read_embeddings(fixture("embeddings.npy")));
  REQUIRE(read_text(dir.file("e.npy")) == read_text(fixture("embeddings.npy")));
}

TEST_CASE("write_npy then read_npy round-trips every rank and special values", "[npy]") {
  TempDir dir;
  const std::vector<std::vector<std::int64_t>> shapes = {{}, {0}, {7}, {3, 0}, {2, 3, 4}, {1, 2, 1, 3, 1}};
  for (const auto& shape : shapes) {
    gxn::NpyArray a;
    a.shape = shape;
    a.data.resize(static_cast<std::size_t>(a.count()));
    for (std::size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<float>(i) * 0.37f - 1.0f;
    if (a.data.size() > 2) a.data[1] = NAN, a.data[2] = -INFINITY;
    gxn::write_npy(dir.file("a.npy"), a);
    const gxn::NpyArray b = gxn::read_npy(dir.file("a.npy"));
    REQUIRE(b.shape == a.shape);
    REQUIRE(b.data.size() == a.data.size());
    // Bit for bit (NaN included); memcmp must not see the null pointer of an empty vector.
    REQUIRE((a.data.empty() || std::memcmp(b.data.data(), a.data.data(), a.data.size() * sizeof(float)) == 0));
  }
}

TEST_CASE("write_npy switches to format 2.0 when the header exceeds 64 KiB", "[npy]") {
  TempDir dir;
  gxn::NpyArray a;
  a.shape.assign(25000, 1);  // "1, " × 25000: a header over 65535 bytes
  a.data = {4.25f};
  gxn::write_npy(dir.file("long.npy"), a);
  const std::string bytes = read_text(dir.file("long.npy"));
  REQUIRE(bytes[6] == 2);
  REQUIRE((bytes.size() - 4) % 64 == 0);  // the data (4 bytes) starts 64-byte aligned
  const gxn::NpyArray b = gxn::read_npy(dir.file("long.npy"));
  REQUIRE(b.shape == a.shape);
  REQUIRE(b.data == a.data);
}

TEST_CASE("read_embeddings gives N x 2D rows of (x_h, x_l); float16 files too", "[npy]") {
  for (const char* name : {"embeddings.npy", "embeddings_f16.npy"}) {
    INFO(name);
    const gxn::Matrix e = gxn::read_embeddings(fixture(name));
    REQUIRE(e.rows() == 3);
    REQUIRE(e.cols() == 8);
    for (int n = 0; n < 3; ++n)
      for (int p = 0; p < 2; ++p)
        for (int d = 0; d < 4; ++d) REQUIRE(e(n, 4 * p + d) == static_cast<float>(100 * n + 10 * p + d));
  }
  try {
    gxn::read_embeddings(fixture("f4_v1.npy"));
    FAIL("a 2-D file was taken for embeddings");
  } catch (const gxn::Error& e) {
    REQUIRE(e.code() == gxn::ErrorCode::Shape);
    REQUIRE(std::string(e.what()).find("(N, 2, D)") != std::string::npos);
    REQUIRE(std::string(e.what()).find("(2, 3)") != std::string::npos);
  }
}

TEST_CASE("read_npy_matrix reads 2-D files only", "[npy]") {
  const gxn::Matrix m = gxn::read_npy_matrix(fixture("f4_v2.npy"));
  REQUIRE(m.rows() == 2);
  REQUIRE(m.cols() == 3);
  REQUIRE(m.values() == kM23);
  REQUIRE_THROWS_AS(gxn::read_npy_matrix(fixture("rank4.npy")), gxn::Error);
  REQUIRE_THROWS_AS(gxn::read_npy_matrix(fixture("scalar.npy")), gxn::Error);
}

TEST_CASE("write_npy_matrix writes a strided view row by row", "[npy]") {
  TempDir dir;
  const float wide[] = {1, 2, 99, 3, 4, 99};
  gxn::write_npy_matrix(dir.file("s.npy"), gxn::MatrixView(wide, 2, 2, 3));
  const gxn::NpyArray a = gxn::read_npy(dir.file("s.npy"));
  REQUIRE(a.shape == std::vector<std::int64_t>{2, 2});
  REQUIRE(a.data == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("writers refuse inconsistent shapes and leave the existing file alone", "[npy]") {
  TempDir dir;
  const std::string path = dir.file("keep.npy");
  gxn::write_npy(path, {2, 3}, kM23.data());
  const std::string before = read_text(path);

  gxn::NpyArray bad;
  bad.shape = {2, 2};
  bad.data = {1, 2, 3};
  REQUIRE_THROWS_AS(gxn::write_npy(path, bad), gxn::Error);
  REQUIRE_THROWS_AS(gxn::write_npy(path, {-1, 3}, kM23.data()), gxn::Error);
  const float odd[3] = {1, 2, 3};
  REQUIRE_THROWS_AS(gxn::write_embeddings(path, gxn::MatrixView(odd, 1, 3)), gxn::Error);
  REQUIRE(read_text(path) == before);
  // No temporary files are left behind.
  REQUIRE(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("a write that cannot happen names the path and damages nothing", "[npy]") {
  TempDir dir;
  // The destination's directory does not exist: the temporary file cannot be created.
  try {
    gxn::write_npy(dir.file("missing/x.npy"), {2, 3}, kM23.data());
    FAIL("wrote into a missing directory");
  } catch (const gxn::Error& e) {
    REQUIRE(e.code() == gxn::ErrorCode::Io);
    REQUIRE(std::string(e.what()).find("missing/x.npy") != std::string::npos);
  }
  // The destination is a directory: refused before anything is written.
  fs::create_directories(dir.path / "d.npy");
  REQUIRE_THROWS_AS(gxn::write_npy(dir.file("d.npy"), {2, 3}, kM23.data()), gxn::Error);
  REQUIRE(fs::is_directory(dir.path / "d.npy"));
}

TEST_CASE("a write that fails part way keeps the previous file and leaves no temporary", "[npy]") {
  TempDir dir;
  const std::string path = dir.file("keep.npy");
  gxn::write_npy(path, {2, 3}, kM23.data());
  const std::string before = read_text(path);

  // A file size limit makes write() fail with EFBIG after 1000 bytes, as a full disk would
  // (SIGXFSZ ignored so the process survives it). The limit applies to this process only.
  const std::vector<float> big(3000, 9.0f);
  struct rlimit old_limit {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 1000;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message;
  try {
    gxn::write_npy(path, {3000}, big.data());
  } catch (const gxn::Error& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);

  INFO("message: " << message);
  REQUIRE(message.find(path) != std::string::npos);
  REQUIRE(message.find("write failed") != std::string::npos);
  REQUIRE(read_text(path) == before);
  REQUIRE(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}
