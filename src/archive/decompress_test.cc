#include "archive/decompress.h"

#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>

namespace archive {
namespace {

std::string Xz(std::string_view text) {
  std::string out(text.size() + 1024, '\0');
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, nullptr,
                                    reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                    reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

std::string Gzip(std::string_view text) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, text.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = text.size();
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = out.size();
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::string Big() {
  std::string s;
  for (int i = 0; i < 50000; ++i) s += "Package: p" + std::to_string(i) + "\n\n";
  return s;
}

TEST(DecompressTest, Xz) {
  EXPECT_EQ(Decompress(Xz("Package: a\n"), "Packages.xz"), "Package: a\n");
  std::string big = Big();
  EXPECT_EQ(Decompress(Xz(big), "Packages.xz"), big);
}

TEST(DecompressTest, Gzip) {
  EXPECT_EQ(Decompress(Gzip("Package: a\n"), "Packages.gz"), "Package: a\n");
  std::string big = Big();
  EXPECT_EQ(Decompress(Gzip(big), "Packages.gz"), big);
}

TEST(DecompressTest, ConcatenatedGzipMembers) {
  EXPECT_EQ(Decompress(Gzip("a\n") + Gzip("b\n"), "x.gz"), "a\nb\n");
}

TEST(DecompressTest, PlainTextPassesThrough) {
  EXPECT_EQ(Decompress("Package: a\n", "Packages"), "Package: a\n");
}

TEST(DecompressTest, TruncatedStreams) {
  std::string xz = Xz(Big());
  EXPECT_EQ(Decompress(xz.substr(0, xz.size() / 2), "Packages.xz").error().message(),
            "'Packages.xz': corrupt xz data (liblzma error 10)");
  std::string gz = Gzip(Big());
  EXPECT_EQ(Decompress(gz.substr(0, gz.size() / 2), "Packages.gz").error().message(),
            "'Packages.gz': corrupt gzip data");
}

TEST(DecompressTest, CorruptBytes) {
  std::string gz = Gzip("hello hello hello\n");
  gz[12] ^= 0x55;
  EXPECT_EQ(Decompress(gz, "x.gz").error().message(), "'x.gz': corrupt gzip data");
}

TEST(DecompressTest, Limit) {
  std::string big = Big();
  EXPECT_EQ(Decompress(Xz(big), "Packages.xz", 1000).error().message(),
            "'Packages.xz': more than 1000 bytes decompressed");
  EXPECT_EQ(Decompress(Gzip(big), "Packages.gz", 1000).error().message(),
            "'Packages.gz': more than 1000 bytes decompressed");
  EXPECT_EQ(Decompress(Xz("abc"), "x.xz", 3), "abc");
}

}  // namespace
}  // namespace archive
