// Precomputed dataset folders: read_precomp_split accepts or refuses with gxn::Error. The input
// is the split's files joined by a marker line: {split}_ims.npy, {split}_caps.txt and, when a
// third part is there, {split}_images.txt.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gxn/engine/data/precomp_dataset.hpp"
#include "gxn/error.hpp"
#include "scratch_file.hpp"

namespace {

constexpr std::string_view kMarker = "\n--8<--\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    const std::string d = scratch_path("_precomp");
    std::filesystem::create_directories(d);
    return d;
  }();
  std::vector<std::string_view> parts;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (std::size_t at; parts.size() < 2 && (at = rest.find(kMarker)) != std::string_view::npos;) {
    parts.push_back(rest.substr(0, at));
    rest.remove_prefix(at + kMarker.size());
  }
  parts.push_back(rest);
  write_bytes(dir + "/fuzz_ims.npy", parts[0].data(), parts[0].size());
  if (parts.size() > 1)
    write_bytes(dir + "/fuzz_caps.txt", parts[1].data(), parts[1].size());
  else
    std::filesystem::remove(dir + "/fuzz_caps.txt");
  if (parts.size() > 2)
    write_bytes(dir + "/fuzz_images.txt", parts[2].data(), parts[2].size());
  else
    std::filesystem::remove(dir + "/fuzz_images.txt");
  try {
    gxn::read_precomp_split(dir, "fuzz");
  } catch (const gxn::Error&) {
  }
  return 0;
}
