// A streaming reader for untrusted tar archives (.deb members, layers).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "archive/tar_entry.h"
#include "base/error.h"
#include "base/limits.h"
#include "base/sink.h"

struct libarchive_handle;  // libarchive's `struct archive` (archive/libarchive.h)
struct archive_entry;

namespace archive {

// The compression found around the tar stream, by magic bytes.
enum class Filter { kNone, kGzip, kXz, kZstd, kBzip2, kOther };
// "none", "gzip", "xz", "zstd", "bzip2", "other".
std::string_view FilterName(Filter f);

// Reads entries one at a time. Every entry is checked before it is returned:
// paths are normalized ("./usr/bin/" → "usr/bin", the root "./" → "") and an
// absolute path, a ".." component, a hardlink target outside the root or an
// entry type tar layers cannot hold is an error naming the archive and the
// entry: "'data.tar.xz': entry '../etc/passwd' escapes the root". Device
// nodes and FIFOs are returned as such; the caller decides what to do.
// Symlink targets are returned as stored (they may be absolute).
class TarReader {
 public:
  // Reads `path`, or only its bytes [offset, offset+length) when `length` is
  // given (a .deb member). `name` is used in errors (default: `path`).
  static base::Result<std::unique_ptr<TarReader>> OpenFile(
      const std::string& path, std::string name = "", uint64_t offset = 0,
      std::optional<uint64_t> length = std::nullopt);
  // Reads `bytes`, which must outlive the reader.
  static base::Result<std::unique_ptr<TarReader>> OpenMemory(std::string_view bytes,
                                                             std::string name);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  // The next entry, or nullopt at the end of the archive. The previous
  // entry's unread data is skipped.
  base::Result<std::optional<TarEntry>> Next();
  // Copies the current entry's data (entry.size bytes) into `out`, which is
  // not Close()d. Call at most once per entry.
  base::Result<void> ReadData(base::Sink* out);
  // The current entry's data as a string; an error if it exceeds `max_size`.
  base::Result<std::string> ReadDataString(uint64_t max_size);
  // The bounds checked while reading (base/limits.h; the defaults unless
  // set): each entry's apparent size (the size in its header, sparse files
  // included) against entry_bytes before any of its data is read; the sum of
  // the entries' sizes and the uncompressed stream itself against
  // layer_bytes; the number of entries against layer_entries. When
  // `image_used` is given it is the running total of every layer of one
  // image (shared by readers of its layers, which may run in parallel) and is
  // checked against image_bytes. Errors name the archive and the limit.
  void SetLimits(const base::Limits& limits, std::atomic<uint64_t>* image_used = nullptr) {
    limits_ = limits;
    image_used_ = image_used;
  }
  // Whether the stream was recognized as a tar archive; known after the
  // first Next(), which for a file that is no archive at all fails with
  // this false (an entry's error or a limit leaves it true).
  bool is_tar() const { return is_tar_; }
  // The compression around the tar stream; known after the first Next().
  Filter filter() const { return filter_; }
  const std::string& name() const { return name_; }

 private:
  struct FileSource;
  TarReader(libarchive_handle* a, std::string name);
  base::Error LibarchiveError() const;
  base::Result<TarEntry> Convert(::archive_entry* e) const;
  base::Result<void> CheckLimits(const TarEntry& e);
  base::Result<void> CheckStream() const;

  libarchive_handle* a_;
  std::string name_;
  std::unique_ptr<FileSource> file_;
  Filter filter_ = Filter::kNone;
  bool first_ = true;
  bool is_tar_ = false;
  TarEntry current_;
  base::Limits limits_;
  std::atomic<uint64_t>* image_used_ = nullptr;
  uint64_t entries_ = 0;
  uint64_t bytes_ = 0;  // sum of the entries' apparent sizes
};

}  // namespace archive
