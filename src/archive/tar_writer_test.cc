#include "archive/tar_writer.h"

#include <gtest/gtest.h>

#include <clocale>
#include <string>
#include <vector>

#include "archive/libarchive.h"

namespace archive {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// What libarchive's reader sees in one entry, flattened for comparison.
struct ReadEntry {
  std::string path;
  mode_t type;
  uint32_t perm;
  int64_t uid, gid, mtime, size;
  std::string symlink, hardlink, uname;
  uint32_t major, minor;
  std::vector<std::pair<std::string, std::string>> xattrs;
  std::string data;
  bool operator==(const ReadEntry&) const = default;
};

std::ostream& operator<<(std::ostream& os, const ReadEntry& e) {
  return os << e.path << " type=" << e.type << " perm=" << e.perm << " uid=" << e.uid
            << " gid=" << e.gid << " mtime=" << e.mtime << " size=" << e.size << " symlink='"
            << e.symlink << "' hardlink='" << e.hardlink << "' uname='" << e.uname
            << "' dev=" << e.major << "," << e.minor << " xattrs=" << e.xattrs.size() << " data='"
            << e.data << "'";
}

std::vector<ReadEntry> ReadBack(const std::string& tar) {
  std::vector<ReadEntry> out;
  libarchive_handle* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    ReadEntry r{archive_entry_pathname(e),
                archive_entry_filetype(e),
                static_cast<uint32_t>(archive_entry_perm(e)),
                archive_entry_uid(e),
                archive_entry_gid(e),
                archive_entry_mtime(e),
                archive_entry_size(e),
                archive_entry_symlink(e) ? archive_entry_symlink(e) : "",
                archive_entry_hardlink(e) ? archive_entry_hardlink(e) : "",
                archive_entry_uname(e) ? archive_entry_uname(e) : "",
                static_cast<uint32_t>(archive_entry_rdevmajor(e)),
                static_cast<uint32_t>(archive_entry_rdevminor(e)),
                {},
                {}};
    archive_entry_xattr_reset(e);
    const char* name;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
      r.xattrs.emplace_back(name, std::string(static_cast<const char*>(value), size));
    char buf[4096];
    for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) > 0;) r.data.append(buf, n);
    out.push_back(std::move(r));
  }
  archive_read_free(a);
  return out;
}

std::string Write(const std::vector<std::pair<TarEntry, std::string>>& entries) {
  base::StringSink out;
  auto w = TarWriter::Create(&out);
  EXPECT_TRUE(w);
  for (const auto& [e, data] : entries) {
    auto r = (*w)->Add(e);
    EXPECT_TRUE(r) << r.error().message();
    if (!data.empty()) {
      EXPECT_TRUE((*w)->WriteData(Bytes(data)));
    }
  }
  EXPECT_TRUE((*w)->Finish());
  return out.str();
}

TarEntry File(std::string path, std::string_view data, uint32_t mode = 0644) {
  TarEntry e;
  e.path = std::move(path);
  e.mode = mode;
  e.size = data.size();
  e.mtime = 1700000000;
  return e;
}

std::vector<std::pair<TarEntry, std::string>> SampleEntries() {
  TarEntry dir{.path = "usr", .type = EntryType::kDir, .mode = 040755, .mtime = 1700000000};
  TarEntry hello = File("usr/bin/hello", "hi\n", 04755);
  hello.uid = 1000;
  hello.gid = 1001;
  hello.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02", 4)}};
  TarEntry sh{.path = "usr/bin/sh", .type = EntryType::kSymlink, .mode = 0777, .link = "dash"};
  TarEntry hard{.path = "usr/bin/hello2",
                .type = EntryType::kHardlink,
                .mode = 0755,
                .link = "usr/bin/hello"};
  TarEntry null{.path = "dev/null",
                .type = EntryType::kCharDev,
                .mode = 0666,
                .dev_major = 1,
                .dev_minor = 3};
  TarEntry sda{.path = "dev/sda", .type = EntryType::kBlockDev, .mode = 0660, .dev_major = 8};
  TarEntry fifo{.path = "run/initctl", .type = EntryType::kFifo, .mode = 0600};
  return {{dir, ""}, {hello, "hi\n"}, {sh, ""}, {hard, ""}, {null, ""}, {sda, ""}, {fifo, ""}};
}

