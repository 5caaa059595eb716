// Index files: RetrievalIndex::load accepts or refuses with gxn::Error; a loaded index searches.
#include <cstdint>

#include "gxn/engine/search/index.hpp"
#include "gxn/error.hpp"
#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = write_scratch(data, size, ".gxnindex");
  try {
    const gxn::RetrievalIndex index = gxn::RetrievalIndex::load(path);
    gxn::Matrix query(1, 2 * index.dim());
    for (std::int64_t c = 0; c < query.cols(); ++c) query(0, c) = 0.5f;
    const gxn::TopK top = index.search(query, 3);
    for (std::int64_t id : top.index)
      if (id >= 0) index.payload(id);
  } catch (const gxn::Error&) {
  }
  return 0;
}
