#include "gxn/engine/search/index.hpp"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "common/checksum.hpp"
#include "gxn/engine/eigen.hpp"
#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/search/score.hpp"
#include "gxn/error.hpp"

namespace gxn {

namespace {

using FaissId = std::int64_t;  // faiss::Index::idx_t in FAISS 1.7.3, faiss::idx_t later: int64 in both

// File layout, little-endian: a 64-byte header, the N × 2D original rows (float32), then the
// FAISS index as faiss::write_index wrote it. The checksum covers everything after the header.
constexpr char kMagic[8] = {'G', 'X', 'N', 'I', 'N', 'D', 'E', 'X'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kHeaderBytes = 64;
constexpr std::size_t kMaxHubs = 1 << 16;

// The checksum of the rows and the FAISS blob: gxn's file checksum of each, folded together.
std::uint64_t content_checksum(const void* rows, std::size_t rows_size, const void* blob, std::size_t blob_size) {
  const std::uint64_t parts[2] = {checksum64(rows, rows_size), checksum64(blob, blob_size)};
  return checksum64(parts, sizeof parts);
}

void put(unsigned char* at, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) at[i] = static_cast<unsigned char>(value >> (8 * i));
}
std::uint64_t get(const unsigned char* at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | at[i];
  return v;
}

std::uint32_t float_bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
float bits_float(std::uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

[[noreturn]] void damaged(const std::string& path, const std::string& reason) {
  throw Error(ErrorCode::Format, path + ": not a usable gxn index (" + reason + ")");
}

void check_lambda(float lambda, const char* what) {
  if (!(lambda >= 0.0f && lambda <= 1.0f))
    throw Error(ErrorCode::InvalidArgument,
                std::string(what) + ": lambda " + std::to_string(lambda) + " is outside [0, 1]");
}

}  // namespace

struct RetrievalIndex::State {
  float lambda = 0.5f;
  IndexedSide side = IndexedSide::Images;
  ShortlistKind kind = ShortlistKind::Flat;
  std::int64_t dim = 0;
  std::int64_t nlist = 0;
  Matrix rows;
  std::unique_ptr<faiss::Index> faiss;
  std::vector<std::int64_t> hubs;  // items by ascending ‖max(0, ṽ)‖², the first kMaxHubs

  void find_hubs() {
    const float wh = std::sqrt(lambda), wl = std::sqrt(1.0f - lambda);
    std::vector<std::pair<float, std::int64_t>> mass(static_cast<std::size_t>(rows.rows()));
    for (std::int64_t r = 0; r < rows.rows(); ++r) {
      const float* x = rows.row(r);
      float h = 0, l = 0;
      for (std::int64_t d = 0; d < dim; ++d) {
        const float ph = std::max(0.0f, x[d]), pl = std::max(0.0f, x[dim + d]);
        h += ph * ph, l += pl * pl;
      }
      mass[static_cast<std::size_t>(r)] = {wh * wh * h + wl * wl * l, r};
    }
    const auto keep = static_cast<std::ptrdiff_t>(std::min<std::size_t>(mass.size(), kMaxHubs));
    std::partial_sort(mass.begin(), mass.begin() + keep, mass.end());
    hubs.resize(static_cast<std::size_t>(keep));
    for (std::ptrdiff_t i = 0; i < keep; ++i)
      hubs[static_cast<std::size_t>(i)] = mass[static_cast<std::size_t>(i)].second;
  }

  // [√λ·x_h, √(1−λ)·x_l] for rows [first, first + count) of `m`: an L2 distance on these rows
  // shortlists by the blended similarity.
  RowMatrixXf scaled(const MatrixView& m, std::int64_t first, std::int64_t count) const {
    const auto rows = as_eigen(m).middleRows(first, count);
    RowMatrixXf out(count, 2 * dim);
    out.leftCols(dim) = std::sqrt(lambda) * rows.leftCols(dim);
    out.rightCols(dim) = std::sqrt(1.0f - lambda) * rows.rightCols(dim);
    return out;
  }

