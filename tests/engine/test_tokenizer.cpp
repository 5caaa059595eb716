#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "gxn/engine/text/tokenizer.hpp"

using Tokens = std::vector<std::string>;

TEST_CASE("tokenize lowercases and splits punctuation off words", "[tokenizer]") {
  CHECK(gxn::tokenize("A dog runs.") == Tokens{"a", "dog", "runs", "."});
  CHECK(gxn::tokenize("Two MEN, one (tall) woman!") ==
        Tokens{"two", "men", ",", "one", "(", "tall", ")", "woman", "!"});
  CHECK(gxn::tokenize("what?!") == Tokens{"what", "?", "!"});
  CHECK(gxn::tokenize("wait... no") == Tokens{"wait", "...", "no"});
  CHECK(gxn::tokenize("\"quoted\"") == Tokens{"\"", "quoted", "\""});
}

TEST_CASE("tokenize collapses any white space and ignores control characters", "[tokenizer]") {
  CHECK(gxn::tokenize("  a \t\t big\n\r\ndog  ") == Tokens{"a", "big", "dog"});
  CHECK(gxn::tokenize(std::string("a\0b", 3)) == Tokens{"a", "b"});
  CHECK(gxn::tokenize("a\xC2\xA0"
                      "b") == Tokens{"a", "b"});  // no-break space
  CHECK(gxn::tokenize("a\xE3\x80\x80"
                      "b") == Tokens{"a", "b"});  // ideographic space
  CHECK(gxn::tokenize("").empty());
  CHECK(gxn::tokenize(" \t\n").empty());
}

TEST_CASE("tokenize keeps hyphenated words, numbers and inner apostrophes", "[tokenizer]") {
  CHECK(gxn::tokenize("a T-shirt at the top-left") == Tokens{"a", "t-shirt", "at", "the", "top-left"});
  CHECK(gxn::tokenize("3.5 m and 1,000 people") == Tokens{"3.5", "m", "and", "1,000", "people"});
  CHECK(gxn::tokenize("at 5 o'clock") == Tokens{"at", "5", "o'clock"});
  CHECK(gxn::tokenize("- dash -") == Tokens{"-", "dash", "-"});
  CHECK(gxn::tokenize("end.3") == Tokens{"end", ".", "3"});
}

TEST_CASE("tokenize splits English clitics like nltk", "[tokenizer]") {
  CHECK(gxn::tokenize("the man's hat") == Tokens{"the", "man", "'s", "hat"});
  CHECK(gxn::tokenize("Don't, they're here; I'm sure we'll go") ==
        Tokens{"do", "n't", ",", "they", "'re", "here", ";", "i", "'m", "sure", "we", "'ll", "go"});
  CHECK(gxn::tokenize("the dogs' bowls") == Tokens{"the", "dogs", "'", "bowls"});
  CHECK(gxn::tokenize("'hello'") == Tokens{"'", "hello", "'"});
}

TEST_CASE("tokenize is UTF-8 safe", "[tokenizer][utf8]") {
  // Non-ASCII letters are kept as they are (no Unicode case folding), never split.
  CHECK(gxn::tokenize("Café CRÈME") == Tokens{"café", "crÈme"});
  CHECK(gxn::tokenize("一只狗。") == Tokens{"一只狗", "。"});
  CHECK(gxn::tokenize("a 🐶 dog") == Tokens{"a", "🐶", "dog"});
  // Typographic quotes read as ASCII ones; the apostrophe still splits a clitic.
  CHECK(gxn::tokenize("the man\xE2\x80\x99s \xE2\x80\x9Chat\xE2\x80\x9D") ==
        Tokens{"the", "man", "'s", "\"", "hat", "\""});
  // Dashes and ellipsis from the General Punctuation block are punctuation.
  CHECK(gxn::tokenize("yes\xE2\x80\x94no\xE2\x80\xA6") == Tokens{"yes", "\xE2\x80\x94", "no", "\xE2\x80\xA6"});
  for (const auto& token : gxn::tokenize("Café CRÈME 一只狗。 🐶 \xE2\x80\x94")) CHECK(gxn::is_valid_utf8(token));
}

TEST_CASE("tokenize replaces invalid UTF-8 with U+FFFD", "[tokenizer][utf8]") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(gxn::tokenize("a\xFF"
                      "b") == Tokens{"a" + fffd + "b"});
  // A truncated 3-byte sequence is one maximal ill-formed subpart: one replacement.
  CHECK(gxn::tokenize("x\xE2\x82") == Tokens{"x" + fffd});
  CHECK(gxn::tokenize("\xE2\x82 y") == Tokens{fffd, "y"});
  // Overlong '/' (C0 AF) and a surrogate (ED A0 80): each byte is replaced.
  CHECK(gxn::tokenize("\xC0\xAF") == Tokens{fffd + fffd});
  CHECK(gxn::tokenize("\xED\xA0\x80") == Tokens{fffd + fffd + fffd});
  // An upper-case ASCII byte after a broken lead byte is still lowercased, not swallowed.
  CHECK(gxn::tokenize("\xC3Z") == Tokens{fffd + "z"});
}

TEST_CASE("is_valid_utf8 follows Unicode's well-formed table", "[tokenizer][utf8]") {
  CHECK(gxn::is_valid_utf8(""));
  CHECK(gxn::is_valid_utf8("plain ascii"));
  CHECK(gxn::is_valid_utf8("\xC2\x80"));                // U+0080
  CHECK(gxn::is_valid_utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF
  CHECK_FALSE(gxn::is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(gxn::is_valid_utf8("\xE0\x80\x80"));      // overlong
  CHECK_FALSE(gxn::is_valid_utf8("\xED\xBF\xBF"));      // surrogate
  CHECK_FALSE(gxn::is_valid_utf8("\x80"));              // lone continuation
  CHECK_FALSE(gxn::is_valid_utf8("\xE2\x82"));          // truncated
  CHECK(gxn::sanitize_utf8("ok\xE2\x82\xAC") == "ok\xE2\x82\xAC");
  CHECK(gxn::sanitize_utf8("\xE2\x82"
                           "x") == "\xEF\xBF\xBDx");
}

TEST_CASE("is_valid_token refuses what cannot be a vocabulary line", "[tokenizer]") {
  CHECK(gxn::is_valid_token("dog"));
  CHECK(gxn::is_valid_token("café"));
  CHECK_FALSE(gxn::is_valid_token(""));
  CHECK_FALSE(gxn::is_valid_token("two words"));
  CHECK_FALSE(gxn::is_valid_token("line\n"));
  CHECK_FALSE(gxn::is_valid_token("bad\xFF"));
  CHECK_FALSE(gxn::is_valid_token("nb\xC2\xA0sp"));
}

TEST_CASE("is_punctuation_token tells punctuation tokens from words", "[tokenizer]") {
  for (const char* p : {".", "...", ",", "!", "?", "\"", "(", "-", "\xC2\xAB", "\xE2\x80\x94", "\xE3\x80\x82"})
    CHECK(gxn::is_punctuation_token(p));
  for (const char* w : {"", "dog", "'s", "n't", "t-shirt", "3.5", "a.", "\xE2\x82\xAC", "\xFF"})
    CHECK_FALSE(gxn::is_punctuation_token(w));
}
