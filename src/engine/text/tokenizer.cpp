#include "gxn/engine/text/tokenizer.hpp"

#include <cstdint>

namespace gxn {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

struct Decoded {
  char32_t code_point;
  std::size_t length;  // bytes consumed: the sequence, or the maximal ill-formed subpart
  bool valid;
};

// Decodes one character at s[0..n) (n >= 1) following Unicode's table of well-formed
// sequences (3-7): the second byte's range depends on the lead byte, which rules out overlong
// forms, surrogates and values above U+10FFFF.
Decoded decode_one(const unsigned char* s, std::size_t n) {
  const unsigned char lead = s[0];
  if (lead < 0x80) return {lead, 1, true};
  std::size_t trailing;
  char32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    trailing = 1, cp = lead & 0x1F;
  } else if (lead == 0xE0) {
    trailing = 2, cp = lead & 0x0F, lo = 0xA0;
  } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
    trailing = 2, cp = lead & 0x0F;
  } else if (lead == 0xED) {
    trailing = 2, cp = lead & 0x0F, hi = 0x9F;
  } else if (lead == 0xF0) {
    trailing = 3, cp = lead & 0x07, lo = 0x90;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    trailing = 3, cp = lead & 0x07;
  } else if (lead == 0xF4) {
    trailing = 3, cp = lead & 0x07, hi = 0x8F;
  } else {
    return {kReplacement, 1, false};
  }
  for (std::size_t i = 1; i <= trailing; ++i) {
    if (i >= n || s[i] < lo || s[i] > hi) return {kReplacement, i, false};
    cp = (cp << 6) | (s[i] & 0x3F);
    lo = 0x80, hi = 0xBF;
  }
  return {cp, trailing + 1, true};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Unicode White_Space, plus control characters: both only separate tokens.
bool is_separator(char32_t c) {
  return c <= 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_punctuation(char32_t c) {
  if (c < 0x80)
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return c == 0xA1 || c == 0xAB || c == 0xBB || c == 0xBF || (c >= 0x2010 && c <= 0x205E && !is_separator(c)) ||
         c == 0x3001 || c == 0x3002 || c == 0x300C || c == 0x300D;
}

bool is_word_char(char32_t c) { return !is_separator(c) && !is_punctuation(c); }
bool is_ascii_digit(char32_t c) { return c >= '0' && c <= '9'; }

// Lowercase ASCII, typographic quotes as ASCII, invalid UTF-8 as U+FFFD.
std::u32string normalized_code_points(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    Decoded d = decode_one(s + i, text.size() - i);
    char32_t c = d.code_point;
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (c == 0x2018 || c == 0x2019) c = '\'';
    if (c == 0x201C || c == 0x201D) c = '"';
    out += c;
    i += d.length;
  }
  return out;
}

class TokenSink {
 public:
  explicit TokenSink(std::vector<std::string>& tokens) : tokens_(tokens) {}

  void emit(const char32_t* begin, const char32_t* end) {
    std::string token;
    for (const char32_t* p = begin; p != end; ++p) append_utf8(token, *p);
    tokens_.push_back(std::move(token));
  }

  // A word, with a trailing English clitic split off as nltk's word_tokenize does.
  void emit_word(const char32_t* begin, const char32_t* end) {
    const std::size_t n = static_cast<std::size_t>(end - begin);
    if (n >= 4 && end[-3] == 'n' && end[-2] == '\'' && end[-1] == 't') {
      emit(begin, end - 3);
      emit(end - 3, end);
      return;
    }
    for (const char32_t* apostrophe = end - 1; apostrophe > begin; --apostrophe) {
      if (*apostrophe != '\'') continue;
      const std::u32string suffix(apostrophe + 1, end);
      if (suffix == U"s" || suffix == U"re" || suffix == U"ve" || suffix == U"ll" || suffix == U"d" || suffix == U"m") {
        emit(begin, apostrophe);
        emit(apostrophe, end);
        return;
      }
      break;  // only the last apostrophe can start a clitic
    }
    emit(begin, end);
  }

 private:
  std::vector<std::string>& tokens_;
};

}  // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    Decoded d = decode_one(s + i, text.size() - i);
    if (!d.valid) return false;
    i += d.length;
  }
  return true;
}

bool is_valid_token(std::string_view text) {
  if (text.empty()) return false;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    Decoded d = decode_one(s + i, text.size() - i);
    if (!d.valid || is_separator(d.code_point)) return false;
    i += d.length;
  }
  return true;
}

bool is_punctuation_token(std::string_view token) {
  if (token.empty()) return false;
  const auto* s = reinterpret_cast<const unsigned char*>(token.data());
  for (std::size_t i = 0; i < token.size();) {
    Decoded d = decode_one(s + i, token.size() - i);
    if (!d.valid || !is_punctuation(d.code_point)) return false;
    i += d.length;
  }
  return true;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    Decoded d = decode_one(s + i, text.size() - i);
    if (d.valid)
      out.append(text.data() + i, d.length);
    else
      append_utf8(out, kReplacement);
    i += d.length;
  }
  return out;
}

std::vector<std::string> tokenize(std::string_view text) {
  const std::u32string cps = normalized_code_points(text);
  const std::size_t n = cps.size();
  // A hyphen, apostrophe, or (between digits) period or comma that stays inside a word.
  auto joins_word = [&](std::size_t j) {
    if (j == 0 || j + 1 >= n) return false;
    const char32_t prev = cps[j - 1], c = cps[j], next = cps[j + 1];
    if (c == '-' || c == '\'') return is_word_char(prev) && is_word_char(next);
    if (c == '.' || c == ',') return is_ascii_digit(prev) && is_ascii_digit(next);
    return false;
  };

  std::vector<std::string> tokens;
  TokenSink sink(tokens);
  const char32_t* base = cps.data();
  std::size_t i = 0;
  while (i < n) {
    const char32_t c = cps[i];
    if (is_separator(c)) {
      ++i;
    } else if (is_punctuation(c)) {
      std::size_t j = i + 1;
      if (c == '.')
        while (j < n && cps[j] == '.') ++j;
      sink.emit(base + i, base + j);
      i = j;
    } else {
      std::size_t j = i + 1;
      while (j < n && (is_word_char(cps[j]) || joins_word(j))) ++j;
      sink.emit_word(base + i, base + j);
      i = j;
    }
  }
  return tokens;
}

}  // namespace gxn
