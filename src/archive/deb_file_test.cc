#include "archive/deb_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "archive/compress.h"
#include "archive/tar_writer.h"

namespace archive {
namespace {

// An ar archive as dpkg-deb writes it: mtime 0, uid/gid 0, mode 100644.
std::string Ar(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out = "!<arch>\n";
  for (const auto& [name, data] : members) {
    char header[61];
    std::snprintf(header, sizeof header, "%-16s%-12d%-6d%-6d%-8s%-10zu`\n", name.c_str(), 0, 0, 0,
                  "100644", data.size());
    out += std::string(header, 60) + data;
    if (data.size() % 2) out += '\n';
  }
  return out;
}

struct File {
  std::string path;
  std::string data;
  EntryType type = EntryType::kFile;
};

std::string Tar(const std::vector<File>& files, Compression c) {
  base::StringSink out;
  std::unique_ptr<base::Sink> z = NewCompressor(c, &out, 1);
  auto w = TarWriter::Create(z.get());
  EXPECT_TRUE(w);
  for (const File& f : files) {
    TarEntry e{.path = f.path, .type = f.type, .mode = 0644, .size = f.data.size()};
    if (f.type != EntryType::kFile) e.size = 0;
    if (f.type == EntryType::kSymlink) e.link = f.data;
    EXPECT_TRUE((*w)->Add(e));
    if (e.size) {
      EXPECT_TRUE((*w)->WriteData(std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(f.data.data()), f.data.size())));
    }
  }
  EXPECT_TRUE((*w)->Finish());
  EXPECT_TRUE(z->Close());
  return out.str();
}

const char kControl[] = "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\n";

std::string ControlTar() {
  return Tar({{"control", kControl},
              {"md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/bin/hello\n"},
              {"postinst", "#!/bin/sh\n"},
              {"prerm", "#!/bin/sh\n"},
              {"conffiles", ""}},
             Compression::kGzip);
}

std::string DataTar() {
  return Tar({{"usr", "", EntryType::kDir},
              {"usr/bin/hello",
               "\x7f"
               "ELF"},
              {"usr/bin/hi", "hello", EntryType::kSymlink}},
             Compression::kZstd);
}

std::string GoodDeb() {
  return Ar({{"debian-binary", "2.0\n"},
             {"_gpgbuilder", "x"},
             {"control.tar.gz", ControlTar()},
             {"data.tar.zst", DataTar()},
             {"extra", "ignored"}});
}

std::string OpenError(std::string bytes) {
  auto deb = DebFile::FromBytes(std::move(bytes), "foo.deb");
  return deb ? "" : deb.error().message();
}

TEST(DebFileTest, ReadsControlAndData) {
  auto deb = DebFile::FromBytes(GoodDeb(), "foo.deb");
  ASSERT_TRUE(deb) << deb.error().message();
  uint64_t control_offset = 8 + 60 + 4 + 60 + 2 + 60;
  EXPECT_EQ(deb->control_member(),
            (ArMember{"control.tar.gz", control_offset, ControlTar().size()}));
  EXPECT_EQ(deb->data_member().name, "data.tar.zst");
  EXPECT_EQ(deb->data_member().size, DataTar().size());

  auto control = deb->ReadControl();
  ASSERT_TRUE(control) << control.error().message();
  EXPECT_EQ(*control, (DebControl{kControl,
                                  "d41d8cd98f00b204e9800998ecf8427e  usr/bin/hello\n",
                                  {"postinst", "prerm"}}));

  auto data = deb->OpenData();
  ASSERT_TRUE(data) << data.error().message();
  std::vector<std::string> paths;
  for (;;) {
    auto e = (*data)->Next();
    ASSERT_TRUE(e) << e.error().message();
    if (!*e) break;
    paths.push_back((*e)->path);
    if ((*e)->path == "usr/bin/hello") {
      auto text = (*data)->ReadDataString(100);
      ASSERT_TRUE(text);
      EXPECT_EQ(*text,
                "\x7f"
                "ELF");
    }
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"usr", "usr/bin/hello", "usr/bin/hi"}));
  EXPECT_EQ((*data)->filter(), Filter::kZstd);
}

