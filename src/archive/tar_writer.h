// A deterministic tar writer for image layers: the same entries always give
// the same bytes (formats.md A7, A8).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "archive/tar_entry.h"
#include "base/error.h"
#include "base/sink.h"

struct libarchive_handle;  // libarchive's `struct archive` (archive/libarchive.h)

namespace archive {

// Writes a tar stream into a Sink: ustar headers, with a PAX 'x' header only
// where ustar cannot say it (long paths or links, big ids, sizes ≥ 8 GiB,
// xattrs, non-ASCII names); numeric uid/gid only, no uname/gname, no atime or
// ctime, and no padding beyond the two zero blocks that end the archive.
class TarWriter {
 public:
  // `out` is not owned and must outlive the writer; it is never Close()d:
  // the caller closes it after Finish().
  static base::Result<std::unique_ptr<TarWriter>> Create(base::Sink* out);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Writes the header of `e`. For a kFile, exactly e.size bytes must follow
  // through WriteData() before the next Add() or Finish(). Errors name the
  // entry: "'usr/bin/x': path has a '..' component". A failed Sink write
  // returns the Sink's error, and every later call returns it again.
  base::Result<void> Add(const TarEntry& e);
  base::Result<void> WriteData(std::span<const uint8_t> bytes);
  // Ends the archive (two zero blocks) and flushes it into the Sink.
  base::Result<void> Finish();

 private:
  TarWriter(libarchive_handle* a, base::Sink* out) : a_(a), out_(out) {}
  static long WriteCallback(libarchive_handle*, void* self, const void* buf, size_t n);
  base::Result<void> CheckPreviousEntryComplete();
  // The Sink's error if it failed, else libarchive's message.
  base::Error LastError();

  libarchive_handle* a_;
  base::Sink* out_;
  std::unique_ptr<base::Error> sink_error_;  // first error from out_
  bool finished_ = false;
  std::string current_path_;
  uint64_t remaining_ = 0;  // data bytes the current entry still expects
};

}  // namespace archive
