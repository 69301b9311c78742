// Streaming compressors as Sink stages: tar bytes go in, gzip or zstd bytes
// come out into the next stage. Output is byte-for-byte reproducible: the same
// input gives the same bytes whatever the thread count, because every setting
// that shapes the compressed stream is pinned here (formats.md A8, items 4-5).
#pragma once

#include <cstdint>
#include <memory>

#include "base/sink.h"

namespace archive {

enum class Compression { kNone, kGzip, kZstd };

// Returns a Sink that compresses what it is given and writes the result into
// `next`, which it does not own and which must outlive it. Close() writes the
// end of the stream into `next` and then calls next->Close(). The first error
// from `next` is returned by the Write() or Close() that meets it; after an
// error the stage must not be used again. kNone passes bytes through.
//
// gzip: one RFC 1952 member, FLG=0, MTIME=0, XFL=0, OS=3, deflate level 6 by
// zlib, cut into fixed 128 KiB blocks compressed in parallel (as pigz does).
// zstd: level 3, no checksum, no content size, multithreaded mode.
// `threads` ≤ 1 compresses inline on the caller's thread.
std::unique_ptr<base::Sink> NewCompressor(Compression c, base::Sink* next, int threads);

// The gzip block size: output depends on it, so it is part of the format we
// promise and never changes.
inline constexpr size_t kGzipBlockSize = 128 * 1024;

}  // namespace archive
