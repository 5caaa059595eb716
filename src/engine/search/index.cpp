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
#include <unordered_map>
#include <unordered_set>
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

// File layout, little-endian: an 80-byte header, the N × 2D original rows (float32), the N ids
// (int64), the payload section (absent when the header gives it 0 bytes: N uint32 lengths, then
// the payloads' bytes one after another), then the FAISS index as faiss::write_index wrote it.
// The checksum covers everything after the header. Version 1 had no ids and no payloads.
constexpr char kMagic[8] = {'G', 'X', 'N', 'I', 'N', 'D', 'E', 'X'};
constexpr std::uint32_t kFormatVersion = 2;
constexpr std::size_t kHeaderBytes = 80;
constexpr std::size_t kMaxHubs = 1 << 16;

// The checksum of the file's sections (rows, ids, payloads, FAISS blob): gxn's file checksum of
// each, folded together.
std::uint64_t content_checksum(const std::vector<std::pair<const void*, std::size_t>>& sections) {
  std::vector<std::uint64_t> parts;
  for (const auto& [data, size] : sections) parts.push_back(checksum64(data, size));
  return checksum64(parts.data(), parts.size() * sizeof(std::uint64_t));
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

// The ids of `count` new items: `given`, or one past the largest of `held`, counting up.
// Refuses a wrong count, a negative id, or one that repeats or is already held, by index.
std::vector<std::int64_t> new_ids(const std::vector<std::int64_t>& given, std::int64_t count,
                                  const std::unordered_map<std::int64_t, std::int64_t>& held, std::int64_t next) {
  if (given.empty()) {
    std::vector<std::int64_t> ids(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) ids[static_cast<std::size_t>(i)] = next + i;
    return ids;
  }
  if (static_cast<std::int64_t>(given.size()) != count)
    throw Error(ErrorCode::Shape,
                "index ids: " + std::to_string(given.size()) + " ids for " + std::to_string(count) + " rows");
  std::unordered_set<std::int64_t> seen;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const std::int64_t id = given[i];
    const std::string which = "index ids[" + std::to_string(i) + "] = " + std::to_string(id);
    if (id < 0) throw Error(ErrorCode::InvalidArgument, which + ": ids must be 0 or more");
    if (held.count(id) != 0 || !seen.insert(id).second)
      throw Error(ErrorCode::InvalidArgument, which + ": the id is already used");
  }
  return given;
}

// Refuses a wrong count, an over-long payload or one holding NUL, by index.
void check_payloads(const std::vector<std::string>& payloads, std::int64_t count) {
  if (payloads.empty()) return;
  if (static_cast<std::int64_t>(payloads.size()) != count)
    throw Error(ErrorCode::Shape, "index payloads: " + std::to_string(payloads.size()) + " payloads for " +
                                      std::to_string(count) + " rows");
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const std::string which = "index payloads[" + std::to_string(i) + "]";
    if (payloads[i].size() > kMaxPayloadBytes)
      throw Error(ErrorCode::InvalidArgument, which + ": " + std::to_string(payloads[i].size()) +
                                                  " bytes, above the limit of " + std::to_string(kMaxPayloadBytes));
    if (payloads[i].find('\0') != std::string::npos)
      throw Error(ErrorCode::InvalidArgument, which + ": holds a NUL byte");
  }
}

