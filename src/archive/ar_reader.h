// Reading the member index of a Unix ar archive (the container of a .deb).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace archive {

// Random access to an archive's bytes: a file, or a buffer in memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Fills `out` with the bytes at `offset`; an error if they are not all there.
  virtual base::Result<void> ReadAt(uint64_t offset, std::span<uint8_t> out) const = 0;
};

// A source over `bytes`, which must outlive it.
std::unique_ptr<ByteSource> NewMemorySource(std::string_view bytes);
// A source over the file at `path`, kept open until the source is destroyed.
base::Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);

// One member: its name (GNU ar's trailing "/" removed) and where its data is.
struct ArMember {
  std::string name;
  uint64_t offset = 0;  // of the first data byte, from the start of the archive
  uint64_t size = 0;
  bool operator==(const ArMember&) const = default;
};

// Walks the 60-byte member headers of an ar archive without reading member
// data (deb(5); formats.md F1). Every field is parsed with bounds checks, and
// a member must fit in the archive: otherwise the error names the archive and
// the member, "'foo.deb': truncated ar member 'data.tar.xz'".
class ArReader {
 public:
  // Checks the global magic "!<arch>\n". `src` is not owned and must outlive
  // the reader; `name` is used in errors.
  static base::Result<ArReader> Open(const ByteSource* src, std::string name);
  // The next member, or nullopt after the last one.
  base::Result<std::optional<ArMember>> Next();
  // Reads a whole member into memory; an error if it is over `max_size`.
  base::Result<std::string> ReadMember(const ArMember& m, uint64_t max_size) const;

 private:
  ArReader(const ByteSource* src, std::string name) : src_(src), name_(std::move(name)) {}
  base::Result<ArMember> ParseHeader(std::span<const uint8_t, 60> h) const;

  const ByteSource* src_;
  std::string name_;
  uint64_t pos_ = 8;  // just after the global magic
};

}  // namespace archive
