#include "gxn/engine/search/index.hpp"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <omp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/checksum.hpp"
#include "common/splitmix64.hpp"
#include "gxn/engine/cpu.hpp"
#include "gxn/engine/eigen.hpp"
#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/engine/search/cuda_scorer.hpp"
#include "gxn/error.hpp"
#include "score_kernel.hpp"
#include "top_k_heaps.hpp"

namespace gxn {

namespace {

using FaissId = std::int64_t;  // faiss::Index::idx_t in FAISS 1.7.3, faiss::idx_t later: int64 in both

// File layout (version 3), little-endian: an 80-byte header; the N ids (int64); the payload
// section (absent when the header gives it 0 bytes: N uint32 lengths, then the payloads' bytes
// one after another); for IVF the list section: nlist + 1 int64 offsets (list l holds rows
// [offset[l], offset[l + 1])), then the nlist × 2D centres (float32); last the N × 2D λ-scaled
// rows [√λ·x_h, √(1−λ)·x_l] (float32), list by list and by ascending id within a list. Two
// checksums: at header byte 72 of the ids, payloads and lists (checked before they are read), at
// byte 56 of the rows, folded from blocks of kFileRows rows so that rows stream to and from the
// file. Version 2 held the rows as given, then a FAISS index (checksum at 56 over all), and is
// still read; version 1 had no ids and no payloads.
constexpr char kMagic[8] = {'G', 'X', 'N', 'I', 'N', 'D', 'E', 'X'};
constexpr std::uint32_t kFormatVersion = 3;
constexpr std::uint32_t kListedRowsVersion = 2;  // rows as given and a FAISS index
constexpr std::size_t kHeaderBytes = 80;
constexpr std::size_t kMaxHubs = 1 << 16;
constexpr std::int64_t kFileRows = 4096;

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

// Measured at N = 1,000,000 (README, bench/index_recall): see default_nlist and default_nprobe.
constexpr std::int64_t kTrainingRowsPerList = 64;  // k-means runs on a sample of this many rows per list
constexpr int kKmeansIterations = 10;
constexpr std::int64_t kAssignRows = 65536;  // rows scaled and assigned to lists at a time
constexpr std::int64_t kMaxHeld = 1 << 22;   // top-k candidates held per batch of queries, all threads
constexpr std::int64_t kDefaultHubs = 256;
constexpr std::int64_t kLongList = 4;     // lists longer than this many times the mean are split
constexpr std::int64_t kTaskRows = 2048;  // rows of a list scored in one task
// Column panels scored against one packed query panel after another: 1 MiB, which stays in L2.
constexpr std::int64_t kGroupFloats = std::int64_t{256} << 10;

// √N lists (about √N rows each), at most N/39 (k-means wants a few dozen rows per centre).
std::int64_t default_nlist(std::int64_t n) {
  return std::clamp<std::int64_t>(std::llround(std::sqrt(static_cast<double>(n))), 1,
                                  std::max<std::int64_t>(1, n / 39));
}
// Four lists, or one in 250 of many: recall@10 ≥ 0.99 on unit, raw and model embeddings (README).
std::int64_t default_nprobe(std::int64_t nlist) {
  return std::min(nlist, std::max<std::int64_t>(4, (nlist + 249) / 250));
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// An item on its way into the index's layout: value d of its row at values[d * step], times
// scale_h (x_h) or scale_l (x_l): √λ and √(1−λ) for rows as given, 1 for rows held already.
struct Item {
  std::int64_t list;
  std::int64_t id;
  const float* values;
  std::int64_t step;
  float scale_h, scale_l;
  const std::string* payload;  // null: none
};

// What the index holds of its items: their λ-scaled rows, list by list and by ascending id
// within a list, in the scoring kernel's column panels: row r is column r % width of panel
// r / width (value d at panel[d * width + column]); the last panel is padded with zeros. A panel
// may hold the end of one list and the start of the next. The kernel reads the panels as they
// are: nothing is packed at search time.
struct Layout {
  detail::AlignedFloats panels;
  std::vector<std::int64_t> ids;
  std::vector<std::string> payloads;  // empty, or one per row
  std::vector<std::int64_t> offsets;  // list l holds rows [offsets[l], offsets[l + 1])
};

Layout lay_out(std::vector<Item>& items, std::int64_t lists, std::int64_t depth, int width, bool with_payloads) {
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.list != b.list ? a.list < b.list : a.id < b.id; });
  Layout out;
  out.ids.resize(items.size());
  out.offsets.assign(static_cast<std::size_t>(lists + 1), 0);
  if (with_payloads) out.payloads.resize(items.size());
  for (std::size_t r = 0; r < items.size(); ++r) {
    out.ids[r] = items[r].id;
    if (with_payloads && items[r].payload != nullptr) out.payloads[r] = *items[r].payload;
    ++out.offsets[static_cast<std::size_t>(items[r].list + 1)];
  }
  std::partial_sum(out.offsets.begin(), out.offsets.end(), out.offsets.begin());
  const auto n = static_cast<std::int64_t>(items.size());
  const std::int64_t panels = ceil_div(n, width);
  out.panels = detail::AlignedFloats(panels * width * depth);
  const std::int64_t half = depth / 2;
#pragma omp parallel for schedule(dynamic, 64) if (panels > 64)
  for (std::int64_t p = 0; p < panels; ++p) {
    const std::int64_t first = p * width;
    float* dst = out.panels.get() + p * width * depth;
    for (std::int64_t j = 0; j < width; ++j) {
      if (first + j >= n) {
        for (std::int64_t d = 0; d < depth; ++d) dst[d * width + j] = 0.0f;
        continue;
      }
      const Item& item = items[static_cast<std::size_t>(first + j)];
      for (std::int64_t d = 0; d < half; ++d) dst[d * width + j] = item.values[d * item.step] * item.scale_h;
      for (std::int64_t d = half; d < depth; ++d) dst[d * width + j] = item.values[d * item.step] * item.scale_l;
    }
  }
  return out;
}

// A candidate in a top-k: higher score first, equal scores by lower id.
struct Candidate {
  float score;
  std::int64_t id;
  std::int64_t row;
};
bool better(const Candidate& a, const Candidate& b) { return a.score > b.score || (a.score == b.score && a.id < b.id); }

// The k best candidates one thread has seen for each query of a batch.
using QueryHeaps = detail::TopKHeaps<Candidate, better>;

// Rows in the kernel's query panel from visitor `first` of a list that `visitors` queries visit:
// full panels, then (where the kernel has smaller ones) panels of a few rows for the last
// queries, so that a list one or two queries visit is not scored as if six did.
int panel_rows(std::int64_t first, std::int64_t visitors, const detail::ScoreKernel& kernel) {
  const int full = kernel.rows_per_tile, few = kernel.few_rows_per_tile;
  const std::int64_t rest = visitors - visitors / full * full;
  const bool few_at_end = few > 0 && rest > 0 && rest <= full - few;
  return few_at_end && first >= visitors / full * full ? few : full;
}
// Floats the packed query panels of a list that `visitors` queries visit take.
std::int64_t packed_floats(std::int64_t visitors, std::int64_t depth, const detail::ScoreKernel& kernel) {
  std::int64_t rows = 0;
  while (rows < visitors) rows += panel_rows(rows, visitors, kernel);
  return rows * depth;
}

// Panels [first, end) of a list (or of the hubs), scored against the queries that visit it.
struct Task {
  std::int64_t list;
  std::int64_t first, end;
  std::int64_t work;  // panels × queries
};

}  // namespace

