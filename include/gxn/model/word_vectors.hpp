#pragma once
// Initialising word embeddings W_e from a word2vec / GloVe text file.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace gxn {

struct WordVectorReport {
  std::int64_t found = 0;            // vocabulary words whose vector the file had
  std::int64_t vocabulary_size = 0;  // rows of the embedding
  std::int64_t file_words = 0;       // vectors in the file
  std::int64_t dim = 0;
};

// File format: one "word v1 ... vD" line per word, separated by spaces or tabs; word2vec's
// optional first line "count dim" is recognised and skipped. Row i of `weight` (vocab_size,
// word_dim) takes the vector of vocabulary[i] (exact, case-sensitive match; the first line
// wins for a repeated word); vocabulary words the file lacks keep their current (random)
// values, file words outside the vocabulary are skipped. A line with more than D + 1 fields
// is a word containing spaces (GloVe 840B has some) and cannot match a vocabulary word.
// gxn::Error names the file and line of a vector whose size differs from word_dim or a value
// that is not a number; the file is read completely before `weight` changes.
WordVectorReport load_word_vectors(torch::Tensor weight, const std::string& path,
                                   const std::vector<std::string>& vocabulary);

}  // namespace gxn
