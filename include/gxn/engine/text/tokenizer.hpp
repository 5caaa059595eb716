#pragma once
// Caption tokenizer: the text side of the data, shared by vocabulary building, training and
// queries. It follows what VSE++/SCAN do (nltk's word_tokenize on lowercased text) closely
// enough that a vocabulary built here looks like theirs:
//   "A man's red T-shirt, 3.5 m long!"  ->  a man 's red t-shirt , 3.5 m long !
// Rules, in order:
//  - Invalid UTF-8 is replaced, one U+FFFD per maximal ill-formed subsequence (the Unicode
//    recommended practice), so tokens are always valid UTF-8 and a multi-byte character is never split.
//  - ASCII letters are lowercased; every other character is kept as it is (no Unicode case folding).
//  - Typographic quotes are read as ASCII ones: U+2018/U+2019 as ', U+201C/U+201D as ".
//  - Unicode white space (the White_Space property) and control characters (C0, DEL, C1)
//    separate tokens and are dropped.
//  - Punctuation (ASCII punctuation, ¡ « » ¿, the General Punctuation block U+2010-U+205E,
//    and the ideographic 、。「」) becomes tokens of its own, one per character, except that a
//    run of periods is one token ("...").
//  - Inside a word these stay part of it: a hyphen between two word characters (t-shirt),
//    a period or comma between two digits (3.5, 1,000), an apostrophe between two word
//    characters (o'clock) -- except that the English clitics 's 're 've 'll 'd 'm and n't are
//    split off as their own tokens, as nltk does (man's -> man 's, don't -> do n't).
//  - Every other character (letters, digits, symbols, CJK, emoji) is a word character.
#include <string>
#include <string_view>
#include <vector>

namespace gxn {

// The tokens of `text`, in order (see the rules above). Never throws on any input bytes.
std::vector<std::string> tokenize(std::string_view text);

// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view text);

// True if `text` can stand as one token in a vocabulary: non-empty, valid UTF-8, and free of
// white space and control characters.
bool is_valid_token(std::string_view text);

// True if `token` is non-empty and made only of punctuation as defined above (",", "...", "!",
// "«"): the tokens caption metrics drop, as coco-caption's tokenizer removes punctuation.
bool is_punctuation_token(std::string_view token);

// `text` with each maximal ill-formed subsequence replaced by U+FFFD (EF BF BD).
std::string sanitize_utf8(std::string_view text);

}  // namespace gxn