struct RetrievalIndex::State {
  float lambda = 0.5f;
  IndexedSide side = IndexedSide::Images;
  ShortlistKind kind = ShortlistKind::Flat;
  std::int64_t dim = 0;
  std::int64_t nlist = 0;  // 0 for Flat, which is one list of every row
  detail::ScoreKernel kernel = detail::score_kernel_for(detect_isa());
  detail::AlignedFloats panels;                             // the λ-scaled rows (see Layout)
  std::vector<std::int64_t> ids;                            // the caller's id of each row
  std::vector<std::string> payloads;                        // empty, or one per row
  std::vector<std::int64_t> offsets;                        // list l holds rows [offsets[l], offsets[l + 1])
  std::unique_ptr<faiss::IndexFlatL2> centroids;            // IVF: the list centres of the λ-scaled rows
  std::unordered_map<std::int64_t, std::int64_t> position;  // id -> row
  std::vector<std::int64_t> hubs;                           // rows by ascending ‖max(0, ṽ)‖², the first kMaxHubs
  // keep_on_device: the rows again in device memory by ascending id (the GPU breaks ties by
  // the lower row, so that is the lower id), with those ids.
  struct DeviceCopy {
    DeviceMatrix rows;
    std::vector<std::int64_t> ids;
  };
  std::unique_ptr<DeviceCopy> device_copy;

  std::int64_t size() const { return static_cast<std::int64_t>(ids.size()); }
  std::int64_t depth() const { return 2 * dim; }
  int width() const { return kernel.cols_per_tile; }
  float scale_h() const { return std::sqrt(lambda); }  // as the scorer scales: the same floats
  float scale_l() const { return std::sqrt(1.0f - lambda); }
  std::int64_t lists() const { return static_cast<std::int64_t>(offsets.size()) - 1; }
  const float* panel(std::int64_t p) const { return panels.get() + p * width() * depth(); }
  // Row `row`'s scaled values in panels laid out as this index's: value d at [d * width()].
  const float* column_in(const float* any_panels, std::int64_t row) const {
    return any_panels + (row / width()) * width() * depth() + row % width();
  }
  const float* column(std::int64_t row) const { return column_in(panels.get(), row); }
  std::int64_t next_id() const { return ids.empty() ? 0 : *std::max_element(ids.begin(), ids.end()) + 1; }
  std::int64_t row_of(std::int64_t id) const {
    const auto it = position.find(id);
    if (it == position.end()) throw Error(ErrorCode::NotFound, "index: no item has id " + std::to_string(id));
    return it->second;
  }
  // The (2·D) values of row `row`, as held.
  void copy_row(std::int64_t row, float* out) const {
    const float* c = column(row);
    for (std::int64_t d = 0; d < depth(); ++d) out[d] = c[d * width()];
  }

  // Takes a new layout, with the id lookup and hubs that go with it; the state changes only once
  // all of them exist.
  void adopt(Layout layout) {
    // The device copy first: if it fails (out of device memory), nothing has changed.
    std::unique_ptr<DeviceCopy> new_copy =
        device_copy ? copy_to_device(layout.panels.get(), layout.ids, device_copy->rows.device()) : nullptr;
    std::unordered_map<std::int64_t, std::int64_t> new_position;
    new_position.reserve(layout.ids.size());
    for (std::size_t r = 0; r < layout.ids.size(); ++r)
      new_position.emplace(layout.ids[r], static_cast<std::int64_t>(r));
    std::vector<std::int64_t> new_hubs = find_hubs(layout);
    panels = std::move(layout.panels);
    ids = std::move(layout.ids);
    payloads = std::move(layout.payloads);
    offsets = std::move(layout.offsets);
    position = std::move(new_position);
    hubs = std::move(new_hubs);
    if (device_copy) device_copy = std::move(new_copy);
  }

