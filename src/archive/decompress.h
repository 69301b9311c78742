// Whole-buffer decompression for small-to-medium files that are read at once,
// such as Debian Packages indexes (Packages.xz, Packages.gz). Layers and
// .deb members stream through compress.h and the tar reader instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace archive {

// The default cap on decompressed output: a full Debian main index is about
// 50 MB, so 1 GiB leaves room while stopping a decompression bomb.
inline constexpr uint64_t kMaxDecompressedBytes = 1ull << 30;

// Decompresses `bytes`, choosing the format by its magic bytes: xz
// (FD '7zXZ' 00), gzip (1F 8B, concatenated members included), and anything
// else is returned unchanged (an uncompressed file). Fails with "'<name>':
// <reason>" for a corrupt or truncated stream, or one that would expand past
// `limit` bytes.
base::Result<std::string> Decompress(std::string_view bytes, std::string_view name,
                                     uint64_t limit = kMaxDecompressedBytes);

}  // namespace archive
