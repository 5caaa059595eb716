#pragma once
// Search over many embeddings: exact s* over the rows of a few inverted lists.
//
// s* is not an inner product or a metric, so FAISS cannot search it directly; but its k-means
// can partition the rows. The index clusters the λ-scaled rows [√λ·x_h, √(1−λ)·x_l] (FAISS
// k-means on a sample), on which the squared L2 distance is
//   ‖ṽ − t̃‖² = λ‖v_h − t_h‖² + (1−λ)‖v_l − t_l‖²  ≥  −s*(t, v)
// (since ‖max(0, v − t)‖² ≤ ‖v − t‖²): L2-near rows have a small order violation. A query visits
// the `nprobe` lists whose centres are L2-nearest and a few "hub" rows (see SearchOptions::hubs),
// and gxn's scoring kernel computes the exact s* of every row there: the scores are the ones
// OrderScorer gives, bit for bit. The index holds each row once, λ-scaled, list by list, in the
// layout the kernel reads (so nothing is packed at search time), and scores each list once for
// all the queries of a batch that visit it. A flat index is one list of every row: exact search.
// With every list visited the result is the exact top-k; otherwise it is approximate: a row with
// a small violation can sit in a list whose centre is far in L2.
// bench/index_recall measures recall and speed; the README has the figures.
//
// Items: each row has the caller's 64-bit id (default 0..N−1), which search returns, and
// optionally a text payload (e.g. the image's file name) kept with it in the file. Items can be
// added to and removed from a built index; IVF keeps its trained centres, and an added row goes
// to the list of its nearest centre. Either lays the rows out again (a copy of all of them).
//
// Memory: the λ-scaled rows once (N × 2D floats; each list padded to whole panels of 64 rows
// with AVX-512), their ids, the payloads, and for IVF nlist centres (memory_bytes() counts it).
// Files hold the same without the padding. Rows as given are not kept: with λ = 0 or 1 the part
// that does not count is zero.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gxn/engine/matrix.hpp"
#include "gxn/engine/search/topk.hpp"

namespace gxn {

// Which side of s*(t, v) the indexed rows are: images (queried by captions, text→image
// search) or captions (queried by images, image→text search).
enum class IndexedSide { Images = 0, Captions = 1 };

enum class ShortlistKind { Auto = 0, Flat = 1, Ivf = 2 };

struct IndexOptions {
  float lambda = 0.5f;  // s* weight of x_h, in [0, 1]
  IndexedSide side = IndexedSide::Images;
  ShortlistKind kind = ShortlistKind::Auto;  // Auto: Flat below `flat_below` rows, IVF from there
  std::int64_t flat_below = 50000;
  // IVF lists to train; 0 = round(√N), at most N/39. A list k-means leaves over 4 times the
  // mean length is split in lists of about the mean, so nlist() may be larger.
  std::int64_t nlist = 0;
  int seed = 1234;  // IVF k-means seed and sample (same seed and thread count, same index)
};

struct SearchOptions {
  // IVF: at least this many items scored per query: a query visits further lists, nearest centre
  // first, until theirs hold as many. 0 = no minimum (nprobe alone); N = exact search.
  std::int64_t shortlist = 0;
  std::int64_t nprobe = 0;  // IVF lists visited per query; 0 = max(4, ⌈nlist / 250⌉)
  // Also scored: the items with the least positive mass ‖max(0, ṽ)‖², which violate little
  // against any non-negative query however far away they are in L2 (s* ≥ −‖max(0, ṽ)‖² when
  // t ≥ 0). −1 = 256, 0 = none; at most 65536.
  std::int64_t hubs = -1;
};

// The most bytes one payload may hold; a payload holds no NUL byte (the C API passes C strings).
constexpr std::size_t kMaxPayloadBytes = 65536;

class RetrievalIndex {
 public:
  // Indexes `rows` (N × 2D, x_h then x_l; copied) with ids 0..N−1 and no payloads. Throws
  // gxn::Error for an empty or odd-width matrix, NaN/Inf values, λ outside [0, 1], or an nlist
  // FAISS cannot train.
  static RetrievalIndex build(const MatrixView& rows, const IndexOptions& options = {});
  // The same with the caller's ids (empty: 0..N−1; else N distinct ids ≥ 0) and payloads (empty:
  // none; else N, each at most kMaxPayloadBytes without NUL), refused by index otherwise.
  static RetrievalIndex build(const MatrixView& rows, const std::vector<std::int64_t>& ids,
                              const std::vector<std::string>& payloads, const IndexOptions& options = {});