  // The rows of a layout (its panels and the id of each row) on CUDA device `device`, by id.
  std::unique_ptr<DeviceCopy> copy_to_device(const float* layout_panels, const std::vector<std::int64_t>& row_ids,
                                             int device) const {
    const auto n = static_cast<std::int64_t>(row_ids.size());
    std::vector<std::int64_t> order(row_ids.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&row_ids](std::int64_t a, std::int64_t b) {
      return row_ids[static_cast<std::size_t>(a)] < row_ids[static_cast<std::size_t>(b)];
    });
    Matrix rows(n, depth());
    std::vector<std::int64_t> sorted_ids(row_ids.size());
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t r = order[static_cast<std::size_t>(i)];
      const float* c = column_in(layout_panels, r);
      for (std::int64_t d = 0; d < depth(); ++d) rows(i, d) = c[d * width()];
      sorted_ids[static_cast<std::size_t>(i)] = row_ids[static_cast<std::size_t>(r)];
    }
    return std::make_unique<DeviceCopy>(DeviceCopy{DeviceMatrix(rows, device), std::move(sorted_ids)});
  }

  // Exact top-k of every row on the device: the queries scaled as the CPU search scales them,
  // and s* on the scaled rows with the blend already in them (CudaScoreOptions::prescaled).
  TopK search_on_device(const MatrixView& queries, std::int64_t k) const {
    Matrix scaled(queries.rows, depth());
    const float h = scale_h(), l = scale_l();
    for (std::int64_t q = 0; q < queries.rows; ++q)
      for (std::int64_t d = 0; d < depth(); ++d) scaled(q, d) = (d < dim ? h : l) * queries(q, d);
    const int device = device_copy->rows.device();
    const DeviceMatrix on_device(scaled, device);
    CudaScoreOptions options;
    options.lambda = lambda;
    options.device = device;
    options.prescaled = true;
    const CudaOrderScorer scorer(options);
    TopK top = side == IndexedSide::Images ? scorer.top_images_device(on_device.view(), device_copy->rows.view(), k)
                                           : scorer.top_texts_device(on_device.view(), device_copy->rows.view(), k);
    for (std::int64_t& i : top.index)
      if (i >= 0) i = device_copy->ids[static_cast<std::size_t>(i)];
    return top;
  }

  // The items of this index, each in its list, ready for lay_out (values and payloads borrowed).
  std::vector<Item> items(const std::vector<char>& skip = {}) const {
    std::vector<Item> out;
    out.reserve(ids.size());
    for (std::int64_t l = 0; l < lists(); ++l)
      for (std::int64_t r = offsets[static_cast<std::size_t>(l)]; r < offsets[static_cast<std::size_t>(l + 1)]; ++r)
        if (skip.empty() || !skip[static_cast<std::size_t>(r)])
          out.push_back({l, ids[static_cast<std::size_t>(r)], column(r), width(), 1.0f, 1.0f,
                         payloads.empty() ? nullptr : &payloads[static_cast<std::size_t>(r)]});
    return out;
  }

  // Rows by ascending positive mass of their λ-scaled values: against a non-negative query t,
  // s*(t, v) ≥ −‖max(0, ṽ)‖², so these violate little however far they are in L2.
  std::vector<std::int64_t> find_hubs(const Layout& layout) const {
    const auto n = static_cast<std::int64_t>(layout.ids.size());
    std::vector<std::pair<float, std::int64_t>> mass(static_cast<std::size_t>(n));
    const int w = width();
    for (std::int64_t p = 0; p < ceil_div(n, w); ++p) {
      const float* values = layout.panels.get() + p * w * depth();
      const auto count = static_cast<int>(std::min<std::int64_t>(w, n - p * w));
      for (int j = 0; j < count; ++j) {
        float sum = 0;
        for (std::int64_t d = 0; d < depth(); ++d) {
          const float x = std::max(0.0f, values[d * w + j]);
          sum += x * x;
        }
        mass[static_cast<std::size_t>(p * w + j)] = {sum, p * w + j};
      }
    }
    const auto keep = static_cast<std::ptrdiff_t>(std::min<std::size_t>(mass.size(), kMaxHubs));
    std::partial_sort(mass.begin(), mass.begin() + keep, mass.end());
    std::vector<std::int64_t> out(static_cast<std::size_t>(keep));
    for (std::ptrdiff_t i = 0; i < keep; ++i)
      out[static_cast<std::size_t>(i)] = mass[static_cast<std::size_t>(i)].second;
    return out;
  }

  // [√λ·x_h, √(1−λ)·x_l] for rows [first, first + count) of `m` (for k-means and probing: an L2
  // distance on these rows is λ‖v_h − t_h‖² + (1−λ)‖v_l − t_l‖², an upper bound of −s*(t, v)).
  RowMatrixXf scaled(const MatrixView& m, std::int64_t first, std::int64_t count) const {
    const auto rows = as_eigen(m).middleRows(first, count);
    RowMatrixXf out(count, 2 * dim);
    out.leftCols(dim) = scale_h() * rows.leftCols(dim);
    out.rightCols(dim) = scale_l() * rows.rightCols(dim);
    return out;
  }

  // k-means centres of the λ-scaled rows, trained on a sample of kTrainingRowsPerList rows per
  // list (the sample, not every row, sets the cost: 1M rows train as fast as 64·nlist).
  void train(const MatrixView& m, std::int64_t lists, int seed) {
    const std::int64_t n = m.rows, sample = std::min(n, lists * kTrainingRowsPerList);
    std::vector<std::int64_t> chosen(static_cast<std::size_t>(n));
    std::iota(chosen.begin(), chosen.end(), 0);
    detail::SplitMix64 rng(static_cast<std::uint64_t>(seed));
    for (std::int64_t i = 0; i < sample; ++i)
      std::swap(chosen[static_cast<std::size_t>(i)],
                chosen[static_cast<std::size_t>(
                    i + static_cast<std::int64_t>(rng.below64(static_cast<std::uint64_t>(n - i))))]);
    chosen.resize(static_cast<std::size_t>(sample));
    std::sort(chosen.begin(), chosen.end());
    RowMatrixXf x(sample, 2 * dim);
    for (std::int64_t i = 0; i < sample; ++i) x.row(i) = scaled(m, chosen[static_cast<std::size_t>(i)], 1);
    faiss::ClusteringParameters cp;
    cp.niter = kKmeansIterations;
    cp.seed = seed;
    // The sample is drawn already; an explicit small set is the caller's choice (FAISS would
    // otherwise warn below 39 rows per centre).
    cp.min_points_per_centroid = 1;
    cp.max_points_per_centroid = std::numeric_limits<int>::max();
    faiss::Clustering kmeans(static_cast<int>(2 * dim), static_cast<std::size_t>(lists), cp);
    auto centres = std::make_unique<faiss::IndexFlatL2>(static_cast<FaissId>(2 * dim));
    kmeans.train(sample, x.data(), *centres);
    centroids = std::move(centres);
    nlist = lists;
  }

  // k-means leaves some lists far longer than the mean on data of uneven norms (measured on
  // |N(c, 0.5²)| rows: 1 to 18,053 rows where the mean is 1,000), and every query that visits one
  // scores all of it. Each list over kLongList times the mean is split by k-means on its own
  // rows into lists of about the mean; its rows go to the nearest of its new centres.
  void split_long_lists(const MatrixView& m, std::vector<std::int64_t>& lists, int seed) {
    const std::int64_t mean = std::max<std::int64_t>(1, m.rows / nlist);
    std::vector<std::vector<std::int64_t>> members(static_cast<std::size_t>(nlist));
    for (std::int64_t r = 0; r < m.rows; ++r)
      members[static_cast<std::size_t>(lists[static_cast<std::size_t>(r)])].push_back(r);
    std::vector<float> centres(centroids->get_xb(), centroids->get_xb() + nlist * 2 * dim);
    const std::int64_t trained = nlist;
    for (std::int64_t l = 0; l < trained; ++l) {
      const std::vector<std::int64_t>& rows = members[static_cast<std::size_t>(l)];
      const auto count = static_cast<std::int64_t>(rows.size());
      if (count <= kLongList * mean) continue;
      const std::int64_t parts = ceil_div(count, mean);
      RowMatrixXf x(count, 2 * dim);
      for (std::int64_t i = 0; i < count; ++i) x.row(i) = scaled(m, rows[static_cast<std::size_t>(i)], 1);
      faiss::ClusteringParameters cp;
      cp.niter = kKmeansIterations;
      cp.seed = seed + static_cast<int>(l);
      cp.min_points_per_centroid = 1;
      cp.max_points_per_centroid = std::numeric_limits<int>::max();
      faiss::Clustering kmeans(static_cast<int>(2 * dim), static_cast<std::size_t>(parts), cp);
      faiss::IndexFlatL2 sub(static_cast<FaissId>(2 * dim));
      kmeans.train(count, x.data(), sub);
      std::vector<FaissId> part(static_cast<std::size_t>(count));
      sub.assign(count, x.data(), part.data());
      // Part 0 keeps the list's number and place; the others become new lists at the end.
      std::copy(sub.get_xb(), sub.get_xb() + 2 * dim, centres.begin() + l * 2 * dim);
      const std::int64_t first_new = nlist;
      centres.insert(centres.end(), sub.get_xb() + 2 * dim, sub.get_xb() + parts * 2 * dim);
      nlist += parts - 1;
      for (std::int64_t i = 0; i < count; ++i) {
        const FaissId p = part[static_cast<std::size_t>(i)];
        lists[static_cast<std::size_t>(rows[static_cast<std::size_t>(i)])] = p == 0 ? l : first_new + p - 1;
      }
    }
    if (nlist == trained) return;
    auto all = std::make_unique<faiss::IndexFlatL2>(static_cast<FaissId>(2 * dim));
    all->add(nlist, centres.data());
    centroids = std::move(all);
  }

  // The list (nearest centre) of each row of `m`.
  std::vector<std::int64_t> assign(const MatrixView& m) const {
    std::vector<std::int64_t> lists(static_cast<std::size_t>(m.rows), 0);
    for (std::int64_t first = 0; first < m.rows; first += kAssignRows) {
      const std::int64_t count = std::min(kAssignRows, m.rows - first);
      const RowMatrixXf x = scaled(m, first, count);
      centroids->assign(count, x.data(), lists.data() + first);
    }
    return lists;
  }

  // The lists query rows [first, first + count) visit: each its `nprobe` nearest centres, then
  // the next ones until they hold at least `shortlist` rows. A flat index: its one list.
  std::vector<std::vector<std::int64_t>> probe(const MatrixView& queries, std::int64_t first, std::int64_t count,
                                               std::int64_t nprobe, std::int64_t shortlist) const {
    std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(count));
    if (!centroids) {
      for (auto& lists : out) lists = {0};
      return out;
    }
    const std::int64_t ranked = shortlist > 0 ? nlist : nprobe;
    const RowMatrixXf x = scaled(queries, first, count);
    std::vector<float> distances(static_cast<std::size_t>(count * ranked));
    std::vector<FaissId> nearest(distances.size());
    try {
      centroids->search(count, x.data(), ranked, distances.data(), nearest.data());
    } catch (const faiss::FaissException& e) {
      throw Error(ErrorCode::Internal, std::string("FAISS search of the IVF centres failed: ") + e.what());
    }
    for (std::int64_t q = 0; q < count; ++q) {
      std::int64_t covered = 0;
      for (std::int64_t i = 0; i < ranked; ++i) {
        const FaissId l = nearest[static_cast<std::size_t>(q * ranked + i)];
        if (l < 0 || (i >= nprobe && covered >= shortlist)) break;
        out[static_cast<std::size_t>(q)].push_back(l);
        covered += offsets[static_cast<std::size_t>(l + 1)] - offsets[static_cast<std::size_t>(l)];
      }
    }
    return out;
  }
};

