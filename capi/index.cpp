// The C API's index: gxn::RetrievalIndex behind an opaque handle.
#include <algorithm>

#include "boundary.hpp"
#include "gxn/engine/search/index.hpp"

struct gxn_index {
  gxn::RetrievalIndex index;
};

using gxn::capi::guard;
using gxn::capi::require;

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
