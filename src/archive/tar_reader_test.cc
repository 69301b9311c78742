#include "archive/tar_reader.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace archive
