#include "gxn/engine/text/vocabulary.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/text/tokenizer.hpp"
#include "gxn/error.hpp"

namespace gxn {

namespace {

constexpr const char* kMagic = "gxn-vocabulary";
constexpr std::int64_t kFormatVersion = 1;
constexpr std::int64_t kMaxEntries = std::int64_t{1} << 31;  // far above any real vocabulary

const char* const kSpecials[] = {Vocabulary::pad_token, Vocabulary::start_token, Vocabulary::end_token,
                                 Vocabulary::unk_token};

bool is_special(std::string_view word) {
  for (const char* s : kSpecials)
    if (word == s) return true;
  return false;
}

// `text` for an error message: quoted, control bytes and non-ASCII escaped, cut to 40 bytes.
std::string printable(std::string_view text) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < 40; ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x20 && b < 0x7F) {
      out += static_cast<char>(b);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", b);
      out += hex;
    }
  }
  if (text.size() > 40) out += "...";
  return out + "'";
}

// A non-negative decimal integer that is the whole of `text`, or -1.
std::int64_t parse_count(std::string_view text) {
  if (text.empty() || text.size() > 18) return -1;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

Vocabulary::Vocabulary() : Vocabulary(std::vector<std::string>(std::begin(kSpecials), std::end(kSpecials))) {}

Vocabulary::Vocabulary(std::vector<std::string> words) : words_(std::move(words)) {
  ids_.reserve(words_.size());
  for (std::size_t i = 0; i < words_.size(); ++i) ids_.emplace(words_[i], static_cast<std::int64_t>(i));
}

Vocabulary Vocabulary::build(const std::vector<std::vector<std::string>>& captions, std::int64_t min_count) {
  std::unordered_map<std::string, std::int64_t> counts;
  for (const auto& caption : captions)
    for (const auto& token : caption) ++counts[token];
  return from_counts(counts, min_count);
}

Vocabulary Vocabulary::from_counts(const std::unordered_map<std::string, std::int64_t>& counts,
                                   std::int64_t min_count) {
  if (min_count < 1)
    throw Error(ErrorCode::InvalidArgument,
                "vocabulary: min_count must be at least 1, got " + std::to_string(min_count));
  std::vector<std::pair<std::string, std::int64_t>> kept;
  for (const auto& [word, count] : counts) {
    if (is_special(word)) continue;
    if (!is_valid_token(word))
      throw Error(ErrorCode::InvalidArgument,
                  "vocabulary: " + printable(word) +
                      " is not a token (empty, invalid UTF-8, or holding white space or control characters)");
    if (count >= min_count) kept.emplace_back(word, count);
  }
  // Most frequent first, ties in byte order: independent of the order captions came in.
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::string> words(std::begin(kSpecials), std::end(kSpecials));
  for (auto& entry : kept) words.push_back(std::move(entry.first));
  return Vocabulary(std::move(words));
}

std::int64_t Vocabulary::id(std::string_view word) const {
  auto it = ids_.find(std::string(word));
  return it == ids_.end() ? unk_id : it->second;
}

bool Vocabulary::contains(std::string_view word) const { return ids_.count(std::string(word)) != 0; }

const std::string& Vocabulary::word(std::int64_t id) const {
  if (id < 0 || id >= size())
    throw Error(ErrorCode::InvalidArgument,
                "vocabulary: id " + std::to_string(id) + " is out of range [0, " + std::to_string(size()) + ")");
  return words_[static_cast<std::size_t>(id)];
}

std::vector<std::int64_t> Vocabulary::encode(const std::vector<std::string>& tokens) const {
  std::vector<std::int64_t> ids;
  ids.reserve(tokens.size());
  for (const auto& token : tokens) ids.push_back(id(token));
  return ids;
}

std::vector<std::int64_t> Vocabulary::encode_caption(const std::vector<std::string>& tokens) const {
  std::vector<std::int64_t> ids;
  ids.reserve(tokens.size() + 2);
  ids.push_back(start_id);
  for (const auto& token : tokens) ids.push_back(id(token));
  ids.push_back(end_id);
  return ids;
}

std::vector<std::string> Vocabulary::decode(const std::vector<std::int64_t>& ids) const {
  std::vector<std::string> out;
  for (std::int64_t id : ids) {
    const std::string& w = word(id);
    if (id == end_id) break;
    if (id == pad_id || id == start_id) continue;
    out.push_back(w);
  }
  return out;
}

std::string Vocabulary::decode_text(const std::vector<std::int64_t>& ids) const {
  std::string text;
  for (const auto& w : decode(ids)) {
    if (!text.empty()) text += ' ';
    text += w;
  }
  return text;
}

void Vocabulary::save(const std::string& path) const {
  std::string text = std::string(kMagic) + " " + std::to_string(kFormatVersion) + " " + std::to_string(size()) + "\n";
  for (const auto& w : words_) {
    text += w;
    text += '\n';
  }
  write_file_atomically(path, text);
}

Vocabulary Vocabulary::from_words(std::vector<std::string> words, const std::string& source) {
  auto bad = [&](std::size_t i, const std::string& why) {
    return Error(ErrorCode::Format, source + ": vocabulary entry " + std::to_string(i) + ": " + why);
  };
  if (words.size() < 4 || static_cast<std::int64_t>(words.size()) > kMaxEntries)
    throw Error(ErrorCode::Format, source + ": a vocabulary of " + std::to_string(words.size()) +
                                       " entries (expected the 4 special tokens and at most " +
                                       std::to_string(kMaxEntries) + " in all)");
  std::unordered_map<std::string_view, std::size_t> first;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (i < 4 && w != kSpecials[i])
      throw bad(i, "expected the special token " + std::string(kSpecials[i]) + ", found " + printable(w));
    if (i >= 4 && !is_valid_token(w))
      throw bad(i,
                "bad word " + printable(w) + " (empty, invalid UTF-8, or holding white space or control characters)");
    if (i >= 4 && is_special(w)) throw bad(i, "special token " + printable(w) + " appears again");
    auto [it, inserted] = first.emplace(w, i);
    if (!inserted)
      throw bad(i, "duplicate word " + printable(w) + " (first at entry " + std::to_string(it->second) + ")");
  }
  return Vocabulary(std::move(words));
}

