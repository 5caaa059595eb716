#include "gxn/engine/io/npy.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/error.hpp"

namespace gxn {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
// Headers are a few dozen bytes; a larger one than this is damage, not a real array.
constexpr std::uint64_t kMaxHeaderBytes = 1 << 20;
constexpr bool kLittleEndianHost = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

[[noreturn]] void refuse(const std::string& path, ErrorCode code, const std::string& reason) {
  throw Error(code, path + ": " + reason);
}

std::string shape_repr(const std::vector<std::int64_t>& shape) {  // as Python prints a tuple
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// ---- The header: a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }

struct Literal {
  enum class Kind { String, Integer, Boolean, None, Tuple, List, Dict };
  Kind kind = Kind::None;
  std::string text;               // String
  std::int64_t integer = 0;       // Integer
  bool overflow = false;          // Integer: does not fit in int64
  bool boolean = false;           // Boolean
  std::vector<Literal> items;     // Tuple, List; Dict: the values
  std::vector<std::string> keys;  // Dict: the keys (strings only)
};

class LiteralParser {
 public:
  LiteralParser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  Literal parse_document() {
    Literal value = parse_value(0);
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the header dict");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    refuse(path_, ErrorCode::Format, "malformed .npy header (" + what + " at byte " + std::to_string(pos_) + ")");
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  char peek() {
    skip_space();
    if (pos_ >= s_.size()) fail("the header ends early");
    return s_[pos_];
  }

  Literal parse_value(int depth) {
    if (depth > 32) fail("values nest too deeply");
    const char c = peek();
    if (c == '{') return parse_dict(depth);
    if (c == '(') return parse_sequence(depth, ')', Literal::Kind::Tuple);
    if (c == '[') return parse_sequence(depth, ']', Literal::Kind::List);
    if (c == '\'' || c == '"') return parse_string();
    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return parse_integer();
    return parse_word();
  }

  Literal parse_dict(int depth) {
    Literal d;
    d.kind = Literal::Kind::Dict;
    ++pos_;  // '{'
    while (peek() != '}') {
      if (peek() != '\'' && peek() != '"') fail("a dict key that is not a string");
      std::string key = parse_string().text;
      if (peek() != ':') fail("a missing ':' after a dict key");
      ++pos_;
      Literal value = parse_value(depth + 1);
      bool replaced = false;  // a repeated key keeps its last value, as in Python
      for (std::size_t i = 0; i < d.keys.size(); ++i)
        if (d.keys[i] == key) d.items[i] = value, replaced = true;
      if (!replaced) d.keys.push_back(std::move(key)), d.items.push_back(std::move(value));
      if (peek() == ',')
        ++pos_;
      else if (peek() != '}')
        fail("a missing ',' or '}' in a dict");
    }
    ++pos_;  // '}'
    return d;
  }

  Literal parse_sequence(int depth, char close, Literal::Kind kind) {
    Literal seq;
    seq.kind = kind;
    bool comma = false;
    ++pos_;  // '(' or '['
    while (peek() != close) {
      seq.items.push_back(parse_value(depth + 1));
      if (peek() == ',')
        ++pos_, comma = true;
      else if (peek() != close)
        fail(std::string("a missing ',' or '") + close + "'");
    }
    ++pos_;
    // "(3)" is just 3 in Python; only "(3,)" is a tuple.
    if (kind == Literal::Kind::Tuple && seq.items.size() == 1 && !comma) return seq.items[0];
    return seq;
  }

  Literal parse_string() {
    Literal str;
    str.kind = Literal::Kind::String;
    const char quote = s_[pos_++];
    while (true) {
      if (pos_ >= s_.size()) fail("an unterminated string");
      char c = s_[pos_++];
      if (c == quote) break;
      if (c == '\\') {
        if (pos_ >= s_.size()) fail("an unterminated string");
        c = s_[pos_++];
      }
      str.text += c;
    }
    return str;
  }

  Literal parse_integer() {
    Literal num;
    num.kind = Literal::Kind::Integer;
    bool negative = false;
    if (s_[pos_] == '-' || s_[pos_] == '+') negative = s_[pos_++] == '-';
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') fail("a malformed number");
    std::uint64_t value = 0;
    const std::uint64_t limit = std::numeric_limits<std::int64_t>::max();
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      const unsigned digit = static_cast<unsigned>(s_[pos_++] - '0');
      if (value > (limit - digit) / 10)
        num.overflow = true;
      else
        value = value * 10 + digit;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'L' || s_[pos_] == 'l')) ++pos_;  // Python 2 longs, in old files
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      fail("a number that is not an integer");
    num.integer = negative ? -static_cast<std::int64_t>(value) : static_cast<std::int64_t>(value);
    return num;
  }

  Literal parse_word() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && ((s_[pos_] >= 'a' && s_[pos_] <= 'z') || (s_[pos_] >= 'A' && s_[pos_] <= 'Z'))) ++pos_;
    const std::string word = s_.substr(start, pos_ - start);
    Literal w;
    if (word == "True" || word == "False") {
      w.kind = Literal::Kind::Boolean;
      w.boolean = word == "True";
    } else if (word == "None") {
      w.kind = Literal::Kind::None;
    } else {
      pos_ = start;
      fail(word.empty() ? "an unexpected character" : "an unexpected word '" + word + "'");
    }
    return w;
  }

  const std::string& s_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

