// Whole-buffer decompression of xz (liblzma's stream decoder, .xz container,
// any check type; XZ file format 1.1.0) and gzip (zlib inflate with
// automatic gzip header detection; RFC 1952). Both decoders write into a
// std::string that grows in steps, so a hostile stream costs at most `limit`
// bytes of memory before it is rejected. The format is chosen by magic
// bytes, as the rest of archive/ does, never by a file name.
#include "archive/decompress.h"

#include <lzma.h>
#include <zlib.h>

#include <algorithm>

namespace archive {
namespace {

constexpr std::string_view kXzMagic(
    "\xFD"
    "7zXZ\0",
    6);
constexpr std::string_view kGzipMagic("\x1F\x8B", 2);

// Grows `out` so that some bytes are free past `used`, without passing
// `limit`; false when the limit is already reached. Callers pass one more
// than the largest accepted size, so a stream of exactly that size still
// reaches its end marker and anything longer is caught.
bool Grow(std::string& out, size_t used, uint64_t limit) {
  if (used >= limit) return false;
  uint64_t want = std::max<uint64_t>(out.size() * 2, 1 << 20);
  out.resize(std::min<uint64_t>(want, limit));
  return used < out.size();
}

base::Result<std::string> DecompressXz(std::string_view in, std::string_view name, uint64_t limit) {
  lzma_stream s = LZMA_STREAM_INIT;
  // LZMA_CONCATENATED: like xz(1), accept several streams back to back.
  if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
    return base::Fail("'{}': cannot start the xz decoder", name);
  const uint64_t cap = limit + 1;
  std::string out(std::min<uint64_t>(in.size() * 4 + 1024, cap), '\0');
  s.next_in = reinterpret_cast<const uint8_t*>(in.data());
  s.avail_in = in.size();
  size_t used = 0;
  lzma_ret r = LZMA_OK;
  while (r == LZMA_OK) {
    if (used == out.size() && !Grow(out, used, cap)) break;
    s.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    s.avail_out = out.size() - used;
    r = lzma_code(&s, s.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
    used = out.size() - s.avail_out;
  }
  lzma_end(&s);
  if (r == LZMA_OK || used > limit)
    return base::Fail("'{}': more than {} bytes decompressed", name, limit);
  if (r != LZMA_STREAM_END)
    return base::Fail("'{}': corrupt xz data (liblzma error {})", name, static_cast<int>(r));
  out.resize(used);
  return out;
}

base::Result<std::string> DecompressGzip(std::string_view in, std::string_view name,
                                         uint64_t limit) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return base::Fail("'{}': cannot start zlib", name);
  const uint64_t cap = limit + 1;
  std::string out(std::min<uint64_t>(in.size() * 4 + 1024, cap), '\0');
  const auto* next = reinterpret_cast<const uint8_t*>(in.data());
  size_t left = in.size(), used = 0;
  int r = Z_OK;
  for (;;) {
    if (used == out.size() && !Grow(out, used, cap)) {
      inflateEnd(&s);
      return base::Fail("'{}': more than {} bytes decompressed", name, limit);
    }
    s.next_in = const_cast<uint8_t*>(next);
    s.avail_in = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
    s.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    s.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - used, 1u << 30));
    size_t in_before = s.avail_in, out_before = s.avail_out;
    r = inflate(&s, Z_NO_FLUSH);
    next += in_before - s.avail_in;
    left -= in_before - s.avail_in;
    used += out_before - s.avail_out;
    if (r == Z_STREAM_END) {
      // gzip(1) accepts concatenated members; so do Debian's tools.
      if (left == 0 ||
          !std::string_view(reinterpret_cast<const char*>(next), left).starts_with(kGzipMagic))
        break;
      inflateReset(&s);
      continue;
    }
    if (r == Z_BUF_ERROR && left == 0) r = Z_DATA_ERROR;  // truncated
    if (r != Z_OK && r != Z_BUF_ERROR) break;
  }
  inflateEnd(&s);
  if (used > limit) return base::Fail("'{}': more than {} bytes decompressed", name, limit);
  if (r != Z_STREAM_END) return base::Fail("'{}': corrupt gzip data", name);
  out.resize(used);
  return out;
}

}  // namespace

base::Result<std::string> Decompress(std::string_view bytes, std::string_view name,
                                     uint64_t limit) {
  if (bytes.starts_with(kXzMagic)) return DecompressXz(bytes, name, limit);
  if (bytes.starts_with(kGzipMagic)) return DecompressGzip(bytes, name, limit);
  if (bytes.size() > limit) return base::Fail("'{}': more than {} bytes", name, limit);
  return std::string(bytes);
}

}  // namespace archive