TEST(TarWriterTest, RoundTripsEveryField) {
  std::string tar = Write(SampleEntries());
  std::vector<ReadEntry> want = {
      {"usr/", AE_IFDIR, 0755, 0, 0, 1700000000, 0, "", "", "", 0, 0, {}, ""},
      {"usr/bin/hello",
       AE_IFREG,
       04755,
       1000,
       1001,
       1700000000,
       3,
       "",
       "",
       "",
       0,
       0,
       {{"security.capability", std::string("\x01\x00\x00\x02", 4)}},
       "hi\n"},
      {"usr/bin/sh", AE_IFLNK, 0777, 0, 0, 0, 0, "dash", "", "", 0, 0, {}, ""},
      {"usr/bin/hello2",
       0 /* a hardlink has no file type */,
       0755,
       0,
       0,
       0,
       0,
       "",
       "usr/bin/hello",
       "",
       0,
       0,
       {},
       ""},
      {"dev/null", AE_IFCHR, 0666, 0, 0, 0, 0, "", "", "", 1, 3, {}, ""},
      {"dev/sda", AE_IFBLK, 0660, 0, 0, 0, 0, "", "", "", 8, 0, {}, ""},
      {"run/initctl", AE_IFIFO, 0600, 0, 0, 0, 0, "", "", "", 0, 0, {}, ""},
  };
  EXPECT_EQ(ReadBack(tar), want);
  // No padding to a 10240-byte record: the archive ends after two zero blocks.
  EXPECT_EQ(tar.size() % 512, 0u);
  EXPECT_NE(tar.size() % 10240, 0u);
  EXPECT_EQ(tar.substr(tar.size() - 1024), std::string(1024, '\0'));
}

TEST(TarWriterTest, SameEntriesGiveSameBytes) {
  EXPECT_EQ(Write(SampleEntries()), Write(SampleEntries()));
}

TEST(TarWriterTest, PlainEntriesAreUstarWithoutNamesOrTimes) {
  std::string tar = Write({{File("etc/passwd", "root:x:0:0\n"), "root:x:0:0\n"}});
  EXPECT_EQ(tar.size(), 512u + 512u + 1024u);
  EXPECT_EQ(tar.substr(257, 8), std::string("ustar\0"
                                            "00",
                                            8));
  EXPECT_EQ(tar.substr(265, 64), std::string(64, '\0'));  // uname[32], gname[32]
  EXPECT_EQ(tar[156], '0');                               // typeflag
}

TEST(TarWriterTest, PaxHeaderCarriesNoTimesOrNames) {
  std::string tar = Write(SampleEntries());  // the xattr needs a PAX header
  ASSERT_NE(tar.find("SCHILY.xattr.security.capability="), std::string::npos);
  for (const char* s : {"atime", "ctime", "LIBARCHIVE", "root", "hdrcharset=UTF"})
    EXPECT_EQ(tar.find(s), std::string::npos) << s;
}

TEST(TarWriterTest, LongPathsAndLinksUsePax) {
  std::string dir(120, 'd');
  std::string name(79, 'n');  // 120 + 1 + 79 = 200 characters
  std::string target = "/usr/lib/" + std::string(150, 't');
  TarEntry file = File(dir + "/" + name, "x");
  TarEntry link{.path = "l", .type = EntryType::kSymlink, .mode = 0777, .link = target};
  std::string tar = Write({{file, "x"}, {link, ""}});
  EXPECT_NE(tar.find("PaxHeader"), std::string::npos);
  std::vector<ReadEntry> got = ReadBack(tar);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].path, dir + "/" + name);
  EXPECT_EQ(got[0].data, "x");
  EXPECT_EQ(got[1].symlink, target);
}