Vocabulary Vocabulary::load(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  const std::string_view content(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string file = "'" + path + "'";
  auto damaged = [&](std::int64_t line, const std::string& why) {
    return Error(ErrorCode::Format, "vocabulary file " + file + ", line " + std::to_string(line) + ": " + why);
  };

  // Split into lines; the last one must end with '\n' or the file was cut short.
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string_view::npos)
      throw damaged(static_cast<std::int64_t>(lines.size()) + 1, "truncated (the line has no end)");
    std::string_view line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  if (lines.empty()) throw Error(ErrorCode::Format, "vocabulary file " + file + " is empty");

  // Header: magic, version, number of entries.
  const std::string_view header = lines[0];
  const std::string magic_prefix = std::string(kMagic) + " ";
  if (header.substr(0, magic_prefix.size()) != magic_prefix)
    throw Error(ErrorCode::Format, "vocabulary file " + file + " is not a gxn vocabulary (line 1 should start with '" +
                                       kMagic + "', found " + printable(header) + ")");
  const std::string_view rest = header.substr(magic_prefix.size());
  const std::size_t space = rest.find(' ');
  const std::int64_t version = parse_count(rest.substr(0, space));
  const std::int64_t count = space == std::string_view::npos ? -1 : parse_count(rest.substr(space + 1));
  if (version < 0 || count < 0)
    throw damaged(1, "malformed header " + printable(header) + " (expected '" + kMagic + " <version> <size>')");
  if (version != kFormatVersion)
    throw Error(ErrorCode::Unsupported, "vocabulary file " + file + ": format version " + std::to_string(version) +
                                            " is not supported (this build reads version " +
                                            std::to_string(kFormatVersion) + ")");
  if (count < 4 || count > kMaxEntries)
    throw damaged(1, "entry count " + std::to_string(count) + " is out of range (at least the 4 special tokens)");

  const auto available = static_cast<std::int64_t>(lines.size()) - 1;
  if (available < count)
    throw Error(ErrorCode::Format, "vocabulary file " + file + " is truncated: the header promises " +
                                       std::to_string(count) + " entries, the file holds " + std::to_string(available));
  if (available > count)
    throw damaged(count + 2, "unexpected content after the " + std::to_string(count) + " entries the header promises");

  std::vector<std::string> words;
  words.reserve(static_cast<std::size_t>(count));
  std::unordered_map<std::string, std::int64_t> first_line;
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t line_no = i + 2;
    const std::string_view w = lines[static_cast<std::size_t>(i + 1)];
    if (i < 4) {
      if (w != kSpecials[i])
        throw damaged(line_no, "expected the special token " + std::string(kSpecials[i]) + ", found " + printable(w));
    } else {
      if (!is_valid_token(w))
        throw damaged(line_no, "bad word " + printable(w) +
                                   " (empty, invalid UTF-8, or holding white space or control characters)");
      if (is_special(w)) throw damaged(line_no, "special token " + printable(w) + " appears again");
    }
    auto [it, inserted] = first_line.emplace(std::string(w), line_no);
    if (!inserted)
      throw damaged(line_no, "duplicate word " + printable(w) + " (first on line " + std::to_string(it->second) + ")");
    words.emplace_back(w);
  }
  return Vocabulary(std::move(words));
}

}  // namespace gxn