RetrievalIndex::RetrievalIndex(std::unique_ptr<State> state) : state_(std::move(state)) {}
RetrievalIndex::RetrievalIndex(RetrievalIndex&&) noexcept = default;
RetrievalIndex& RetrievalIndex::operator=(RetrievalIndex&&) noexcept = default;
RetrievalIndex::~RetrievalIndex() = default;

std::int64_t RetrievalIndex::size() const { return state_->size(); }
std::int64_t RetrievalIndex::dim() const { return state_->dim; }
float RetrievalIndex::lambda() const { return state_->lambda; }
IndexedSide RetrievalIndex::side() const { return state_->side; }
ShortlistKind RetrievalIndex::kind() const { return state_->kind; }
std::int64_t RetrievalIndex::nlist() const { return state_->nlist; }
std::vector<std::int64_t> RetrievalIndex::list_sizes() const {
  std::vector<std::int64_t> sizes(state_->offsets.size() - 1);
  for (std::size_t l = 0; l < sizes.size(); ++l) sizes[l] = state_->offsets[l + 1] - state_->offsets[l];
  return sizes;
}
const std::vector<std::int64_t>& RetrievalIndex::ids() const { return state_->ids; }
bool RetrievalIndex::contains(std::int64_t id) const { return state_->position.count(id) != 0; }
bool RetrievalIndex::has_payloads() const { return !state_->payloads.empty(); }
std::vector<float> RetrievalIndex::scaled_row(std::int64_t id) const {
  std::vector<float> out(static_cast<std::size_t>(state_->depth()));
  state_->copy_row(state_->row_of(id), out.data());
  return out;
}

const std::string& RetrievalIndex::payload(std::int64_t id) const {
  static const std::string none;
  const std::int64_t row = state_->row_of(id);
  return state_->payloads.empty() ? none : state_->payloads[static_cast<std::size_t>(row)];
}

void RetrievalIndex::keep_on_device(int device) {
  State& s = *state_;
  if (s.device_copy && s.device_copy->rows.device() == device) return;
  s.device_copy = s.copy_to_device(s.panels.get(), s.ids, device);
}

void RetrievalIndex::release_device() { state_->device_copy.reset(); }

int RetrievalIndex::device() const { return state_->device_copy ? state_->device_copy->rows.device() : -1; }

std::int64_t RetrievalIndex::memory_bytes() const {
  const State& s = *state_;
  const std::int64_t panel_floats = ceil_div(s.size(), s.width()) * s.width() * s.depth();
  std::int64_t bytes =
      panel_floats * static_cast<std::int64_t>(sizeof(float)) +
      static_cast<std::int64_t>((s.ids.size() + s.offsets.size() + s.hubs.size()) * sizeof(std::int64_t));
  for (const std::string& p : s.payloads) bytes += static_cast<std::int64_t>(sizeof(std::string) + p.size());
  // The id lookup: a node per id and a bucket pointer each, about.
  bytes += static_cast<std::int64_t>(s.position.size() * (sizeof(void*) * 2 + 2 * sizeof(std::int64_t)) +
                                     s.position.bucket_count() * sizeof(void*));
  if (s.centroids) bytes += s.centroids->ntotal * s.centroids->d * static_cast<std::int64_t>(sizeof(float));
  return bytes;
}

void RetrievalIndex::add(const MatrixView& rows, const std::vector<std::int64_t>& ids,
                         const std::vector<std::string>& payloads) {
  State& s = *state_;
  check_rows(rows, "added rows");
  if (rows.cols != s.depth())
    throw Error(ErrorCode::Shape, "added rows: " + std::to_string(rows.cols) + " columns, the index holds rows of " +
                                      std::to_string(s.depth()) + " (2·D)");
  if (rows.rows == 0) return;
  const std::vector<std::int64_t> added = new_ids(ids, rows.rows, s.position, s.next_id());
  check_payloads(payloads, rows.rows);
  std::vector<std::int64_t> lists(static_cast<std::size_t>(rows.rows), 0);
  if (s.centroids) {
    try {
      lists = s.assign(rows);
    } catch (const faiss::FaissException& e) {
      throw Error(ErrorCode::Internal, std::string("assigning rows to IVF lists failed: ") + e.what());
    }
  }
  std::vector<Item> items = s.items();
  for (std::int64_t r = 0; r < rows.rows; ++r)
    items.push_back({lists[static_cast<std::size_t>(r)], added[static_cast<std::size_t>(r)], rows.row(r), 1,
                     s.scale_h(), s.scale_l(), payloads.empty() ? nullptr : &payloads[static_cast<std::size_t>(r)]});
  s.adopt(lay_out(items, s.lists(), s.depth(), s.width(), has_payloads() || !payloads.empty()));
}

