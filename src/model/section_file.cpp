#include "section_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/checksum.hpp"
#include "gxn/engine/io/atomic_file.hpp"
#include "gxn/error.hpp"

namespace gxn {
namespace {

constexpr std::size_t kMaxNameLength = 255;

template <typename T>
void put_le(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Reads little-endian fields from a byte buffer; running out means the file is truncated.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& path) : bytes_(bytes), path_(path) {}

  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      value |= static_cast<T>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += sizeof(T);
    return value;
  }

  std::string_view take(std::uint64_t size, const std::string& what) {
    need(size, what);
    auto out = bytes_.substr(pos_, size);
    pos_ += size;
    return out;
  }

  std::size_t left() const { return bytes_.size() - pos_; }

 private:
  void need(std::uint64_t size, const std::string& what) const {
    if (size > left())
      throw Error(ErrorCode::Format, path_ + ": truncated: " + what + " needs " + std::to_string(size) +
                                         " bytes, only " + std::to_string(left()) + " left");
  }

  std::string_view bytes_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

std::string errno_text() { return std::strerror(errno); }

}  // namespace

const Section* SectionFile::find(const std::string& name) const {
  for (const auto& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

void write_section_file(const std::string& path, const std::string& magic, const SectionFile& file) {
  if (magic.size() != 8) throw Error(ErrorCode::Internal, "section file magic must be 8 bytes: '" + magic + "'");
  std::string header = magic;
  put_le<std::uint32_t>(header, file.version);
  put_le<std::uint32_t>(header, static_cast<std::uint32_t>(file.sections.size()));
  put_le<std::uint64_t>(header, file.fingerprint);
  std::vector<std::string> section_headers;
  section_headers.reserve(file.sections.size());
  for (const auto& s : file.sections) {
    if (s.name.empty() || s.name.size() > kMaxNameLength)
      throw Error(ErrorCode::Internal, "section name must be 1.." + std::to_string(kMaxNameLength) + " bytes");
    std::string h;
    put_le<std::uint32_t>(h, static_cast<std::uint32_t>(s.name.size()));
    h += s.name;
    put_le<std::uint64_t>(h, s.bytes.size());
    put_le<std::uint64_t>(h, checksum64(s.bytes.data(), s.bytes.size()));
    section_headers.push_back(std::move(h));
  }
  AtomicFileWriter out(path);
  out.write(header.data(), header.size());
  for (std::size_t i = 0; i < file.sections.size(); ++i) {
    out.write(section_headers[i].data(), section_headers[i].size());
    out.write(file.sections[i].bytes.data(), file.sections[i].bytes.size());
  }
  out.commit();
}

SectionFile read_section_file(const std::string& path, const std::string& magic, std::uint32_t version,
                              const std::string& kind) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(ErrorCode::NotFound, path + ": no such file");
  auto storage = std::make_shared<std::string>();
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::Io, path + ": cannot open: " + errno_text());
    storage->resize(std::filesystem::file_size(path, ec));
    if (ec) throw Error(ErrorCode::Io, path + ": cannot read its size: " + ec.message());
    in.read(storage->data(), static_cast<std::streamsize>(storage->size()));
    if (static_cast<std::size_t>(in.gcount()) != storage->size()) throw Error(ErrorCode::Io, path + ": read error");
  }
  Reader r(*storage, path);
  if (storage->size() < magic.size() && magic.compare(0, storage->size(), *storage) == 0)
    throw Error(ErrorCode::Format,
                path + ": truncated: " + std::to_string(storage->size()) + " bytes, not even a header");
  if (storage->size() < magic.size() || storage->compare(0, magic.size(), magic) != 0)
    throw Error(ErrorCode::Format, path + ": not a " + kind + " file (it does not start with \"" + magic + "\")");
  r.take(magic.size(), "the magic");
  SectionFile file;
  file.version = r.get<std::uint32_t>("the format version");
  if (file.version != version)
    throw Error(ErrorCode::Format, path + ": " + kind + " format version " + std::to_string(file.version) +
                                       "; this gxn reads version " + std::to_string(version));
  const auto count = r.get<std::uint32_t>("the section count");
  file.fingerprint = r.get<std::uint64_t>("the fingerprint");
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::string which = "section " + std::to_string(i + 1) + " of " + std::to_string(count);
    const auto name_length = r.get<std::uint32_t>(("the name of " + which).c_str());
    if (name_length == 0 || name_length > kMaxNameLength)
      throw Error(ErrorCode::Format,
                  path + ": damaged: " + which + " has a name of " + std::to_string(name_length) + " bytes");
    Section s;
    s.name = std::string(r.take(name_length, "the name of " + which));
    const auto size = r.get<std::uint64_t>(("the size of section '" + s.name + "'").c_str());
    const auto checksum = r.get<std::uint64_t>(("the checksum of section '" + s.name + "'").c_str());
    s.bytes = r.take(size, "section '" + s.name + "'");
    if (checksum64(s.bytes.data(), s.bytes.size()) != checksum)
      throw Error(ErrorCode::Format, path + ": damaged: section '" + s.name + "' does not match its checksum");
    file.sections.push_back(std::move(s));
  }
  if (r.left() != 0)
    throw Error(ErrorCode::Format,
                path + ": damaged: " + std::to_string(r.left()) + " unexpected bytes after the last section");
  file.storage = std::move(storage);
  return file;
}

}  // namespace gxn