enum class Dtype { Float32, Float16 };

Dtype parse_descr(const Literal& descr, const std::string& path) {
  if (descr.kind == Literal::Kind::List) refuse(path, ErrorCode::Unsupported, "structured dtypes are not supported");
  if (descr.kind != Literal::Kind::String) refuse(path, ErrorCode::Format, "header 'descr' is not a dtype string");
  const std::string& d = descr.text;
  if (d == "<f4") return Dtype::Float32;
  if (d == "<f2") return Dtype::Float16;
  if (d == ">f4" || d == ">f2")
    refuse(path, ErrorCode::Unsupported,
           "dtype '" + d +
               "' is big-endian; gxn reads little-endian float32 ('<f4') and float16 ('<f2'): "
               "save a.astype('<f4')");
  refuse(
      path, ErrorCode::Unsupported,
      "dtype '" + d + "' is not supported; gxn reads float32 ('<f4') and float16 ('<f2'): save a.astype(np.float32)");
}

struct Header {
  Dtype dtype = Dtype::Float32;
  std::vector<std::int64_t> shape;
  std::int64_t count = 1;
};

Header parse_header(const std::string& text, const std::string& path) {
  const Literal dict = LiteralParser(text, path).parse_document();
  if (dict.kind != Literal::Kind::Dict) refuse(path, ErrorCode::Format, "malformed .npy header (not a dict)");
  const Literal* descr = nullptr;
  const Literal* fortran = nullptr;
  const Literal* shape = nullptr;
  for (std::size_t i = 0; i < dict.keys.size(); ++i) {
    const std::string& k = dict.keys[i];
    if (k == "descr")
      descr = &dict.items[i];
    else if (k == "fortran_order")
      fortran = &dict.items[i];
    else if (k == "shape")
      shape = &dict.items[i];
    else
      refuse(path, ErrorCode::Format, "malformed .npy header (unexpected key '" + k + "')");
  }
  const std::pair<const Literal*, const char*> required[] = {
      {descr, "descr"}, {fortran, "fortran_order"}, {shape, "shape"}};
  for (const auto& [value, name] : required)
    if (!value) refuse(path, ErrorCode::Format, std::string("malformed .npy header (no '") + name + "' key)");

  Header h;
  h.dtype = parse_descr(*descr, path);
  if (fortran->kind != Literal::Kind::Boolean)
    refuse(path, ErrorCode::Format, "malformed .npy header ('fortran_order' is not True or False)");
  if (fortran->boolean)
    refuse(path, ErrorCode::Unsupported,
           "Fortran-order arrays are not supported; save np.ascontiguousarray(a) instead");
  if (shape->kind != Literal::Kind::Tuple)
    refuse(path, ErrorCode::Format, "malformed .npy header ('shape' is not a tuple)");
  const std::int64_t itemsize = h.dtype == Dtype::Float32 ? 4 : 2;
  for (const Literal& dim : shape->items) {
    if (dim.kind != Literal::Kind::Integer || dim.overflow || dim.integer < 0)
      refuse(path, ErrorCode::Format, "malformed .npy header ('shape' holds something other than a size)");
    h.shape.push_back(dim.integer);
  }
  for (std::int64_t dim : h.shape) {
    // Keep count * itemsize representable; a file that large cannot exist anyway.
    if (dim != 0 && h.count > std::numeric_limits<std::int64_t>::max() / itemsize / dim)
      refuse(path, ErrorCode::Format, "shape " + shape_repr(h.shape) + " holds too many values");
    h.count *= dim;
  }
  return h;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  const std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float32
    const float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -magnitude : magnitude;
  } else if (exponent == 31) {  // Inf, NaN (payload kept)
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

void read_exactly(std::FILE* f, void* dst, std::size_t bytes, const std::string& path, const char* what) {
  if (bytes > 0 && std::fread(dst, 1, bytes, f) != bytes)
    refuse(path, ErrorCode::Io,
           std::string("cannot read the ") + what + (std::ferror(f) ? ": read error" : ": file shrank while reading"));
}

std::uint32_t little_u32(const unsigned char* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Writes `count` float32 values from `rows` (row-major, maybe strided) as little-endian bytes.
void write_rows(AtomicFileWriter& out, const MatrixView& rows) {
  std::vector<unsigned char> swapped;
  for (std::int64_t r = 0; r < rows.rows; ++r) {
    const auto bytes = static_cast<std::size_t>(rows.cols) * 4;
    if constexpr (kLittleEndianHost) {
      out.write(rows.row(r), bytes);
    } else {
      swapped.resize(bytes);
      const auto* src = reinterpret_cast<const unsigned char*>(rows.row(r));
      for (std::size_t i = 0; i < bytes; i += 4)
        for (int b = 0; b < 4; ++b) swapped[i + b] = src[i + 3 - b];
      out.write(swapped.data(), bytes);
    }
  }
}

// The shared writer: `rows` holds the product(shape) values in C order.
// The number of values a shape holds; gxn::Error naming `path` for a negative size or a count
// whose bytes would overflow.
std::int64_t value_count(const std::string& path, const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim < 0) refuse(path, ErrorCode::Shape, "cannot write shape " + shape_repr(shape) + " (negative size)");
    if (dim != 0 && count > std::numeric_limits<std::int64_t>::max() / 4 / dim)
      refuse(path, ErrorCode::Shape, "cannot write shape " + shape_repr(shape) + " (too many values)");
    count *= dim;
  }
  return count;
}