void RetrievalIndex::remove(const std::vector<std::int64_t>& ids) {
  State& s = *state_;
  std::vector<char> gone(static_cast<std::size_t>(s.size()), 0);
  for (std::int64_t id : ids) gone[static_cast<std::size_t>(s.row_of(id))] = 1;
  const auto kept = static_cast<std::int64_t>(std::count(gone.begin(), gone.end(), 0));
  if (kept == s.size()) return;
  if (kept == 0)
    throw Error(ErrorCode::InvalidArgument, "index: removing all " + std::to_string(s.size()) +
                                                " items would leave it empty; build a new index instead");
  // IVF keeps its centres: the remaining rows stay in their lists.
  std::vector<Item> items = s.items(gone);
  s.adopt(lay_out(items, s.lists(), s.depth(), s.width(), has_payloads()));
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
  if (state->kind != ShortlistKind::Flat && state->kind != ShortlistKind::Ivf)
    throw Error(ErrorCode::InvalidArgument, "index options: unknown shortlist kind");
  const std::vector<std::int64_t> given_ids = new_ids(ids, n, {}, 0);
  check_payloads(payloads, n);

  std::vector<std::int64_t> lists(static_cast<std::size_t>(n), 0);
  std::int64_t list_count = 1;
  if (state->kind == ShortlistKind::Ivf) {
    const std::int64_t nlist = options.nlist > 0 ? options.nlist : default_nlist(n);
    if (nlist > n)
      throw Error(ErrorCode::InvalidArgument, "index options: nlist " + std::to_string(nlist) + " exceeds the " +
                                                  std::to_string(n) + " rows to train it on");
    try {
      state->train(rows, nlist, options.seed);
      lists = state->assign(rows);
      state->split_long_lists(rows, lists, options.seed);
      list_count = state->nlist;
    } catch (const faiss::FaissException& e) {
      throw Error(ErrorCode::Internal, std::string("training the IVF lists failed: ") + e.what());
    }
  }
  std::vector<Item> items(static_cast<std::size_t>(n));
  for (std::int64_t r = 0; r < n; ++r) {
    const auto i = static_cast<std::size_t>(r);
    items[i] = {lists[i],
                given_ids[i],
                rows.row(r),
                1,
                state->scale_h(),
                state->scale_l(),
                payloads.empty() ? nullptr : &payloads[i]};
  }
  state->adopt(lay_out(items, list_count, state->depth(), state->width(), !payloads.empty()));
  return RetrievalIndex(std::move(state));
}

TopK RetrievalIndex::search(const MatrixView& queries, std::int64_t k, const SearchOptions& options) const {
  const State& s = *state_;
  check_view(queries, "queries");
  if (queries.cols != s.depth())
    throw Error(ErrorCode::Shape, "queries: " + std::to_string(queries.cols) + " columns, the index holds rows of " +
                                      std::to_string(s.depth()) + " (2·D)");
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

  if (s.device_copy) return s.search_on_device(queries, out.k);

  const std::int64_t depth = s.depth();
  const int width = s.width(), mr = s.kernel.rows_per_tile;
  // The kernel's rows are the queries: captions when the index holds images, and the other way.
  const bool images = s.side == IndexedSide::Images;
  const detail::TileFunction tile = images ? s.kernel.text_rows : s.kernel.image_rows;
  const detail::TileFunction few_tile = images ? s.kernel.few_text_rows : s.kernel.few_image_rows;
  const std::int64_t nprobe =
      s.centroids ? std::min(s.nlist, options.nprobe > 0 ? options.nprobe : default_nprobe(s.nlist)) : 1;
  const std::int64_t shortlist = std::min(options.shortlist, n);

  // IVF: the hubs, packed as one more list (in id order), scored by every query; left out of
  // their own lists, so that no row is offered twice.
  std::vector<std::int64_t> hubs;
  if (s.centroids)
    hubs.assign(s.hubs.begin(), s.hubs.begin() + std::min<std::int64_t>(options.hubs < 0 ? kDefaultHubs : options.hubs,
                                                                        static_cast<std::int64_t>(s.hubs.size())));
  std::sort(hubs.begin(), hubs.end(), [&s](std::int64_t a, std::int64_t b) {
    return s.ids[static_cast<std::size_t>(a)] < s.ids[static_cast<std::size_t>(b)];
  });
  // By row, to tell a list's hub rows apart (only for rows that would enter a top-k).
  std::vector<std::int64_t> hub_rows(hubs);
  std::sort(hub_rows.begin(), hub_rows.end());
  const std::int64_t hub_panels = ceil_div(static_cast<std::int64_t>(hubs.size()), width);
  detail::AlignedFloats hub_pack(hub_panels * width * depth);
  for (std::int64_t p = 0; p < hub_panels; ++p)
    for (std::int64_t j = 0; j < width; ++j) {
      const std::int64_t c = p * width + j;
      float* dst = hub_pack.get() + p * width * depth + j;
      if (c < static_cast<std::int64_t>(hubs.size())) {
        const float* src = s.column(hubs[static_cast<std::size_t>(c)]);
        for (std::int64_t d = 0; d < depth; ++d) dst[d * width] = src[d * width];
      } else {
        for (std::int64_t d = 0; d < depth; ++d) dst[d * width] = 0.0f;
      }
    }

  const int threads = omp_get_max_threads();
  const std::int64_t batch = std::clamp<std::int64_t>(kMaxHeld / (threads * out.k), 1, 4096);
  const std::int64_t task_panels = std::max<std::int64_t>(1, kTaskRows / width);
  const std::int64_t group_panels = std::max<std::int64_t>(1, kGroupFloats / (width * depth));
  std::vector<QueryHeaps> heaps(static_cast<std::size_t>(threads));
  std::vector<std::vector<Candidate>> pools(static_cast<std::size_t>(threads));
  for (auto& pool : pools) pool.reserve(static_cast<std::size_t>(threads * out.k));
  detail::AlignedFloats tiles(threads * mr * width);  // each thread's tile of scores
  const float scale_h = s.scale_h(), scale_l = s.scale_l();
  for (std::int64_t first = 0; first < queries.rows; first += batch) {
    const std::int64_t count = std::min(batch, queries.rows - first);
    const std::vector<std::vector<std::int64_t>> probed = s.probe(queries, first, count, nprobe, shortlist);
    // Each list is scored once against all the queries that visit it, packed as the kernel's
    // row panels: its rows are read once per batch, and the kernel's tiles fill up.
    const std::int64_t hub_list = s.lists();
    std::vector<std::vector<std::int64_t>> visitors(static_cast<std::size_t>(hub_list) + 1);
    for (std::int64_t q = 0; q < count; ++q)
      for (std::int64_t l : probed[static_cast<std::size_t>(q)]) visitors[static_cast<std::size_t>(l)].push_back(q);
    if (!hubs.empty()) {
      visitors.back().resize(static_cast<std::size_t>(count));
      std::iota(visitors.back().begin(), visitors.back().end(), 0);
    }
    std::vector<std::int64_t> pack_at(visitors.size() + 1, 0);  // list l's packed queries start here
    for (std::size_t l = 0; l < visitors.size(); ++l)
      pack_at[l + 1] = pack_at[l] + packed_floats(static_cast<std::int64_t>(visitors[l].size()), depth, s.kernel);
    detail::AlignedFloats packed_queries(pack_at.back());
    std::vector<Task> tasks;
    for (std::int64_t l = 0; l <= hub_list; ++l) {
      const auto asking = static_cast<std::int64_t>(visitors[static_cast<std::size_t>(l)].size());
      // The panels holding the list's rows (those at either end may hold other lists' too).
      const std::int64_t begin = l == hub_list ? 0 : s.offsets[static_cast<std::size_t>(l)] / width;
      const std::int64_t end = l == hub_list ? hub_panels : ceil_div(s.offsets[static_cast<std::size_t>(l + 1)], width);
      if (asking > 0)
        for (std::int64_t at = begin; at < end; at += task_panels)
          tasks.push_back({l, at, std::min(end, at + task_panels), asking * std::min(task_panels, end - at)});
    }
    // Largest first, so that a long list does not hold up the other threads at the end.
    std::sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) { return a.work > b.work; });

    // Everything the threads use is allocated here: nothing inside the parallel regions may throw.
    for (QueryHeaps& h : heaps) h.reset(count, out.k);
