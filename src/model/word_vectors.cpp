#include "gxn/model/word_vectors.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <unordered_map>

#include "gxn/error.hpp"

namespace gxn {
namespace {

// Splits on spaces and tabs (and a trailing '\r' from Windows files).
void split_fields(const std::string& line, std::vector<std::string_view>& fields) {
  fields.clear();
  const char* p = line.data();
  const char* end = p + line.size();
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    const char* start = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\r') ++p;
    if (p > start) fields.emplace_back(start, static_cast<std::size_t>(p - start));
  }
}

bool parse_int(std::string_view s, long long& out) {
  std::string tmp(s);
  char* end = nullptr;
  errno = 0;
  out = std::strtoll(tmp.c_str(), &end, 10);
  return errno == 0 && end == tmp.c_str() + tmp.size() && !tmp.empty();
}

}  // namespace

WordVectorReport load_word_vectors(torch::Tensor weight, const std::string& path,
                                   const std::vector<std::string>& vocabulary) {
  if (weight.dim() != 2 || weight.size(0) != static_cast<std::int64_t>(vocabulary.size()))
    throw Error(ErrorCode::Shape, path + ": the embedding has " + std::to_string(weight.size(0)) +
                                      " rows but the vocabulary " + std::to_string(vocabulary.size()) + " words");
  const std::int64_t dim = weight.size(1);
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::NotFound, path + ": cannot open the word-vector file");

  std::unordered_map<std::string_view, std::int64_t> index;
  for (std::size_t i = 0; i < vocabulary.size(); ++i) index.emplace(vocabulary[i], static_cast<std::int64_t>(i));

  WordVectorReport report;
  report.vocabulary_size = static_cast<std::int64_t>(vocabulary.size());
  report.dim = dim;
  std::vector<std::int64_t> rows;  // vocabulary rows found, in file order
  std::vector<float> values;       // their vectors
  std::vector<bool> done(vocabulary.size(), false);
  std::vector<std::string_view> fields;
  std::string line;
  const auto where = [&](std::int64_t n) { return path + ":" + std::to_string(n) + ": "; };
  for (std::int64_t line_no = 1; std::getline(in, line); ++line_no) {
    split_fields(line, fields);
    if (fields.empty()) continue;
    long long header_count = 0, header_dim = 0;
    if (line_no == 1 && fields.size() == 2 && parse_int(fields[0], header_count) && parse_int(fields[1], header_dim)) {
      if (header_dim != dim)
        throw Error(ErrorCode::Shape, where(line_no) + "the header says " + std::to_string(header_dim) +
                                          "-d vectors, the model's text.word_dim is " + std::to_string(dim));
      continue;
    }
    const std::int64_t given = static_cast<std::int64_t>(fields.size()) - 1;
    if (given < dim || (given > dim && report.file_words == 0))
      throw Error(ErrorCode::Shape, where(line_no) + "a vector of " + std::to_string(given) +
                                        " values, the model's text.word_dim is " + std::to_string(dim));
    ++report.file_words;
    if (given > dim) continue;  // a word with spaces
    auto it = index.find(fields[0]);
    if (it == index.end() || done[it->second]) continue;
    done[it->second] = true;
    rows.push_back(it->second);
    for (std::int64_t k = 1; k <= dim; ++k) {
      std::string v(fields[k]);
      char* end = nullptr;
      const float f = std::strtof(v.c_str(), &end);
      if (end != v.c_str() + v.size() || !std::isfinite(f))
        throw Error(ErrorCode::Format, where(line_no) + "value " + std::to_string(k) + " of '" +
                                           std::string(fields[0]) + "' is not a finite number: '" + v + "'");
      values.push_back(f);
    }
  }
  if (in.bad()) throw Error(ErrorCode::Io, path + ": read error");
  report.found = static_cast<std::int64_t>(rows.size());
  if (!rows.empty()) {
    torch::NoGradGuard no_grad;
    auto vectors = torch::from_blob(values.data(), {report.found, dim}, torch::kFloat32);
    auto index_tensor = torch::tensor(rows, torch::kInt64).to(weight.device());
    weight.index_copy_(0, index_tensor, vectors.to(weight.device(), weight.scalar_type()));
  }
  return report;
}

}  // namespace gxn