void check_rows(const MatrixView& rows, const char* what) {
  check_view(rows, what);
  if (rows.cols < 2 || rows.cols % 2 != 0)
    throw Error(ErrorCode::Shape, std::string(what) + ": " + std::to_string(rows.cols) +
                                      " columns; embedding rows hold 2·D values (x_h then x_l)");
  check_finite(rows, what);
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
  std::vector<std::int64_t> ids;                            // the caller's id of each row
  std::vector<std::string> payloads;                        // empty, or one per row
  std::unordered_map<std::int64_t, std::int64_t> position;  // id -> row
  std::unique_ptr<faiss::Index> faiss;                      // its labels are row numbers
  std::vector<std::int64_t> hubs;                           // rows by ascending ‖max(0, ṽ)‖², the first kMaxHubs

  void index_ids() {
    position.clear();
    position.reserve(ids.size());
    for (std::size_t r = 0; r < ids.size(); ++r) position.emplace(ids[r], static_cast<std::int64_t>(r));
  }
  std::int64_t next_id() const { return ids.empty() ? 0 : *std::max_element(ids.begin(), ids.end()) + 1; }
  std::int64_t row_of(std::int64_t id) const {
    const auto it = position.find(id);
    if (it == position.end()) throw Error(ErrorCode::NotFound, "index: no item has id " + std::to_string(id));
    return it->second;
  }
  // Adds rows [first, end) of `rows` to FAISS, whose labels continue from its ntotal.
  void add_to_faiss(std::int64_t first) {
    const std::int64_t count = rows.rows() - first;
    const RowMatrixXf s = scaled(rows, first, count);
    try {
      faiss->add(count, s.data());
    } catch (const faiss::FaissException& e) {
      throw Error(ErrorCode::Internal, std::string("adding to the FAISS index failed: ") + e.what());
    }
  }

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
const std::vector<std::int64_t>& RetrievalIndex::ids() const { return state_->ids; }
bool RetrievalIndex::contains(std::int64_t id) const { return state_->position.count(id) != 0; }
bool RetrievalIndex::has_payloads() const { return !state_->payloads.empty(); }

const std::string& RetrievalIndex::payload(std::int64_t id) const {
  static const std::string none;
  const std::int64_t row = state_->row_of(id);
  return state_->payloads.empty() ? none : state_->payloads[static_cast<std::size_t>(row)];
}

void RetrievalIndex::add(const MatrixView& rows, const std::vector<std::int64_t>& ids,
                         const std::vector<std::string>& payloads) {
  State& s = *state_;
  check_rows(rows, "added rows");
  if (rows.cols != 2 * s.dim)
    throw Error(ErrorCode::Shape, "added rows: " + std::to_string(rows.cols) + " columns, the index holds rows of " +
                                      std::to_string(2 * s.dim) + " (2·D)");
  if (rows.rows == 0) return;
  const std::vector<std::int64_t> added = new_ids(ids, rows.rows, s.position, s.next_id());
  check_payloads(payloads, rows.rows);

  const std::int64_t old = s.rows.rows();
  Matrix grown(old + rows.rows, s.rows.cols());
  as_eigen(grown).topRows(old) = as_eigen(s.rows);
  as_eigen(grown).bottomRows(rows.rows) = as_eigen(rows);
  std::swap(s.rows, grown);
  try {
    s.add_to_faiss(old);
  } catch (...) {
    std::swap(s.rows, grown);  // FAISS refused: the index stays as it was
    throw;
  }
  s.ids.insert(s.ids.end(), added.begin(), added.end());
  if (!payloads.empty() && s.payloads.empty()) s.payloads.resize(static_cast<std::size_t>(old));
  if (!s.payloads.empty()) {
    if (payloads.empty())
      s.payloads.resize(s.ids.size());
    else
      s.payloads.insert(s.payloads.end(), payloads.begin(), payloads.end());
  }
  s.index_ids();
  s.find_hubs();
}

void RetrievalIndex::remove(const std::vector<std::int64_t>& ids) {
  State& s = *state_;
  std::vector<char> gone(static_cast<std::size_t>(s.rows.rows()), 0);
  for (std::int64_t id : ids) gone[static_cast<std::size_t>(s.row_of(id))] = 1;
  const auto kept = static_cast<std::int64_t>(std::count(gone.begin(), gone.end(), 0));
  if (kept == s.rows.rows()) return;
  if (kept == 0)
    throw Error(ErrorCode::InvalidArgument, "index: removing all " + std::to_string(s.rows.rows()) +
                                                " items would leave it empty; build a new index instead");
  Matrix rows(kept, s.rows.cols());
  std::vector<std::int64_t> kept_ids;
  std::vector<std::string> kept_payloads;
  for (std::int64_t r = 0, out = 0; r < s.rows.rows(); ++r) {
    if (gone[static_cast<std::size_t>(r)]) continue;
    std::copy(s.rows.row(r), s.rows.row(r) + s.rows.cols(), rows.row(out++));
    kept_ids.push_back(s.ids[static_cast<std::size_t>(r)]);
    if (!s.payloads.empty()) kept_payloads.push_back(std::move(s.payloads[static_cast<std::size_t>(r)]));
  }
  s.rows = std::move(rows);
  s.ids = std::move(kept_ids);
  s.payloads = std::move(kept_payloads);
  s.index_ids();
  // FAISS labels are row numbers: empty it (IVF keeps its trained lists) and add the rows again.
  s.faiss->reset();
  s.add_to_faiss(0);
  s.find_hubs();
}

RetrievalIndex RetrievalIndex::build(const MatrixView& rows, const IndexOptions& options) {
  return build(rows, {}, {}, options);
}

RetrievalIndex RetrievalIndex::build(const MatrixView& rows, const std::vector<std::int64_t>& ids,
                                     const std::vector<std::string>& payloads, const IndexOptions& options) {
  check_view(rows, "index rows");
  if (rows.rows < 1) throw Error(ErrorCode::InvalidArgument, "index rows: cannot build an index over no rows");
  check_rows(rows, "index rows");
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
  state->ids = new_ids(ids, n, {}, 0);
  check_payloads(payloads, n);
  state->payloads = payloads;
  state->index_ids();
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
        const auto better = [&s](const auto& a, const auto& b) {
          return a.first != b.first
                     ? a.first > b.first
                     : s.ids[static_cast<std::size_t>(a.second)] < s.ids[static_cast<std::size_t>(b.second)];
        };
        const auto keep =
            static_cast<std::ptrdiff_t>(std::min<std::size_t>(found.size(), static_cast<std::size_t>(out.k)));
        std::partial_sort(found.begin(), found.begin() + keep, found.end(), better);
        const std::int64_t row = (first + q) * out.k;
        for (std::ptrdiff_t i = 0; i < keep; ++i) {
          out.index[static_cast<std::size_t>(row + i)] =
              s.ids[static_cast<std::size_t>(found[static_cast<std::size_t>(i)].second)];
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
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the index file stores little-endian numbers");
  std::vector<unsigned char> payload_section;
  if (!s.payloads.empty()) {
    payload_section.resize(4 * s.payloads.size());
    for (std::size_t i = 0; i < s.payloads.size(); ++i) put(payload_section.data() + 4 * i, s.payloads[i].size(), 4);
    for (const std::string& p : s.payloads) payload_section.insert(payload_section.end(), p.begin(), p.end());
  }
  const std::size_t ids_size = s.ids.size() * sizeof(std::int64_t);
  const std::uint64_t checksum = content_checksum({{row_bytes, rows_size},
                                                   {s.ids.data(), ids_size},
                                                   {payload_section.data(), payload_section.size()},
                                                   {blob.data.data(), blob.data.size()}});

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
  put(header + 64, payload_section.size(), 8);

  AtomicFileWriter out(path);
  out.write(header, sizeof header);
  out.write(row_bytes, rows_size);
  out.write(s.ids.data(), ids_size);
  out.write(payload_section.data(), payload_section.size());
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
  if (version == 1)
    throw Error(ErrorCode::Unsupported, path +
                                            ": gxn index format version 1 (an index from before ids and "
                                            "payloads) is not read by this gxn, which reads version " +
                                            std::to_string(kFormatVersion) + ": build the index again");
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
  const std::uint64_t payload_size = get(header + 64, 8);
  // Sizes must not overflow, and must add up to the file's size before anything is allocated.
  const std::uint64_t max_values = std::numeric_limits<std::uint64_t>::max() / 8;
  if (count < 1 || dim < 1 || dim > max_values || count > max_values / dim)
    damaged(path, "implausible dimensions " + std::to_string(count) + " × 2·" + std::to_string(dim));
  const std::uint64_t rows_size = count * 2 * dim * 4, ids_size = count * 8;
  if (blob_size > file_size || payload_size > file_size || rows_size > file_size ||
      kHeaderBytes + rows_size + ids_size + payload_size + blob_size != file_size)
    damaged(path, "size " + std::to_string(file_size) +
                      " bytes, the header describes more or less (truncated or "
                      "extended)");
  if (payload_size != 0 && payload_size < 4 * count) damaged(path, "a payload section too small for its lengths");
  if ((state->kind == ShortlistKind::Flat) != (nlist == 0) || nlist > count) damaged(path, "inconsistent nlist");

  state->dim = static_cast<std::int64_t>(dim);
  state->nlist = static_cast<std::int64_t>(nlist);
  state->rows = Matrix(static_cast<std::int64_t>(count), static_cast<std::int64_t>(2 * dim));
  state->ids.resize(static_cast<std::size_t>(count));
  std::vector<unsigned char> payload_section(payload_size);
  faiss::VectorIOReader blob;
  blob.data.resize(blob_size);
  if (std::fread(state->rows.data(), 1, rows_size, f.get()) != rows_size ||
      std::fread(state->ids.data(), 1, ids_size, f.get()) != ids_size ||
      std::fread(payload_section.data(), 1, payload_size, f.get()) != payload_size ||
      std::fread(blob.data.data(), 1, blob_size, f.get()) != blob_size)
    throw Error(ErrorCode::Io, path + ": read failed");
  if (content_checksum({{state->rows.data(), rows_size},
                        {state->ids.data(), ids_size},
                        {payload_section.data(), payload_section.size()},
                        {blob.data.data(), blob.data.size()}}) != checksum)
    damaged(path, "checksum mismatch: the content is damaged");
  if (payload_size != 0) {
    std::uint64_t at = 4 * count;
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t length = get(payload_section.data() + 4 * i, 4);
      if (length > kMaxPayloadBytes || length > payload_size - at) damaged(path, "payload lengths beyond the section");
      state->payloads.emplace_back(reinterpret_cast<const char*>(payload_section.data() + at), length);
      at += length;
    }
    if (at != payload_size) damaged(path, "payload lengths that do not fill the section");
  }
  try {
    new_ids(state->ids, static_cast<std::int64_t>(count), {}, 0);
    check_payloads(state->payloads, static_cast<std::int64_t>(count));
  } catch (const Error& e) {
    damaged(path, e.what());
  }
  state->index_ids();

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