#pragma omp parallel num_threads(threads)
    {
      QueryHeaps& mine = heaps[static_cast<std::size_t>(omp_get_thread_num())];
      float* scores = tiles.get() + omp_get_thread_num() * mr * width;
#pragma omp for schedule(dynamic, 1)
      for (std::size_t l = 0; l < visitors.size(); ++l) {
        // Panels of queries, d-major, scaled as the scorer packs them (the same floats).
        const std::vector<std::int64_t>& who = visitors[l];
        const auto asking = static_cast<std::int64_t>(who.size());
        for (std::int64_t i = 0, rows = 0; i < asking; i += rows) {
          rows = panel_rows(i, asking, s.kernel);
          float* dst = packed_queries.get() + pack_at[l] + i * depth;
          for (int r = 0; r < rows; ++r) {
            const float* src = i + r < asking ? queries.row(first + who[static_cast<std::size_t>(i + r)]) : nullptr;
            for (std::int64_t d = 0; d < depth; ++d)
              dst[d * rows + r] = src == nullptr ? 0.0f : src[d] * (d < s.dim ? scale_h : scale_l);
          }
        }
      }
#pragma omp for schedule(dynamic, 1)
      for (std::size_t t = 0; t < tasks.size(); ++t) {
        const Task& task = tasks[t];
        const bool hub = task.list == hub_list;
        const std::vector<std::int64_t>& who = visitors[static_cast<std::size_t>(task.list)];
        const auto asking = static_cast<std::int64_t>(who.size());
        const std::int64_t list_begin = hub ? 0 : s.offsets[static_cast<std::size_t>(task.list)];
        const std::int64_t list_end =
            hub ? static_cast<std::int64_t>(hubs.size()) : s.offsets[static_cast<std::size_t>(task.list + 1)];
        const float* query_panels = packed_queries.get() + pack_at[static_cast<std::size_t>(task.list)];
        for (std::int64_t g = task.first; g < task.end; g += group_panels) {
          const std::int64_t g_end = std::min(task.end, g + group_panels);
          for (std::int64_t i = 0, panel = 0; i < asking; i += panel) {
            panel = panel_rows(i, asking, s.kernel);
            const auto rows = static_cast<int>(std::min<std::int64_t>(panel, asking - i));
            for (std::int64_t p = g; p < g_end; ++p) {
              const float* candidates = hub ? hub_pack.get() + p * width * depth : s.panel(p);
              (panel == mr ? tile : few_tile)(query_panels + i * depth, candidates, depth, scores);
              // Only the list's own columns (the hubs: their place in `hubs`).
              const int j0 = static_cast<int>(std::max<std::int64_t>(0, list_begin - p * width));
              const int j1 = static_cast<int>(std::min<std::int64_t>(width, list_end - p * width));
              for (int r = 0; r < rows; ++r) {
                const std::int64_t q = who[static_cast<std::size_t>(i + r)];
                const float* row_scores = scores + r * width;
                for (int j = j0; j < j1; ++j) {
                  if (row_scores[j] < mine.floor(q)) continue;  // an equal score may enter by its id
                  const std::int64_t row = hub ? hubs[static_cast<std::size_t>(p * width + j)] : p * width + j;
                  if (!hub && std::binary_search(hub_rows.begin(), hub_rows.end(), row)) continue;
                  mine.offer(q, {row_scores[j], s.ids[static_cast<std::size_t>(row)], row});
                }
              }
            }
          }
        }
      }
    }

    // Each query's best from every thread, merged.
#pragma omp parallel num_threads(threads)
    {
      std::vector<Candidate>& pool = pools[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
      for (std::int64_t q = 0; q < count; ++q) {
        pool.clear();
        for (const QueryHeaps& h : heaps) pool.insert(pool.end(), h.begin(q), h.end(q));
        const auto kept =
            static_cast<std::ptrdiff_t>(std::min<std::size_t>(pool.size(), static_cast<std::size_t>(out.k)));
        std::partial_sort(pool.begin(), pool.begin() + kept, pool.end(), better);
        for (std::ptrdiff_t i = 0; i < kept; ++i) {
          const auto at = static_cast<std::size_t>((first + q) * out.k + i);
          out.index[at] = pool[static_cast<std::size_t>(i)].id;
          out.score[at] = pool[static_cast<std::size_t>(i)].score;
        }
      }
    }
  }
  return out;
}