void write_npy_rows(const std::string& path, const std::vector<std::int64_t>& shape, const MatrixView& rows) {
  check_view(rows, path.c_str());
  const std::int64_t count = value_count(path, shape);
  if (count != rows.rows * rows.cols)
    refuse(path, ErrorCode::Shape,
           "shape " + shape_repr(shape) + " needs " + std::to_string(count) + " values, given " +
               std::to_string(rows.rows * rows.cols));

  // numpy's layout: dict, spaces, '\n', so that the data starts on a 64-byte boundary.
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
  std::size_t preamble = kMagicSize + 2 + 2;  // version 1.0: 2-byte header length
  auto padded = [&] { return (preamble + dict.size() + 1 + 63) / 64 * 64 - preamble; };
  unsigned char major = 1;
  if (padded() > 0xffff) major = 2, preamble = kMagicSize + 2 + 4;
  const std::size_t header_len = padded();
  if (header_len > 0xffffffffu) refuse(path, ErrorCode::Shape, "shape " + shape_repr(shape) + " is too long to write");

  std::string bytes(kMagic, kMagicSize);
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) bytes += static_cast<char>((header_len >> (8 * i)) & 0xff);
  bytes += dict;
  bytes.append(header_len - dict.size() - 1, ' ');
  bytes += '\n';

  AtomicFileWriter out(path);
  out.write(bytes.data(), bytes.size());
  write_rows(out, rows);
  out.commit();
}

}  // namespace

std::int64_t NpyArray::count() const {
  std::int64_t n = 1;
  for (std::int64_t dim : shape) n *= dim;
  return n;
}

