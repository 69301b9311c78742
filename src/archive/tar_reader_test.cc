#include "archive/tar_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include "archive/compress.h"
#include "archive/tar_writer.h"

namespace archive {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// One raw ustar header + data, for entries our writer refuses to produce.
std::string RawEntry(const std::string& name, char type, const std::string& link = "",
                     const std::string& data = "") {
  std::string h(512, '\0');
  name.copy(h.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011zo", data.size());
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  h[156] = type;
  link.copy(h.data() + 157, std::min<size_t>(link.size(), 100));
  std::string(
      "ustar\0"
      "00",
      8)
      .copy(h.data() + 257, 8);
  std::fill(h.begin() + 148, h.begin() + 156, ' ');
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  std::string padded = data + std::string((512 - data.size() % 512) % 512, '\0');
  return h + padded;
}

std::string End() { return std::string(1024, '\0'); }

struct Read {
  std::vector<TarEntry> entries;
  std::vector<std::string> data;
  std::string error;
  Filter filter = Filter::kOther;
};

Read ReadAll(std::string_view tar, const std::string& name = "data.tar") {
  Read out;
  auto r = TarReader::OpenMemory(tar, name);
  if (!r) {
    out.error = r.error().message();
    return out;
  }
  for (;;) {
    auto e = (*r)->Next();
    if (!e) {
      out.error = e.error().message();
      break;
    }
    if (!*e) break;
    auto data = (*r)->ReadDataString(1 << 20);
    if (!data) {
      out.error = data.error().message();
      break;
    }
    out.entries.push_back(**e);
    out.data.push_back(*data);
  }
  out.filter = (*r)->filter();
  return out;
}

bool Same(const TarEntry& a, const TarEntry& b) {
  return a.path == b.path && a.type == b.type && a.mode == b.mode && a.uid == b.uid &&
         a.gid == b.gid && a.mtime == b.mtime && a.size == b.size && a.link == b.link &&
         a.dev_major == b.dev_major && a.dev_minor == b.dev_minor && a.xattrs == b.xattrs;
}

std::vector<TarEntry> Sample() {
  return {
      {.path = "usr", .type = EntryType::kDir, .mode = 0755, .mtime = 1700000000},
      {.path = "usr/bin/hello",
       .mode = 04755,
       .uid = 3000000,
       .gid = 7,
       .mtime = 1700000001,
       .size = 5,
       .xattrs = {{"security.capability", std::string("\x01\0\0\x02", 4)}}},
      {.path = "usr/bin/hi", .type = EntryType::kHardlink, .mode = 0755, .link = "usr/bin/hello"},
      {.path = "usr/bin/sh", .type = EntryType::kSymlink, .mode = 0777, .link = "/bin/dash"},
      {.path = "dev/null",
       .type = EntryType::kCharDev,
       .mode = 0666,
       .dev_major = 1,
       .dev_minor = 3},
      {.path = "dev/sda",
       .type = EntryType::kBlockDev,
       .mode = 0660,
       .dev_major = 8,
       .dev_minor = 1},
      {.path = "run/fifo", .type = EntryType::kFifo, .mode = 0600},
  };
}

std::string WriteSample(Compression c) {
  base::StringSink out;
  std::unique_ptr<base::Sink> z = NewCompressor(c, &out, 1);
  auto w = TarWriter::Create(z.get());
  EXPECT_TRUE(w);
  for (const TarEntry& e : Sample()) {
    EXPECT_TRUE((*w)->Add(e));
    if (e.size) {
      EXPECT_TRUE((*w)->WriteData(Bytes("hello")));
    }
  }
  EXPECT_TRUE((*w)->Finish());
  EXPECT_TRUE(z->Close());
  return out.str();
}

TEST(TarReaderTest, ReadsBackWhatTheWriterWrote) {
  for (auto [c, filter] :
       {std::pair{Compression::kNone, Filter::kNone}, std::pair{Compression::kGzip, Filter::kGzip},
        std::pair{Compression::kZstd, Filter::kZstd}}) {
    Read got = ReadAll(WriteSample(c));
    EXPECT_EQ(got.error, "");
    EXPECT_EQ(got.filter, filter) << FilterName(filter);
    std::vector<TarEntry> want = Sample();
    ASSERT_EQ(got.entries.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_TRUE(Same(got.entries[i], want[i])) << want[i].path;
    EXPECT_EQ(got.data[1], "hello");
  }
}

TEST(TarReaderTest, NormalizesDpkgStyleNames) {
  Read got = ReadAll(RawEntry("./", '5') + RawEntry("./usr/", '5') +
                     RawEntry("./usr//share/./doc", '0', "", "abc") +
                     RawEntry("./usr/x", '1', "./usr//share/doc") + End());
  ASSERT_EQ(got.error, "");
  ASSERT_EQ(got.entries.size(), 4u);
  EXPECT_EQ(got.entries[0].path, "");
  EXPECT_EQ(got.entries[1].path, "usr");
  EXPECT_EQ(got.entries[2].path, "usr/share/doc");
  EXPECT_EQ(got.data[2], "abc");
  EXPECT_EQ(got.entries[3].type, EntryType::kHardlink);
  EXPECT_EQ(got.entries[3].link, "usr/share/doc");
}

TEST(TarReaderTest, RejectsEntriesOutsideTheRoot) {
  EXPECT_EQ(ReadAll(RawEntry("../etc/passwd", '0') + End(), "data.tar.xz").error,
            "'data.tar.xz': entry '../etc/passwd' escapes the root");
  EXPECT_EQ(ReadAll(RawEntry("./usr/../../x", '5') + End()).error,
            "'data.tar': entry './usr/../../x' escapes the root");
  EXPECT_EQ(ReadAll(RawEntry("/etc/passwd", '0') + End()).error,
            "'data.tar': entry '/etc/passwd' is absolute");
  EXPECT_EQ(ReadAll(RawEntry("x", '1', "../../etc/shadow") + End()).error,
            "'data.tar': entry 'x' is a hardlink to '../../etc/shadow' outside the root");
  EXPECT_EQ(ReadAll(RawEntry("x", '1', "/etc/shadow") + End()).error,
            "'data.tar': entry 'x' is a hardlink to '/etc/shadow' outside the root");
}

TEST(TarReaderTest, ReportsTruncationAndGarbage) {
  std::string tar = RawEntry("big", '0', "", std::string(4000, 'x'));
  Read got = ReadAll(tar.substr(0, 1500));
  EXPECT_EQ(got.entries.size(), 0u);
  EXPECT_EQ(got.error, "'data.tar': entry 'big': Truncated tar archive");
  EXPECT_EQ(ReadAll(std::string(600, 'z')).error, "'data.tar': Unrecognized archive format");
}

TEST(TarReaderTest, ReadsAByteRangeOfAFile) {
  std::string tar = WriteSample(Compression::kGzip);
  std::string path = testing::TempDir() + "/tar_reader_test.bin";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::string bytes = "prefix" + tar + "suffix";
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  auto r = TarReader::OpenFile(path, "m.tar.gz", 6, tar.size());
  ASSERT_TRUE(r) << r.error().message();
  size_t n = 0;
  for (;;) {
    auto e = (*r)->Next();
    ASSERT_TRUE(e) << e.error().message();
    if (!*e) break;
    ++n;
  }
  EXPECT_EQ(n, Sample().size());
  EXPECT_EQ((*r)->filter(), Filter::kGzip);
  auto bad = TarReader::OpenFile(path, "m.tar.gz", 6, bytes.size());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "'m.tar.gz': byte range 6+" + std::to_string(bytes.size()) +
                                       " is beyond the end of '" + path + "'");
  std::remove(path.c_str());
}

// Reads `tar` with `limits`: the error, or "" and the number of entries.
std::string ReadLimited(std::string_view tar, const base::Limits& limits, size_t* entries = nullptr,
                        std::atomic<uint64_t>* image = nullptr) {
  auto r = TarReader::OpenMemory(tar, "layer");
  if (!r) return r.error().message();
  (*r)->SetLimits(limits, image);
  base::StringSink sink;
  for (size_t n = 0;; ++n) {
    auto e = (*r)->Next();
    if (!e) return e.error().message();
    if (!*e) return "";
    if (entries) *entries = n + 1;  // entries returned so far
    if ((*e)->type == EntryType::kFile) {
      auto d = (*r)->ReadData(&sink);
      if (!d) return d.error().message();
    }
  }
}

// A ustar header claiming `size` bytes of data, none of which follow: the
// cap must fire on the header alone.
std::string HeaderClaiming(const std::string& name, uint64_t size) {
  std::string h = RawEntry(name, '0');
  // Too large for 11 octal digits: base-256, as GNU tar writes it.
  h[124] = '\x80';
  for (int i = 0; i < 8; ++i) h[135 - i] = static_cast<char>(size >> (8 * i));
  for (int i = 125; i < 128; ++i) h[i] = 0;
  std::fill(h.begin() + 148, h.begin() + 156, ' ');
  unsigned sum = 0;
  for (unsigned char c : h.substr(0, 512)) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  return h;
}

// A PAX record "LEN key=value\n".
std::string PaxRecord(const std::string& kv) {
  size_t len = kv.size() + 3;
  for (;;) {
    std::string r = std::to_string(len) + " " + kv + "\n";
    if (r.size() == len) return r;
    len = r.size();
  }
}

TEST(TarReaderLimitsTest, AHeaderClaimingATebibyteFailsBeforeAnyDataIsRead) {
  std::string tar = HeaderClaiming("huge", uint64_t{1} << 40);  // no data follows at all
  EXPECT_EQ(ReadLimited(tar, base::Limits{}),
            "'layer': entry 'huge' (1099511627776 bytes) exceeds the limit entry-bytes (8 GiB); "
            "raise it with --limit entry-bytes=...");
}

TEST(TarReaderLimitsTest, ASparseEntryCountsItsApparentSize) {
  // PAX sparse 1.0: 1 TiB apparent, one 5-byte data region; 1.5 KB stored.
  std::string map = "1\n0\n5\n";
  map.resize(512, '\0');
  std::string data = map + "hello";
  std::string pax = PaxRecord("GNU.sparse.major=1") + PaxRecord("GNU.sparse.minor=0") +
                    PaxRecord("GNU.sparse.name=sparse") +
                    PaxRecord("GNU.sparse.realsize=1099511627776");
  std::string tar = RawEntry("PaxHeaders/sparse", 'x', "", pax) +
                    RawEntry("GNUSparseFile.0/sparse", '0', "", data) + End();
  ASSERT_LT(tar.size(), 4096u);
  EXPECT_EQ(ReadLimited(tar, base::Limits{}),
            "'layer': entry 'sparse' (1099511627776 bytes) exceeds the limit entry-bytes (8 GiB); "
            "raise it with --limit entry-bytes=...");
  base::Limits big;
  big.entry_bytes = big.layer_bytes = uint64_t{2} << 40;
  auto r = TarReader::OpenMemory(tar, "layer");
  ASSERT_TRUE(r);
  (*r)->SetLimits(big);
  auto e = (*r)->Next();
  ASSERT_TRUE(e && *e) << (e ? "end" : e.error().message());
  EXPECT_EQ((*e)->path, "sparse");
  EXPECT_EQ((*e)->size, uint64_t{1} << 40);  // not the 5 stored bytes
}

TEST(TarReaderLimitsTest, AGzipBombStopsAtTheLayerCap) {
  // 64 entries of 1 MiB of zeros: 64 MiB unpacked, about 64 KiB gzipped.
  base::StringSink out;
  std::unique_ptr<base::Sink> z = NewCompressor(Compression::kGzip, &out, 1);
  auto w = TarWriter::Create(z.get());
  ASSERT_TRUE(w);
  std::string zeros(1 << 20, '\0');
  for (int i = 0; i < 64; ++i) {
    ASSERT_TRUE((*w)->Add({.path = "f" + std::to_string(i), .mode = 0644, .size = zeros.size()}));
    ASSERT_TRUE((*w)->WriteData(Bytes(zeros)));
  }
  ASSERT_TRUE((*w)->Finish());
  ASSERT_TRUE(z->Close());
  ASSERT_LT(out.str().size(), 1u << 20);
  base::Limits limits;
  limits.layer_bytes = 4 << 20;
  size_t entries = 0;
  // The fifth entry crosses 4 MiB: the reader stops there, not at the end.
  EXPECT_EQ(ReadLimited(out.str(), limits, &entries),
            "'layer': the unpacked size (at entry 'f4') exceeds the limit layer-bytes (4 MiB); "
            "raise it with --limit layer-bytes=...");
  EXPECT_EQ(entries, 4u);
  EXPECT_EQ(ReadLimited(out.str(), base::Limits{}), "");
}

TEST(TarReaderLimitsTest, BoundsTheStreamBeyondTheEntriesData) {
  // 900 KB PAX records (libarchive takes up to 1 MiB each) on 4-byte
  // files: the entries' sizes are tiny, the stream is not.
  std::string pax = PaxRecord("comment=" + std::string(900'000, 'x'));
  std::string tar;
  for (int i = 0; i < 4; ++i)
    tar += RawEntry("PaxHeaders/f", 'x', "", pax) + RawEntry("f" + std::to_string(i), '0', "", "abcd");
  tar += End();
  base::Limits limits;
  limits.layer_bytes = 1 << 20;
  EXPECT_EQ(ReadLimited(tar, limits),
            "'layer': the uncompressed stream exceeds the limit layer-bytes (1 MiB); raise it "
            "with --limit layer-bytes=...");
  EXPECT_EQ(ReadLimited(tar, base::Limits{}), "");
}

TEST(TarReaderLimitsTest, CountsEntriesAndTheImageTotal) {
  std::string tar;
  for (int i = 0; i < 5; ++i) tar += RawEntry("f" + std::to_string(i), '0', "", "abcd");
  tar += End();
  base::Limits limits;
  limits.layer_entries = 3;
  EXPECT_EQ(ReadLimited(tar, limits),
            "'layer': the number of entries exceeds the limit layer-entries (3); raise it with "
            "--limit layer-entries=...");
  base::Limits image;
  image.image_bytes = 30;
  std::atomic<uint64_t> used = 0;
  EXPECT_EQ(ReadLimited(tar, image, nullptr, &used), "");  // 20 bytes
  EXPECT_EQ(ReadLimited(tar, image, nullptr, &used),
            "'layer': the image's unpacked size (at entry 'f2') exceeds the limit image-bytes (30 "
            "bytes); raise it with --limit image-bytes=...");
}

TEST(TarReaderLimitsTest, ReadDataStringIsBoundedByValueBytes) {
  std::string tar = RawEntry("f", '0', "", std::string(2000, 'x')) + End();
  auto r = TarReader::OpenMemory(tar, "layer");
  ASSERT_TRUE(r);
  base::Limits limits;
  limits.value_bytes = 1024;
  (*r)->SetLimits(limits);
  ASSERT_TRUE((*r)->Next());
  auto s = (*r)->ReadDataString(1 << 20);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "'layer': entry 'f' is larger than 1024 bytes");
}

}  // namespace
}  // namespace archive