void RetrievalIndex::save(const std::string& path) const {
  const State& s = *state_;
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the index file stores little-endian numbers");
  const std::size_t ids_size = s.ids.size() * sizeof(std::int64_t);
  std::vector<unsigned char> payload_section;
  if (!s.payloads.empty()) {
    payload_section.resize(4 * s.payloads.size());
    for (std::size_t i = 0; i < s.payloads.size(); ++i) put(payload_section.data() + 4 * i, s.payloads[i].size(), 4);
    for (const std::string& p : s.payloads) payload_section.insert(payload_section.end(), p.begin(), p.end());
  }
  std::vector<unsigned char> list_section;
  if (s.centroids) {
    const std::size_t offsets_size = s.offsets.size() * sizeof(std::int64_t);
    const std::size_t centres_size = static_cast<std::size_t>(s.nlist * s.depth()) * sizeof(float);
    list_section.resize(offsets_size + centres_size);
    std::memcpy(list_section.data(), s.offsets.data(), offsets_size);
    std::memcpy(list_section.data() + offsets_size, s.centroids->get_xb(), centres_size);
  }
  // The rows are written block by block from the panels; their checksum needs a pass first.
  std::vector<float> block(static_cast<std::size_t>(std::min(kFileRows, s.size()) * s.depth()));
  auto each_block = [&](auto&& use) {
    for (std::int64_t first = 0; first < s.size(); first += kFileRows) {
      const std::int64_t count = std::min(kFileRows, s.size() - first);
      for (std::int64_t r = first; r < first + count; ++r) s.copy_row(r, block.data() + (r - first) * s.depth());
      use(block.data(), static_cast<std::size_t>(count * s.depth()) * sizeof(float));
    }
  };
  std::vector<std::uint64_t> row_sums;
  each_block([&](const float* data, std::size_t bytes) { row_sums.push_back(checksum64(data, bytes)); });

  unsigned char header[kHeaderBytes] = {};
  std::memcpy(header, kMagic, 8);
  put(header + 8, kFormatVersion, 4);
  put(header + 12, static_cast<std::uint32_t>(s.side), 4);
  put(header + 16, static_cast<std::uint32_t>(s.kind), 4);
  put(header + 20, float_bits(s.lambda), 4);
  put(header + 24, static_cast<std::uint64_t>(size()), 8);
  put(header + 32, static_cast<std::uint64_t>(s.dim), 8);
  put(header + 40, static_cast<std::uint64_t>(s.nlist), 8);
  put(header + 48, list_section.size(), 8);
  put(header + 56, checksum64(row_sums.data(), row_sums.size() * sizeof(std::uint64_t)), 8);
  put(header + 64, payload_section.size(), 8);
  put(header + 72,
      content_checksum({{s.ids.data(), ids_size},
                        {payload_section.data(), payload_section.size()},
                        {list_section.data(), list_section.size()}}),
      8);

  AtomicFileWriter out(path);
  out.write(header, sizeof header);
  out.write(s.ids.data(), ids_size);
  out.write(payload_section.data(), payload_section.size());
  out.write(list_section.data(), list_section.size());
  each_block([&](const float* data, std::size_t bytes) { out.write(data, bytes); });
  out.commit();
}

namespace {

// The list of every row of a version-2 file, from its FAISS index: 0 for a flat one, the
// inverted list holding it for IVF (whose centres go to `centres`).
std::vector<std::int64_t> lists_of_version_2(const std::string& path, faiss::VectorIOReader& blob, ShortlistKind kind,
                                             std::uint64_t count, std::uint64_t dim, std::uint64_t nlist,
                                             std::vector<float>& centres) {
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::read_index(&blob));
  } catch (const faiss::FaissException& e) {
    damaged(path, std::string("FAISS could not read its section: ") + e.what());
  }
  if (index->d != static_cast<FaissId>(2 * dim) || index->ntotal != static_cast<FaissId>(count))
    damaged(path, "the FAISS section does not match the header");
  std::vector<std::int64_t> lists(static_cast<std::size_t>(count), 0);
  if (kind == ShortlistKind::Flat) {
    if (dynamic_cast<const faiss::IndexFlatL2*>(index.get()) == nullptr)
      damaged(path, "the FAISS section does not match the header");
    return lists;
  }
  const auto* ivf = dynamic_cast<const faiss::IndexIVFFlat*>(index.get());
  const auto* quantizer = ivf == nullptr ? nullptr : dynamic_cast<const faiss::IndexFlat*>(ivf->quantizer);
  if (quantizer == nullptr || ivf->nlist != nlist || quantizer->ntotal != static_cast<FaissId>(nlist))
    damaged(path, "the FAISS section does not match the header");
  centres.assign(quantizer->get_xb(), quantizer->get_xb() + nlist * 2 * dim);
  std::vector<char> seen(static_cast<std::size_t>(count), 0);
  for (std::size_t l = 0; l < nlist; ++l) {
    const FaissId* rows = ivf->invlists->get_ids(l);
    for (std::size_t i = 0; i < ivf->invlists->list_size(l); ++i) {
      if (rows[i] < 0 || static_cast<std::uint64_t>(rows[i]) >= count || seen[static_cast<std::size_t>(rows[i])]++)
        damaged(path, "the FAISS lists do not hold each row once");
      lists[static_cast<std::size_t>(rows[i])] = static_cast<std::int64_t>(l);
    }
    ivf->invlists->release_ids(l, rows);
  }
  if (std::count(seen.begin(), seen.end(), 0) != 0) damaged(path, "the FAISS lists do not hold each row once");
  return lists;
}

