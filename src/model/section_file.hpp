#pragma once
// The container of gxn's binary files (models, checkpoints): a header, then named sections,
// each with its own checksum. Written atomically; read with checks that name what is wrong.
//
// Layout (integers little-endian):
//   magic       8 bytes, e.g. "GXNMODEL"
//   version     u32, the format version of this kind of file
//   count       u32, number of sections
//   fingerprint u64, the compatibility fingerprint of the content (e.g. model_fingerprint)
//   count times: name length u32 (1..255), name bytes, size u64, checksum64(payload) u64, payload
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gxn {

struct Section {
  std::string name;
  std::string_view bytes;  // writing: the caller's data; reading: a view into SectionFile::storage
};

struct SectionFile {
  std::uint32_t version = 0;
  std::uint64_t fingerprint = 0;
  std::vector<Section> sections;
  std::shared_ptr<const std::string> storage;  // the bytes of a file that was read

  // The section called `name`, or nullptr.
  const Section* find(const std::string& name) const;
};

// Writes `path` through a temporary file in the same directory, flushed to disk and renamed
// into place: a crash or a failed write leaves any existing file untouched.
// `magic` must be 8 characters.
void write_section_file(const std::string& path, const std::string& magic, const SectionFile& file);

// Reads and checks a file written by write_section_file: gxn::Error (naming `path`) when the
// file is missing, has another magic (`kind` names what was expected, e.g. "gxn model"), has a
// version other than `version`, is truncated, has bytes after its last section, or a section
// fails its checksum.
SectionFile read_section_file(const std::string& path, const std::string& magic, std::uint32_t version,
                              const std::string& kind);

}  // namespace gxn
