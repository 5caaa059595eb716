#pragma once
// Vocabulary: the words a model knows, each with a fixed id. Ids 0-3 are the special tokens
// <pad> <start> <end> <unk>; words follow, most frequent first (ties in byte order), so the
// same captions always give the same ids whatever order they come in.
//
// File format (UTF-8 text, '\n' line ends; a trailing '\r' is tolerated):
//   gxn-vocabulary 1 <size>        magic, format version, number of entries that follow
//   <pad>                          then one entry per line, line k+2 holding id k
//   <start>
//   <end>
//   <unk>
//   a
//   ...
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gxn/error.hpp"

namespace gxn {

class Vocabulary {
 public:
  static constexpr std::int64_t pad_id = 0;
  static constexpr std::int64_t start_id = 1;
  static constexpr std::int64_t end_id = 2;
  static constexpr std::int64_t unk_id = 3;
  static constexpr std::int64_t default_min_count = 4;
  static constexpr const char* pad_token = "<pad>";
  static constexpr const char* start_token = "<start>";
  static constexpr const char* end_token = "<end>";
  static constexpr const char* unk_token = "<unk>";

  // Only the four special tokens.
  Vocabulary();

  // The words that occur at least `min_count` times in `captions` (tokenised training captions
  // only: a word seen only in validation or test must stay <unk>). Tokens equal to a special
  // token are not words and are skipped. Throws gxn::Error(InvalidArgument) if min_count < 1
  // or a token is empty, not valid UTF-8, or holds white space or a control character.
  static Vocabulary build(const std::vector<std::vector<std::string>>& captions,
                          std::int64_t min_count = default_min_count);

  // As build(), from word counts already made.
  static Vocabulary from_counts(const std::unordered_map<std::string, std::int64_t>& counts,
                                std::int64_t min_count = default_min_count);

  // Number of entries, special tokens included.
  std::int64_t size() const { return static_cast<std::int64_t>(words_.size()); }

  // The id of `word`, or unk_id if it is not in the vocabulary.
  std::int64_t id(std::string_view word) const;
  bool contains(std::string_view word) const;

  // The word with id `id`; throws gxn::Error(InvalidArgument) if out of range.
  const std::string& word(std::int64_t id) const;

  // Every entry, index = id.
  const std::vector<std::string>& words() const { return words_; }

  // Ids of `tokens`, unknown words as unk_id.
  std::vector<std::int64_t> encode(const std::vector<std::string>& tokens) const;

  // start_id, the ids of `tokens`, end_id: a caption as the decoder learns it.
  std::vector<std::int64_t> encode_caption(const std::vector<std::string>& tokens) const;

  // The words of `ids`, skipping <pad> and <start> and stopping at the first <end>.
  // Throws gxn::Error(InvalidArgument) on an id out of range.
  std::vector<std::string> decode(const std::vector<std::int64_t>& ids) const;

  // decode() joined with single spaces.
  std::string decode_text(const std::vector<std::int64_t>& ids) const;

  // Writes the vocabulary file atomically; throws gxn::Error(Io) naming the path.
  void save(const std::string& path) const;

  // The vocabulary whose entry k is words[k] (e.g. the list a model file carries). Throws
  // gxn::Error(Format) naming `source` and the entry unless the list starts with the four
  // special tokens in id order and holds valid, distinct words after them.
  static Vocabulary from_words(std::vector<std::string> words, const std::string& source);

  // Reads a vocabulary file. Throws gxn::Error naming the file (and line, for a damaged one):
  // NotFound, Io, Format (bad magic, count, word, duplicate, truncation), Unsupported (version).
  static Vocabulary load(const std::string& path);

  bool operator==(const Vocabulary& other) const { return words_ == other.words_; }
  bool operator!=(const Vocabulary& other) const { return !(*this == other); }

 private:
  explicit Vocabulary(std::vector<std::string> words);

  std::vector<std::string> words_;
  std::unordered_map<std::string, std::int64_t> ids_;
};

}  // namespace gxn
