// ByteSource: random access to the bytes of one file, wherever they live (in
// memory, on disk, or as a byte range of a cache blob that an image layer
// points at). Parsers of large untrusted files read only the ranges they need
// through it, so a 200 MB binary costs a few kilobytes of reads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace analyze {

struct ByteSource {
  uint64_t size = 0;
  // Returns exactly `n` bytes starting at `offset`; callers keep
  // offset + n <= size. Fails only on I/O errors.
  std::function<base::Result<std::string>(uint64_t offset, uint64_t n)> read_at;

  // Checks the range against `size` (with overflow-safe arithmetic) and
  // reads it: "range 10+20 is outside the file (16 bytes)" when it is not
  // inside.
  base::Result<std::string> Read(uint64_t offset, uint64_t n) const;
};

// A source over bytes the caller keeps alive for the source's lifetime.
ByteSource BytesSource(std::string_view bytes);

// A source over `length` bytes of the file at `path` starting at `start`
// (a Content::Disk range); the file is opened once and shared by copies of the
// source. Fails if the file cannot be opened or is shorter than the range.
base::Result<ByteSource> FileSource(const std::string& path, uint64_t start, uint64_t length);

// A source over the whole file at `path`.
base::Result<ByteSource> WholeFileSource(const std::string& path);

}  // namespace analyze