  // Reads an index written by save(); refuses (gxn::Error, naming the file) a file of another
  // kind, another format version, inconsistent dimensions, or damaged/truncated content.
  static RetrievalIndex load(const std::string& path);

  // Writes the index atomically (temporary file renamed into place).
  void save(const std::string& path) const;

  // Adds items. ids: empty = one past the largest id held, counting up; else one per row, ≥ 0,
  // distinct and not yet in the index. payloads: empty = none ("" where others have one), else
  // one per row. On any error nothing is added.
  void add(const MatrixView& rows, const std::vector<std::int64_t>& ids = {},
           const std::vector<std::string>& payloads = {});
  // Removes the items with these ids (repeats allowed). gxn::Error(NotFound) naming an id the
  // index does not hold, and (InvalidArgument) for removing every item; then nothing is removed.
  void remove(const std::vector<std::int64_t>& ids);

  // The k best items for every query row (Q × 2D), by exact s*, best first (ties by lower id),
  // as their ids (TopK::index). If the lists visited hold fewer than k items (IVF with few
  // lists probed), the remaining slots hold id −1 and score −Inf.
  TopK search(const MatrixView& queries, std::int64_t k, const SearchOptions& options = {}) const;

  // Keeps a copy of the λ-scaled rows in the memory of CUDA device `device` (cuda_scorer.hpp):
  // search then scores every item there, exactly, whatever the SearchOptions (brute force on a
  // GPU costs less than the lists' bookkeeping), with the CPU search's scores up to float
  // rounding and its ties (lower id first); k at most CudaOrderScorer::kMaxK unless the index
  // holds fewer items. add and remove update the copy (briefly holding both). Throws
  // gxn::Error: Unsupported when built without CUDA, with no device, or out of device memory,
  // InvalidArgument for a device not present; the index is then as it was. The copy is not
  // saved: a loaded index searches on the CPU until asked again.
  void keep_on_device(int device = 0);
  // Frees the device copy: search runs on the CPU again.
  void release_device();
  // The CUDA device holding the copy, or -1 when there is none.
  int device() const;

  bool contains(std::int64_t id) const;
  // The payload of item `id` ("" when the index has none); gxn::Error(NotFound) for an unknown id.
  const std::string& payload(std::int64_t id) const;
  bool has_payloads() const;
  const std::vector<std::int64_t>& ids() const;  // the id of each row of rows()
  // The λ-scaled row [√λ·x_h, √(1−λ)·x_l] the index holds for item `id` (2·D floats); NotFound if none.
  std::vector<float> scaled_row(std::int64_t id) const;

  std::int64_t size() const;  // N, the items held
  std::int64_t dim() const;   // D: rows hold 2·D values
  float lambda() const;
  IndexedSide side() const;
  ShortlistKind kind() const;                    // Flat or Ivf, as built
  std::int64_t nlist() const;                    // 0 for Flat
  std::vector<std::int64_t> list_sizes() const;  // the items in each list (Flat: one list)
  std::int64_t memory_bytes() const;             // what the index holds in host memory, about

  RetrievalIndex(RetrievalIndex&&) noexcept;
  RetrievalIndex& operator=(RetrievalIndex&&) noexcept;
  ~RetrievalIndex();

 private:
  struct State;
  explicit RetrievalIndex(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace gxn