NpyArray read_npy(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    const int e = errno;
    refuse(path, e == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, std::string("cannot open: ") + std::strerror(e));
  }
  struct stat st {};
  if (::fstat(::fileno(f.get()), &st) != 0)
    refuse(path, ErrorCode::Io, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) refuse(path, ErrorCode::Io, "not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);

  unsigned char pre[12] = {};
  const std::size_t got = std::fread(pre, 1, std::min<std::uint64_t>(size, 10), f.get());
  if (got < kMagicSize || std::memcmp(pre, kMagic, kMagicSize) != 0)
    refuse(path, ErrorCode::Format, "not a .npy file (bad magic)");
  if (got < 8) refuse(path, ErrorCode::Format, "truncated .npy header (file is " + std::to_string(size) + " bytes)");
  const int major = pre[6], minor = pre[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    refuse(path, ErrorCode::Unsupported,
           "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
               " (gxn reads 1.0, 2.0 and 3.0)");
  const int len_bytes = major == 1 ? 2 : 4;
  const std::uint64_t preamble = kMagicSize + 2 + len_bytes;
  if (size < preamble)
    refuse(path, ErrorCode::Format, "truncated .npy header (file is " + std::to_string(size) + " bytes)");
  if (len_bytes == 4) read_exactly(f.get(), pre + 10, 2, path, "header length");
  const std::uint64_t header_len = little_u32(pre + 8, len_bytes);
  if (header_len > kMaxHeaderBytes)
    refuse(path, ErrorCode::Format, "malformed .npy header (claims " + std::to_string(header_len) + " bytes)");
  if (size < preamble + header_len)
    refuse(path, ErrorCode::Format,
           "truncated .npy header (needs " + std::to_string(header_len) + " bytes, file has " +
               std::to_string(size - preamble) + ")");
  // Versions 1 and 2 are latin-1, version 3 UTF-8: the keys and dtypes gxn accepts are ASCII
  // in all three, so the bytes are parsed as they are.
  std::string text(header_len, '\0');
  read_exactly(f.get(), text.data(), text.size(), path, "header");
  const Header h = parse_header(text, path);

  const std::uint64_t itemsize = h.dtype == Dtype::Float32 ? 4 : 2;
  const std::uint64_t need = static_cast<std::uint64_t>(h.count) * itemsize;
  const std::uint64_t have = size - preamble - header_len;
  if (have < need)
    refuse(path, ErrorCode::Format,
           "truncated data: shape " + shape_repr(h.shape) + " needs " + std::to_string(need) + " bytes, file has " +
               std::to_string(have));
  if (have > need)
    refuse(path, ErrorCode::Format,
           std::to_string(have - need) + " unexpected bytes after the data of shape " + shape_repr(h.shape));
  if (static_cast<std::uint64_t>(h.count) > std::vector<float>().max_size())
    refuse(path, ErrorCode::Unsupported, "shape " + shape_repr(h.shape) + " is too large for this machine");

  NpyArray array;
  array.shape = h.shape;
  array.data.resize(static_cast<std::size_t>(h.count));
  if (h.dtype == Dtype::Float32) {
    read_exactly(f.get(), array.data.data(), static_cast<std::size_t>(need), path, "data");
    if constexpr (!kLittleEndianHost) {
      for (float& x : array.data) {
        std::uint32_t b;
        std::memcpy(&b, &x, 4);
        b = __builtin_bswap32(b);
        std::memcpy(&x, &b, 4);
      }
    }
  } else {
    std::vector<unsigned char> chunk(std::size_t{1} << 17);
    for (std::size_t done = 0; done < array.data.size();) {
      const std::size_t n = std::min(chunk.size() / 2, array.data.size() - done);
      read_exactly(f.get(), chunk.data(), n * 2, path, "data");
      for (std::size_t i = 0; i < n; ++i)
        array.data[done + i] = half_to_float(static_cast<std::uint16_t>(chunk[2 * i] | (chunk[2 * i + 1] << 8)));
      done += n;
    }
  }
  return array;
}

void write_npy(const std::string& path, const std::vector<std::int64_t>& shape, const float* data) {
  const std::int64_t count = value_count(path, shape);
  write_npy_rows(path, shape, MatrixView(data, count > 0 ? 1 : 0, count));
}

void write_npy(const std::string& path, const NpyArray& array) {
  if (static_cast<std::int64_t>(array.data.size()) != array.count())
    refuse(path, ErrorCode::Shape,
           "shape " + shape_repr(array.shape) + " needs " + std::to_string(array.count()) +
               " values, the array holds " + std::to_string(array.data.size()));
  write_npy(path, array.shape, array.data.data());
}

Matrix read_npy_matrix(const std::string& path) {
  NpyArray a = read_npy(path);
  if (a.shape.size() != 2) refuse(path, ErrorCode::Shape, "expected a 2-D array, found shape " + shape_repr(a.shape));
  return Matrix(a.shape[0], a.shape[1], std::move(a.data));
}

void write_npy_matrix(const std::string& path, const MatrixView& matrix) {
  write_npy_rows(path, {matrix.rows, matrix.cols}, matrix);
}

Matrix read_embeddings(const std::string& path) {
  NpyArray a = read_npy(path);
  if (a.shape.size() != 3 || a.shape[1] != 2 || a.shape[2] == 0)
    refuse(path, ErrorCode::Shape,
           "expected embeddings of shape (N, 2, D) with D > 0 (row n = x_h, x_l), found shape " + shape_repr(a.shape));
  return Matrix(a.shape[0], 2 * a.shape[2], std::move(a.data));
}

void write_embeddings(const std::string& path, const MatrixView& rows) {
  if (rows.cols <= 0 || rows.cols % 2 != 0)
    refuse(path, ErrorCode::Shape,
           "embedding rows must hold 2·D values (x_h then x_l), given " + std::to_string(rows.cols) + " columns");
  write_npy_rows(path, {rows.rows, 2, rows.cols / 2}, rows);
}

}  // namespace gxn