  // s*(t, v) of query row q against indexed row `item`.
  float score(const float* query, std::int64_t item) const {
    const float* row = rows.row(item);
    const float* t = side == IndexedSide::Images ? query : row;
    const float* v = side == IndexedSide::Images ? row : query;
    return lambda * order_violation(t, v, dim) + (1.0f - lambda) * order_violation(t + dim, v + dim, dim);
  }
};

RetrievalIndex::RetrievalIndex(std::unique_ptr<State> state) : state_(std::move(state)) {}
RetrievalIndex::RetrievalIndex(RetrievalIndex&&) noexcept = default;
RetrievalIndex& RetrievalIndex::operator=(RetrievalIndex&&) noexcept = default;
RetrievalIndex::~RetrievalIndex() = default;

std::int64_t RetrievalIndex::size() const { return state_->rows.rows(); }
std::int64_t RetrievalIndex::dim() const { return state_->dim; }
float RetrievalIndex::lambda() const { return state_->lambda; }
IndexedSide RetrievalIndex::side() const { return state_->side; }
ShortlistKind RetrievalIndex::kind() const { return state_->kind; }
std::int64_t RetrievalIndex::nlist() const { return state_->nlist; }
const Matrix& RetrievalIndex::rows() const { return state_->rows; }

RetrievalIndex RetrievalIndex::build(const MatrixView& rows, const IndexOptions& options) {
  check_view(rows, "index rows");
  if (rows.rows < 1) throw Error(ErrorCode::InvalidArgument, "index rows: cannot build an index over no rows");
  if (rows.cols < 2 || rows.cols % 2 != 0)
    throw Error(ErrorCode::Shape,
                "index rows: " + std::to_string(rows.cols) + " columns; embedding rows hold 2·D values (x_h then x_l)");
  check_finite(rows, "index rows");
  check_lambda(options.lambda, "index options");
  if (options.nlist < 0) throw Error(ErrorCode::InvalidArgument, "index options: nlist must not be negative");
  if (options.side != IndexedSide::Images && options.side != IndexedSide::Captions)
    throw Error(ErrorCode::InvalidArgument, "index options: unknown indexed side");

  auto state = std::make_unique<State>();
  state->lambda = options.lambda;
  state->side = options.side;
  state->dim = rows.cols / 2;
  const std::int64_t n = rows.rows;
  state->kind = options.kind == ShortlistKind::Auto
                    ? (n < options.flat_below ? ShortlistKind::Flat : ShortlistKind::Ivf)
                    : options.kind;
  state->rows = Matrix(n, rows.cols);
  as_eigen(state->rows) = as_eigen(rows);

  const RowMatrixXf scaled = state->scaled(rows, 0, n);
  const auto d = static_cast<FaissId>(rows.cols);
  try {
    if (state->kind == ShortlistKind::Flat) {
      state->faiss = std::make_unique<faiss::IndexFlatL2>(d);
    } else if (state->kind == ShortlistKind::Ivf) {
      std::int64_t nlist = options.nlist;
      if (nlist == 0)
        nlist = std::clamp<std::int64_t>(std::llround(4.0 * std::sqrt(static_cast<double>(n))), 1,
                                         std::max<std::int64_t>(1, n / 39));
      if (nlist > n)
        throw Error(ErrorCode::InvalidArgument, "index options: nlist " + std::to_string(nlist) + " exceeds the " +
                                                    std::to_string(n) + " rows to train it on");
      state->nlist = nlist;
      auto ivf = std::make_unique<faiss::IndexIVFFlat>(new faiss::IndexFlatL2(d), static_cast<std::size_t>(d),
                                                       static_cast<std::size_t>(nlist), faiss::METRIC_L2);
      ivf->own_fields = true;
      ivf->cp.seed = options.seed;
      // FAISS warns on stderr below 39 points per list; an explicit small set is the caller's choice.
      ivf->cp.min_points_per_centroid = 1;
      ivf->train(n, scaled.data());
      state->faiss = std::move(ivf);
    } else {
      throw Error(ErrorCode::InvalidArgument, "index options: unknown shortlist kind");
    }
    state->faiss->add(n, scaled.data());
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::Internal, std::string("building the FAISS index failed: ") + e.what());
  }
  state->find_hubs();
  return RetrievalIndex(std::move(state));
}

TopK RetrievalIndex::search(const MatrixView& queries, std::int64_t k, const SearchOptions& options) const {
  const State& s = *state_;
  check_view(queries, "queries");
  if (queries.cols != 2 * s.dim)
    throw Error(ErrorCode::Shape, "queries: " + std::to_string(queries.cols) + " columns, the index holds rows of " +
                                      std::to_string(2 * s.dim) + " (2·D)");
  check_finite(queries, "queries");
  if (k < 0) throw Error(ErrorCode::InvalidArgument, "search: k must not be negative");
  if (options.shortlist < 0 || options.nprobe < 0 || options.hubs < -1)
    throw Error(ErrorCode::InvalidArgument, "search options: shortlist, nprobe and hubs must not be negative");

  const std::int64_t n = size();
  TopK out;
  out.queries = queries.rows;
  out.k = std::min(k, n);
  out.index.assign(static_cast<std::size_t>(out.queries * out.k), -1);
  out.score.assign(out.index.size(), -std::numeric_limits<float>::infinity());
  if (out.k == 0 || out.queries == 0) return out;

  const std::int64_t shortlist =
      std::clamp(options.shortlist > 0 ? options.shortlist : std::max<std::int64_t>(10 * out.k, 100), out.k, n);
  const auto hubs = static_cast<std::size_t>(
      std::min<std::int64_t>(options.hubs < 0 ? shortlist : options.hubs, static_cast<std::int64_t>(s.hubs.size())));
  faiss::SearchParametersIVF ivf_params;
  ivf_params.nprobe = static_cast<std::size_t>(
      std::min(s.nlist, options.nprobe > 0 ? options.nprobe : std::max<std::int64_t>(1, s.nlist / 8)));
  const faiss::SearchParameters* params = s.kind == ShortlistKind::Ivf ? &ivf_params : nullptr;

  // Queries go to FAISS in batches so the shortlists stay within ~64 MB.
  const std::int64_t batch =
      std::max<std::int64_t>(1, std::min<std::int64_t>(4096, (std::int64_t{4} << 20) / shortlist));
  std::vector<float> distances;
  std::vector<FaissId> labels;
  for (std::int64_t first = 0; first < queries.rows; first += batch) {
    const std::int64_t count = std::min(batch, queries.rows - first);
    const RowMatrixXf scaled = s.scaled(queries, first, count);
    distances.resize(static_cast<std::size_t>(count * shortlist));
    labels.resize(distances.size());
    try {
      s.faiss->search(count, scaled.data(), shortlist, distances.data(), labels.data(), params);
    } catch (const faiss::FaissException& e) {
      throw Error(ErrorCode::Internal, std::string("FAISS search failed: ") + e.what());
    }
#pragma omp parallel
    {
      std::vector<std::int64_t> candidates;
      std::vector<std::pair<float, std::int64_t>> found;
#pragma omp for schedule(dynamic, 16)
      for (std::int64_t q = 0; q < count; ++q) {
        const float* query = queries.row(first + q);
        const FaissId* shortlisted = labels.data() + q * shortlist;
        candidates.assign(s.hubs.begin(), s.hubs.begin() + static_cast<std::ptrdiff_t>(hubs));
        for (std::int64_t c = 0; c < shortlist; ++c)
          if (shortlisted[c] >= 0) candidates.push_back(shortlisted[c]);  // -1: FAISS found fewer
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        found.clear();
        for (std::int64_t item : candidates) found.emplace_back(s.score(query, item), item);
        const auto better = [](const auto& a, const auto& b) {
          return a.first != b.first ? a.first > b.first : a.second < b.second;
        };
        const auto keep =
            static_cast<std::ptrdiff_t>(std::min<std::size_t>(found.size(), static_cast<std::size_t>(out.k)));
        std::partial_sort(found.begin(), found.begin() + keep, found.end(), better);
        const std::int64_t row = (first + q) * out.k;
        for (std::ptrdiff_t i = 0; i < keep; ++i) {
          out.index[static_cast<std::size_t>(row + i)] = found[static_cast<std::size_t>(i)].second;
          out.score[static_cast<std::size_t>(row + i)] = found[static_cast<std::size_t>(i)].first;
        }
      }
    }
  }
  return out;
}

void RetrievalIndex::save(const std::string& path) const {
  const State& s = *state_;
  faiss::VectorIOWriter blob;
  try {
    faiss::write_index(s.faiss.get(), &blob);
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::Internal, path + ": serialising the FAISS index failed: " + e.what());
  }
  const auto* row_bytes = reinterpret_cast<const unsigned char*>(s.rows.data());
  const std::size_t rows_size = s.rows.values().size() * sizeof(float);
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the index file stores little-endian floats");
  const std::uint64_t checksum = content_checksum(row_bytes, rows_size, blob.data.data(), blob.data.size());

