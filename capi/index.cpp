// The C API's index: gxn::RetrievalIndex behind an opaque handle.
#include <algorithm>

#include <string>
#include <vector>

#include "boundary.hpp"
#include "device_name.hpp"
#include "index_handle.hpp"
#include "options_struct.hpp"

using gxn::capi::guard;
using gxn::capi::require;

namespace {

// The first released size of gxn_index_options: the smallest a caller may pass.
constexpr std::size_t kIndexOptionsFirstSize = sizeof(gxn_index_options);

void require_count(int64_t n) {
  if (n < 0) throw gxn::Error(gxn::ErrorCode::InvalidArgument, "n = " + std::to_string(n) + " is negative");
}

// The caller's ids (NULL: none given) and payloads (NULL: none; a NULL entry is "").
std::vector<std::int64_t> id_list(const int64_t* ids, int64_t n) {
  require_count(n);
  return ids ? std::vector<std::int64_t>(ids, ids + n) : std::vector<std::int64_t>{};
}
std::vector<std::string> payload_list(const char* const* payloads, int64_t n) {
  require_count(n);
  std::vector<std::string> out;
  if (payloads)
    for (int64_t i = 0; i < n; ++i) out.emplace_back(payloads[i] ? payloads[i] : "");
  return out;
}

}  // namespace

extern "C" {

int gxn_index_build(const float* rows, int64_t n, int64_t dim2, float lambda, int side, gxn_index** out) {
  return guard([&] {
    require(rows, "rows");
    require(out, "out");
    *out = nullptr;
    if (side != 0 && side != 1)
      throw gxn::Error(gxn::ErrorCode::InvalidArgument,
                       "side: 0 (images) or 1 (captions), got " + std::to_string(side));
    gxn::IndexOptions options;
    options.lambda = lambda;
    options.side = side == 0 ? gxn::IndexedSide::Images : gxn::IndexedSide::Captions;
    *out = new gxn_index{gxn::RetrievalIndex::build(gxn::MatrixView(rows, n, dim2), options)};
  });
}

void gxn_index_default_options(gxn_index_options* options) {
  if (options == nullptr) return;
  *options = gxn_index_options{};
  options->size = sizeof(gxn_index_options);
  options->lambda = 0.5f;
}

int gxn_index_create(const float* rows, int64_t n, int64_t dim2, const int64_t* ids, const char* const* payloads,
                     const gxn_index_options* options, gxn_index** out) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    require(rows, "rows");
    const gxn_index_options o =
        gxn::capi::read_options(options, gxn_index_default_options, kIndexOptionsFirstSize, "gxn_index_options");
    gxn::IndexOptions options_;
    options_.lambda = o.lambda;
    if (o.side != 0 && o.side != 1)
      throw gxn::Error(gxn::ErrorCode::InvalidArgument,
                       "side: 0 (images) or 1 (captions), got " + std::to_string(o.side));
    options_.side = o.side == 0 ? gxn::IndexedSide::Images : gxn::IndexedSide::Captions;
    if (o.kind < 0 || o.kind > 2)
      throw gxn::Error(gxn::ErrorCode::InvalidArgument,
                       "kind: 0 (auto), 1 (flat) or 2 (IVF), got " + std::to_string(o.kind));
    options_.kind = static_cast<gxn::ShortlistKind>(o.kind);
    options_.nlist = o.nlist;
    *out = new gxn_index{gxn::RetrievalIndex::build(gxn::MatrixView(rows, n, dim2), id_list(ids, n),
                                                    payload_list(payloads, n), options_)};
  });
}

int gxn_index_add(gxn_index* index, const float* rows, int64_t n, int64_t dim2, const int64_t* ids,
                  const char* const* payloads) {
  return guard([&] {
    require(index, "index");
    require(rows, "rows");
    index->index.add(gxn::MatrixView(rows, n, dim2), id_list(ids, n), payload_list(payloads, n));
  });
}

int gxn_index_remove(gxn_index* index, const int64_t* ids, int64_t n) {
  return guard([&] {
    require(index, "index");
    if (n < 0) throw gxn::Error(gxn::ErrorCode::InvalidArgument, "n = " + std::to_string(n) + " is negative");
    if (n > 0) require(ids, "ids");
    index->index.remove(std::vector<std::int64_t>(ids, ids + n));
  });
}

int gxn_index_set_device(gxn_index* index, const char* device) {
  return guard([&] {
    require(index, "index");
    const int ordinal = gxn::capi::parse_device_name(device ? device : "cpu");
    if (ordinal < 0)
      index->index.release_device();
    else
      index->index.keep_on_device(ordinal);
    index->device = gxn::capi::device_name(ordinal);
  });
}

const char* gxn_index_device(const gxn_index* index) { return index ? index->device.c_str() : ""; }

int gxn_index_payload(const gxn_index* index, int64_t id, const char** out) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    require(index, "index");
    *out = index->index.payload(id).c_str();
  });
}

int gxn_index_ids(const gxn_index* index, int64_t* out) {
  return guard([&] {
    require(index, "index");
    require(out, "out");
    std::copy(index->index.ids().begin(), index->index.ids().end(), out);
  });
}

int gxn_index_load(const char* path, gxn_index** out) {
  return guard([&] {
    require(path, "path");
    require(out, "out");
    *out = nullptr;
    *out = new gxn_index{gxn::RetrievalIndex::load(path)};
  });
}

int gxn_index_save(const gxn_index* index, const char* path) {
  return guard([&] {
    require(index, "index");
    require(path, "path");
    index->index.save(path);
  });
}

int64_t gxn_index_size(const gxn_index* index) { return index ? index->index.size() : 0; }

void gxn_index_free(gxn_index* index) { delete index; }

int gxn_index_search(const gxn_index* index, const float* queries, int64_t n_queries, int64_t dim2, int64_t k,
                     int64_t shortlist, int64_t* out_index, float* out_score, int64_t* out_k) {
  return guard([&] {
    require(index, "index");
    require(queries, "queries");
    require(out_index, "out_index");
    require(out_score, "out_score");
    require(out_k, "out_k");
    gxn::SearchOptions options;
    options.shortlist = shortlist;
    const gxn::TopK top = index->index.search(gxn::MatrixView(queries, n_queries, dim2), k, options);
    std::copy(top.index.begin(), top.index.end(), out_index);
    std::copy(top.score.begin(), top.score.end(), out_score);
    *out_k = top.k;
  });
}
}