TEST(DebFileTest, OpensAFileInPlace) {
  std::string path = testing::TempDir() + "/deb_file_test.deb";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::string bytes = GoodDeb();
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  auto deb = DebFile::Open(path, "hello_1.0-1_amd64.deb");
  ASSERT_TRUE(deb) << deb.error().message();
  auto control = deb->ReadControl();
  ASSERT_TRUE(control) << control.error().message();
  EXPECT_EQ(control->control, kControl);
  auto data = deb->OpenData();
  ASSERT_TRUE(data);
  auto e = (*data)->Next();
  ASSERT_TRUE(e && *e);
  EXPECT_EQ((*e)->path, "usr");
  std::remove(path.c_str());
}

TEST(DebFileTest, RejectsBadContainers) {
  std::string good = GoodDeb();
  std::string no_extra = Ar(
      {{"debian-binary", "2.0\n"}, {"control.tar.gz", ControlTar()}, {"data.tar.zst", DataTar()}});
  EXPECT_EQ(OpenError(no_extra.substr(0, no_extra.size() - 40)),
            "'foo.deb': truncated ar member 'data.tar.zst'");
  EXPECT_EQ(OpenError("!<arch>\r" + good.substr(8)), "'foo.deb': not an ar archive (bad magic)");
  EXPECT_EQ(OpenError("PK\x03\x04"), "'foo.deb': not an ar archive (bad magic)");
  EXPECT_EQ(OpenError(good.substr(0, 8 + 30)), "'foo.deb': truncated ar member header at offset 8");
  EXPECT_EQ(OpenError(Ar({{"debian-binary", "3.0\n"}})),
            "'foo.deb': unsupported .deb format version '3.0'");
  EXPECT_EQ(OpenError(Ar({{"control.tar.gz", ControlTar()}})),
            "'foo.deb': first ar member is not 'debian-binary'");
  EXPECT_EQ(OpenError(Ar({{"debian-binary", "2.0\n"}, {"control.tar.gz", ControlTar()}})),
            "'foo.deb': missing 'data.tar' member");
}

TEST(DebFileTest, RejectsUnknownDataCompression) {
  EXPECT_EQ(
      OpenError(Ar(
          {{"debian-binary", "2.0\n"}, {"control.tar.gz", ControlTar()}, {"data.tar.lz4", "x"}})),
      "'foo.deb': member 'data.tar.lz4' has an unsupported compression");
}

TEST(DebFileTest, RejectsMembersOutOfOrder) {
  EXPECT_EQ(OpenError(Ar({{"debian-binary", "2.0\n"},
                          {"data.tar.zst", DataTar()},
                          {"control.tar.gz", ControlTar()}})),
            "'foo.deb': unexpected ar member 'data.tar.zst' where 'control.tar' should be");
  EXPECT_EQ(OpenError(Ar({{"debian-binary", "2.0\n"},
                          {"control.tar.gz", ControlTar()},
                          {"md5sums", "x"},
                          {"data.tar.zst", DataTar()}})),
            "'foo.deb': unexpected ar member 'md5sums' where 'data.tar' should be");
}

// A raw ustar entry named `name`, which our writer would refuse to write.
std::string RawTar(const std::string& name) {
  std::string h(512, '\0');
  name.copy(h.data(), name.size());
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011o", 0);
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  h[156] = '0';
  std::string(
      "ustar\0"
      "00",
      8)
      .copy(h.data() + 257, 8);
  std::fill(h.begin() + 148, h.begin() + 156, ' ');
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  return h + std::string(1024, '\0');
}

TEST(DebFileTest, DataEntryEscapingTheRootIsAnError) {
  auto deb = DebFile::FromBytes(Ar({{"debian-binary", "2.0\n"},
                                    {"control.tar.gz", ControlTar()},
                                    {"data.tar", RawTar("./../etc/passwd")}}),
                                "foo.deb");
  ASSERT_TRUE(deb) << deb.error().message();
  auto data = deb->OpenData();
  ASSERT_TRUE(data);
  auto e = (*data)->Next();
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(), "'data.tar': entry './../etc/passwd' escapes the root");
}

TEST(DebFileTest, ControlWithoutControlFileIsAnError) {
  auto deb = DebFile::FromBytes(Ar({{"debian-binary", "2.0\n"},
                                    {"control.tar.gz", Tar({{"md5sums", ""}}, Compression::kGzip)},
                                    {"data.tar.zst", DataTar()}}),
                                "foo.deb");
  ASSERT_TRUE(deb);
  auto control = deb->ReadControl();
  ASSERT_FALSE(control);
  EXPECT_EQ(control.error().message(), "'foo.deb': 'control.tar.gz' has no 'control' file");
}

}  // namespace
}  // namespace archive