  unsigned char header[kHeaderBytes] = {};
  std::memcpy(header, kMagic, 8);
  put(header + 8, kFormatVersion, 4);
  put(header + 12, static_cast<std::uint32_t>(s.side), 4);
  put(header + 16, static_cast<std::uint32_t>(s.kind), 4);
  put(header + 20, float_bits(s.lambda), 4);
  put(header + 24, static_cast<std::uint64_t>(size()), 8);
  put(header + 32, static_cast<std::uint64_t>(s.dim), 8);
  put(header + 40, static_cast<std::uint64_t>(s.nlist), 8);
  put(header + 48, blob.data.size(), 8);
  put(header + 56, checksum, 8);

  AtomicFileWriter out(path);
  out.write(header, sizeof header);
  out.write(row_bytes, rows_size);
  out.write(blob.data.data(), blob.data.size());
  out.commit();
}

RetrievalIndex RetrievalIndex::load(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    const int e = errno;
    throw Error(e == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, path + ": cannot open: " + std::strerror(e));
  }
  struct stat st {};
  if (::fstat(::fileno(f.get()), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(ErrorCode::Io, path + ": not a regular file");
  const auto file_size = static_cast<std::uint64_t>(st.st_size);

  unsigned char header[kHeaderBytes] = {};
  const std::size_t got = std::fread(header, 1, kHeaderBytes, f.get());
  if (got < 8 || std::memcmp(header, kMagic, 8) != 0) damaged(path, "bad magic: not a gxn index file");
  if (got < kHeaderBytes) damaged(path, "truncated header");
  const auto version = static_cast<std::uint32_t>(get(header + 8, 4));
  if (version != kFormatVersion)
    throw Error(ErrorCode::Unsupported, path + ": gxn index format version " + std::to_string(version) +
                                            " is not supported (this gxn reads version " +
                                            std::to_string(kFormatVersion) + ")");
  auto state = std::make_unique<State>();
  const auto side = get(header + 12, 4), kind = get(header + 16, 4);
  if (side > 1) damaged(path, "unknown indexed side " + std::to_string(side));
  if (kind != 1 && kind != 2) damaged(path, "unknown shortlist kind " + std::to_string(kind));
  state->side = static_cast<IndexedSide>(side);
  state->kind = static_cast<ShortlistKind>(kind);
  state->lambda = bits_float(static_cast<std::uint32_t>(get(header + 20, 4)));
  if (!(state->lambda >= 0.0f && state->lambda <= 1.0f)) damaged(path, "lambda outside [0, 1]");
  const std::uint64_t count = get(header + 24, 8), dim = get(header + 32, 8), nlist = get(header + 40, 8);
  const std::uint64_t blob_size = get(header + 48, 8), checksum = get(header + 56, 8);
  // Sizes must not overflow, and must add up to the file's size before anything is allocated.
  const std::uint64_t max_values = std::numeric_limits<std::uint64_t>::max() / 8;
  if (count < 1 || dim < 1 || dim > max_values || count > max_values / dim)
    damaged(path, "implausible dimensions " + std::to_string(count) + " × 2·" + std::to_string(dim));
  const std::uint64_t rows_size = count * 2 * dim * 4;
  if (blob_size > file_size || kHeaderBytes + rows_size + blob_size != file_size)
    damaged(path, "size " + std::to_string(file_size) + " bytes, the header describes " +
                      std::to_string(kHeaderBytes + rows_size + blob_size) + " (truncated or extended)");
  if ((state->kind == ShortlistKind::Flat) != (nlist == 0) || nlist > count) damaged(path, "inconsistent nlist");

  state->dim = static_cast<std::int64_t>(dim);
  state->nlist = static_cast<std::int64_t>(nlist);
  state->rows = Matrix(static_cast<std::int64_t>(count), static_cast<std::int64_t>(2 * dim));
  faiss::VectorIOReader blob;
  blob.data.resize(blob_size);
  if (std::fread(state->rows.data(), 1, rows_size, f.get()) != rows_size ||
      std::fread(blob.data.data(), 1, blob_size, f.get()) != blob_size)
    throw Error(ErrorCode::Io, path + ": read failed");
  if (content_checksum(state->rows.data(), rows_size, blob.data.data(), blob.data.size()) != checksum)
    damaged(path, "checksum mismatch: the content is damaged");

  try {
    state->faiss.reset(faiss::read_index(&blob));
  } catch (const faiss::FaissException& e) {
    damaged(path, std::string("FAISS could not read its section: ") + e.what());
  }
  const faiss::Index* fi = state->faiss.get();
  const bool kind_ok = state->kind == ShortlistKind::Flat
                           ? dynamic_cast<const faiss::IndexFlatL2*>(fi) != nullptr
                           : dynamic_cast<const faiss::IndexIVFFlat*>(fi) != nullptr &&
                                 static_cast<const faiss::IndexIVFFlat*>(fi)->nlist == nlist;
  if (!kind_ok || fi->d != static_cast<FaissId>(2 * dim) || fi->ntotal != static_cast<FaissId>(count))
    damaged(path, "the FAISS section does not match the header");
  check_finite(state->rows, (path + ": indexed rows").c_str());
  state->find_hubs();
  return RetrievalIndex(std::move(state));
}

}  // namespace gxn
