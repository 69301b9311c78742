#include "archive/compress.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>

namespace archive {
namespace {

// Half random bytes (incompressible), half repeated text, interleaved in
// uneven runs so blocks see both kinds.
std::string MixedData(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::string out;
  out.reserve(n);
  const std::string text = "usr/lib/x86_64-linux-gnu/libc.so.6 GLIBC_2.34 ";
  while (out.size() < n) {
    size_t run = rng() % 50000 + 1;
    if (rng() % 2) {
      for (size_t i = 0; i < run; ++i) out.push_back(static_cast<char>(rng()));
    } else {
      for (size_t i = 0; i < run; ++i) out.push_back(text[i % text.size()]);
    }
  }
  out.resize(n);
  return out;
}

std::string Compress(Compression c, const std::string& in, int threads, size_t chunk = 70000) {
  base::StringSink out;
  std::unique_ptr<base::Sink> z = NewCompressor(c, &out, threads);
  for (size_t i = 0; i < in.size(); i += chunk) {
    auto r = z->Write(std::string_view(in).substr(i, chunk));
    EXPECT_TRUE(r) << r.error().message();
  }
  auto r = z->Close();
  EXPECT_TRUE(r) << r.error().message();
  return out.str();
}

// Inflates a gzip member with zlib (windowBits 31: gzip wrapper, checks the
// CRC-32 and ISIZE trailer). Returns "<error>" on failure.
std::string Gunzip(const std::string& gz) {
  z_stream zs{};
  if (inflateInit2(&zs, 31) != Z_OK) return "<error>";
  std::string out;
  char buf[65536];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = gz.size();
  int ret;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    ret = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  } while (ret == Z_OK);
  bool ok = ret == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  return ok ? out : "<error>";
}

std::string Unzstd(const std::string& z, size_t size) {
  std::string out(size + 1, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), z.data(), z.size());
  if (ZSTD_isError(n)) return "<error>";
  out.resize(n);
  return out;
}

class FailingSink : public base::Sink {
 public:
  base::Result<void> Write(std::span<const uint8_t>) override {
    return base::Fail("writing 'layer.tar.gz': no space left on device");
  }
};

TEST(CompressTest, GzipHeaderIsPinned) {
  std::string gz = Compress(Compression::kGzip, "hello", 1);
  EXPECT_EQ(gz.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10));
  EXPECT_EQ(Gunzip(gz), "hello");
  // Trailer: CRC-32 of "hello" (0x3610a686) and ISIZE 5, little-endian.
  EXPECT_EQ(gz.substr(gz.size() - 8), std::string("\x86\xa6\x10\x36\x05\x00\x00\x00", 8));
}

TEST(CompressTest, GzipRoundTripsAndIgnoresThreadCount) {
  const size_t b = kGzipBlockSize;
  for (size_t size : {size_t{0}, size_t{1}, b - 1, b, b + 1, 2 * b, size_t{3 * 1024 * 1024 + 7}}) {
    std::string in = MixedData(size, static_cast<uint32_t>(size));
    std::string one = Compress(Compression::kGzip, in, 1);
    EXPECT_EQ(Gunzip(one), in) << "size " << size;
    EXPECT_EQ(Compress(Compression::kGzip, in, 2), one) << "size " << size;
    EXPECT_EQ(Compress(Compression::kGzip, in, 4), one) << "size " << size;
    // How the caller chunks its writes does not matter either.
    EXPECT_EQ(Compress(Compression::kGzip, in, 3, 4099), one) << "size " << size;
  }
}

TEST(CompressTest, GzipCompressesRepetitiveData) {
  std::string in(4 * 1024 * 1024, 'a');
  std::string gz = Compress(Compression::kGzip, in, 2);
  EXPECT_LT(gz.size(), in.size() / 100);
  EXPECT_EQ(Gunzip(gz), in);
}

TEST(CompressTest, ZstdRoundTripsAndIgnoresThreadCount) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{100000}, size_t{10 * 1024 * 1024 + 3}}) {
    std::string in = MixedData(size, 7);
    std::string one = Compress(Compression::kZstd, in, 1);
    EXPECT_EQ(Unzstd(one, size), in) << "size " << size;
    EXPECT_EQ(Compress(Compression::kZstd, in, 2), one) << "size " << size;
    EXPECT_EQ(Compress(Compression::kZstd, in, 4, 1000), one) << "size " << size;
  }
}

TEST(CompressTest, ZstdFrameHasNoChecksumOrContentSize) {
  std::string z = Compress(Compression::kZstd, "hello", 1);
  ASSERT_GE(z.size(), 5u);
  EXPECT_EQ(z.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
  // Frame_Header_Descriptor: bit 2 is the checksum flag, bits 6-7 and bit 5
  // (single segment) together say whether a content size is present.
  EXPECT_EQ(static_cast<uint8_t>(z[4]) & 0xe4, 0);
}

TEST(CompressTest, NoneCopiesBytes) { EXPECT_EQ(Compress(Compression::kNone, "abc", 4), "abc"); }

TEST(CompressTest, SinkErrorsPropagate) {
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kNone}) {
    for (int threads : {1, 2}) {
      FailingSink out;
      std::unique_ptr<base::Sink> z = NewCompressor(c, &out, threads);
      std::string in = MixedData(1024 * 1024);
      base::Result<void> r = z->Write(in);
      if (r) r = z->Close();
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().message(), "writing 'layer.tar.gz': no space left on device");
    }
  }
}

}  // namespace
}  // namespace archive