TEST(TarWriterTest, NonAsciiNamesDoNotDependOnTheLocale) {
  TarEntry e = File("usr/share/zoneinfo/Am\xc3\xa9rica", "");
  TarEntry bad = File("usr/share/x\xff", "");  // not UTF-8: bytes kept as they are
  std::string c_tar = Write({{e, ""}, {bad, ""}});
  ASSERT_NE(setlocale(LC_ALL, "C.UTF-8"), nullptr);
  std::string utf8_tar = Write({{e, ""}, {bad, ""}});
  setlocale(LC_ALL, "C");
  EXPECT_EQ(utf8_tar, c_tar);
  std::vector<ReadEntry> got = ReadBack(c_tar);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].path, e.path);
  EXPECT_EQ(got[1].path, bad.path);
}

TEST(TarWriterTest, BigIdsRoundTrip) {
  TarEntry e = File("home/u/f", "");
  e.uid = 3000000;
  e.gid = 3000001;
  std::vector<ReadEntry> got = ReadBack(Write({{e, ""}}));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].uid, 3000000);
  EXPECT_EQ(got[0].gid, 3000001);
}

TEST(TarWriterTest, RejectsBadEntries) {
  struct Case {
    TarEntry entry;
    std::string error;
  };
  std::vector<Case> cases = {
      {File("../etc/passwd", ""), "'../etc/passwd': path has a '..' component"},
      {File("/etc/passwd", ""), "'/etc/passwd': path is absolute"},
      {File("./etc/passwd", ""), "'./etc/passwd': path has an empty or '.' component"},
      {File("", ""), "'': empty path"},
      {TarEntry{.path = "a", .type = EntryType::kHardlink, .link = "../b"},
       "'a': hardlink target '../b': path has a '..' component"},
      {TarEntry{.path = "a", .type = EntryType::kSymlink}, "'a': symlink has no target"},
      {TarEntry{.path = "a", .type = EntryType::kDir, .size = 5},
       "'a': size 5 on an entry that is not a regular file"},
  };
  for (const Case& c : cases) {
    base::StringSink out;
    auto w = TarWriter::Create(&out);
    ASSERT_TRUE(w);
    auto r = (*w)->Add(c.entry);
    ASSERT_FALSE(r) << c.error;
    EXPECT_EQ(r.error().message(), c.error);
  }
}

TEST(TarWriterTest, DataMustMatchSize) {
  base::StringSink out;
  auto w = TarWriter::Create(&out);
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->Add(File("a", "abc")));
  ASSERT_TRUE((*w)->WriteData(Bytes("a")));
  auto r = (*w)->WriteData(Bytes("bcd"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'a': 1 bytes of data beyond its size");
  r = (*w)->Finish();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'a': 2 bytes of data missing");
}

class FailingSink : public base::Sink {
 public:
  base::Result<void> Write(std::span<const uint8_t>) override {
    return base::Fail("writing 'layer.tar': no space left on device");
  }
};

TEST(TarWriterTest, SinkErrorsPropagate) {
  FailingSink out;
  auto w = TarWriter::Create(&out);
  ASSERT_TRUE(w);
  std::string big(20000, 'x');  // more than libarchive's 10240-byte buffer
  base::Result<void> r = (*w)->Add(File("big", big));
  if (r) r = (*w)->WriteData(Bytes(big));
  if (r) r = (*w)->Finish();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "writing 'layer.tar': no space left on device");
  r = (*w)->Finish();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "writing 'layer.tar': no space left on device");
}

TEST(TarWriterTest, UnfinishedWriterWritesNothingOnDestruction) {
  base::StringSink out;
  {
    auto w = TarWriter::Create(&out);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->Add(File("a", "")));
  }
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace archive