// Reads `bytes` bytes, or throws naming the file.
void read_exactly(std::FILE* f, void* into, std::size_t bytes, const std::string& path) {
  if (std::fread(into, 1, bytes, f) != bytes) throw Error(ErrorCode::Io, path + ": read failed");
}

}  // namespace

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
                                            "payloads) is not read by this gxn, which reads versions 2 and " +
                                            std::to_string(kFormatVersion) + ": build the index again");
  if (version != kFormatVersion && version != kListedRowsVersion)
    throw Error(ErrorCode::Unsupported, path + ": gxn index format version " + std::to_string(version) +
                                            " is not supported (this gxn reads versions 2 and " +
                                            std::to_string(kFormatVersion) + ")");
  auto state = std::make_unique<State>();
  State& s = *state;
  const auto side = get(header + 12, 4), kind = get(header + 16, 4);
  if (side > 1) damaged(path, "unknown indexed side " + std::to_string(side));
  if (kind != 1 && kind != 2) damaged(path, "unknown shortlist kind " + std::to_string(kind));
  s.side = static_cast<IndexedSide>(side);
  s.kind = static_cast<ShortlistKind>(kind);
  s.lambda = bits_float(static_cast<std::uint32_t>(get(header + 20, 4)));
  if (!(s.lambda >= 0.0f && s.lambda <= 1.0f)) damaged(path, "lambda outside [0, 1]");
  const std::uint64_t count = get(header + 24, 8), dim = get(header + 32, 8), nlist = get(header + 40, 8);
  const std::uint64_t tail_size = get(header + 48, 8), checksum = get(header + 56, 8);
  const std::uint64_t payload_size = get(header + 64, 8);
  // Sizes must not overflow, and must add up to the file's size before anything is allocated.
  const std::uint64_t max_values = std::numeric_limits<std::uint64_t>::max() / 8;
  if (count < 1 || dim < 1 || dim > max_values || count > max_values / dim)
    damaged(path, "implausible dimensions " + std::to_string(count) + " × 2·" + std::to_string(dim));
  const std::uint64_t rows_size = count * 2 * dim * 4, ids_size = count * 8;
  if (tail_size > file_size || payload_size > file_size || rows_size > file_size ||
      kHeaderBytes + rows_size + ids_size + payload_size + tail_size != file_size)
    damaged(path, "size " + std::to_string(file_size) +
                      " bytes, the header describes more or less (truncated or "
                      "extended)");
  if (payload_size != 0 && payload_size < 4 * count) damaged(path, "a payload section too small for its lengths");
  if ((s.kind == ShortlistKind::Flat) != (nlist == 0) || nlist > count) damaged(path, "inconsistent nlist");
  const std::uint64_t list_section_size = nlist == 0 ? 0 : (nlist + 1) * 8 + nlist * 2 * dim * 4;
  if (version == kFormatVersion && tail_size != list_section_size) damaged(path, "a list section of the wrong size");
  s.dim = static_cast<std::int64_t>(dim);
  s.nlist = static_cast<std::int64_t>(nlist);

  // Version 2 held the rows as given first; version 3 holds the λ-scaled rows last.
  Matrix given;
  if (version == kListedRowsVersion) {
    given = Matrix(static_cast<std::int64_t>(count), s.depth());
    read_exactly(f.get(), given.data(), rows_size, path);
  }
  std::vector<std::int64_t> ids(static_cast<std::size_t>(count));
  std::vector<unsigned char> payload_section(payload_size);
  std::vector<unsigned char> tail(tail_size);  // version 3: the list section; version 2: the FAISS index
  read_exactly(f.get(), ids.data(), ids_size, path);
  read_exactly(f.get(), payload_section.data(), payload_size, path);
  read_exactly(f.get(), tail.data(), tail_size, path);
  std::vector<std::string> payloads;
  if (version == kFormatVersion && content_checksum({{ids.data(), ids_size},
                                                     {payload_section.data(), payload_section.size()},
                                                     {tail.data(), tail.size()}}) != get(header + 72, 8))
    damaged(path, "checksum mismatch: the content is damaged");
  auto check_items = [&] {
    if (payload_size != 0) {
      std::uint64_t at = 4 * count;
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t length = get(payload_section.data() + 4 * i, 4);
        if (length > kMaxPayloadBytes || length > payload_size - at)
          damaged(path, "payload lengths beyond the section");
        payloads.emplace_back(reinterpret_cast<const char*>(payload_section.data() + at), length);
        at += length;
      }
      if (at != payload_size) damaged(path, "payload lengths that do not fill the section");
    }
    try {
      new_ids(ids, static_cast<std::int64_t>(count), {}, 0);
      check_payloads(payloads, static_cast<std::int64_t>(count));
    } catch (const Error& e) {
      damaged(path, e.what());
    }
  };

  std::vector<float> centres;
  if (version == kListedRowsVersion) {
    if (content_checksum({{given.data(), rows_size},
                          {ids.data(), ids_size},
                          {payload_section.data(), payload_section.size()},
                          {tail.data(), tail.size()}}) != checksum)
      damaged(path, "checksum mismatch: the content is damaged");
    check_items();
    check_finite(given, (path + ": indexed rows").c_str());
    faiss::VectorIOReader blob;
    blob.data = std::move(tail);
    const std::vector<std::int64_t> lists = lists_of_version_2(path, blob, s.kind, count, dim, nlist, centres);
    std::vector<Item> items(static_cast<std::size_t>(count));
    for (std::size_t r = 0; r < items.size(); ++r)
      items[r] = {lists[r],    ids[r],      given.row(static_cast<std::int64_t>(r)),  1,
                  s.scale_h(), s.scale_l(), payloads.empty() ? nullptr : &payloads[r]};
    Layout layout = lay_out(items, std::max<std::int64_t>(1, s.nlist), s.depth(), s.width(), !payloads.empty());
    given = Matrix();
    s.adopt(std::move(layout));
  } else {
    check_items();
    Layout layout;
    layout.offsets = {0, static_cast<std::int64_t>(count)};
    if (nlist != 0) {
      layout.offsets.resize(nlist + 1);
      std::memcpy(layout.offsets.data(), tail.data(), (nlist + 1) * 8);
      centres.resize(nlist * 2 * dim);
      std::memcpy(centres.data(), tail.data() + (nlist + 1) * 8, centres.size() * sizeof(float));
    }
    if (layout.offsets.front() != 0 || layout.offsets.back() != static_cast<std::int64_t>(count) ||
        !std::is_sorted(layout.offsets.begin(), layout.offsets.end()))
      damaged(path, "list offsets that do not cover the rows in order");
    for (std::size_t l = 0; l + 1 < layout.offsets.size(); ++l)
      if (!std::is_sorted(ids.begin() + layout.offsets[l], ids.begin() + layout.offsets[l + 1]))
        damaged(path, "ids out of order within a list");
    // The rows stream from the file into their panels, block by block.
    const int width = s.width();
    const std::int64_t depth = s.depth(), panels = ceil_div(static_cast<std::int64_t>(count), width);
    layout.panels = detail::AlignedFloats(panels * width * depth);
    // Every value is written below but the last panel's padding, which the kernel reads too.
    std::fill(layout.panels.get() + (panels - 1) * width * depth, layout.panels.get() + panels * width * depth, 0.0f);
    std::vector<float> block(
        static_cast<std::size_t>(std::min<std::int64_t>(kFileRows, static_cast<std::int64_t>(count)) * depth));
    std::vector<std::uint64_t> row_sums;
    for (std::int64_t first = 0; first < static_cast<std::int64_t>(count); first += kFileRows) {
      const std::int64_t rows = std::min<std::int64_t>(kFileRows, static_cast<std::int64_t>(count) - first);
      const std::size_t bytes = static_cast<std::size_t>(rows * depth) * sizeof(float);
      read_exactly(f.get(), block.data(), bytes, path);
      row_sums.push_back(checksum64(block.data(), bytes));
      for (std::int64_t r = first; r < first + rows; ++r) {
        float* dst = layout.panels.get() + (r / width) * width * depth + r % width;
        const float* src = block.data() + (r - first) * depth;
        for (std::int64_t d = 0; d < depth; ++d) dst[d * width] = src[d];
      }
    }
    if (checksum64(row_sums.data(), row_sums.size() * sizeof(std::uint64_t)) != checksum)
      damaged(path, "checksum mismatch: the content is damaged");
    check_finite(MatrixView(layout.panels.get(), panels, width * depth), (path + ": indexed rows").c_str());
    layout.ids = std::move(ids);
    layout.payloads = std::move(payloads);
    s.adopt(std::move(layout));
  }
  if (nlist != 0) {
    check_finite(MatrixView(centres.data(), static_cast<std::int64_t>(nlist), static_cast<std::int64_t>(2 * dim)),
                 (path + ": list centres").c_str());
    s.centroids = std::make_unique<faiss::IndexFlatL2>(static_cast<FaissId>(2 * dim));
    s.centroids->add(static_cast<FaissId>(nlist), centres.data());
  }
  return RetrievalIndex(std::move(state));
}

}  // namespace gxn
