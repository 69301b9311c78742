#include "debian/unpack.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "archive/compress.h"
#include "base/file_util.h"
#include "base/sha256.h"
#include "base/sink.h"

namespace debian {
namespace {

// One tar entry as a test writes it: typeflag '0' file, '1' hardlink,
// '2' symlink, '3' char device, '5' directory. `data` is a file's content or
// a link's target. Written as raw ustar headers so that hostile names
// ("../../etc/passwd"), which our TarWriter refuses, can be made.
struct T {
  std::string name;
  char type = '0';
  std::string data = "";
  int mode = 0644;
};

void Octal(char* field, size_t width, uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

std::string RawTar(const std::vector<T>& entries) {
  std::string out;
  for (const T& e : entries) {
    char h[512] = {};
    std::snprintf(h, 100, "%s", e.name.c_str());
    Octal(h + 100, 8, e.mode);
    Octal(h + 108, 8, 0);
    Octal(h + 116, 8, 0);
    bool has_data = e.type == '0';
    Octal(h + 124, 12, has_data ? e.data.size() : 0);
    Octal(h + 136, 12, 1700000000);
    h[156] = e.type;
    if (!has_data) std::snprintf(h + 157, 100, "%s", e.data.c_str());
    std::memcpy(h + 257, "ustar  ", 8);  // GNU magic, as dpkg-deb writes
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    out.append(h, 512);
    if (has_data) out += e.data + std::string((512 - e.data.size() % 512) % 512, '\0');
  }
  return out + std::string(1024, '\0');
}

std::string Gzip(const std::string& bytes) {
  base::StringSink out;
  std::unique_ptr<base::Sink> z = archive::NewCompressor(archive::Compression::kGzip, &out, 1);
  EXPECT_TRUE(z->Write(bytes));
  EXPECT_TRUE(z->Close());
  return out.str();
}

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

const char kControl[] =
    "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nDescription: greets\n hello world\n";
const char kMd5sums[] = "5d41402abc4b2a76b9719d911017c592  usr/bin/hello\n";

std::string Deb(const std::vector<T>& data, std::string data_member = "data.tar.gz",
                std::string control = kControl) {
  std::string control_tar = Gzip(RawTar({{"./", '5', "", 0755},
                                         {"./control", '0', control},
                                         {"./md5sums", '0', kMd5sums},
                                         {"./conffiles", '0', "/etc/hello.conf\n"},
                                         {"./postinst", '0', "#!/bin/sh\n", 0755}}));
  return Ar({{"debian-binary", "2.0\n"},
             {"control.tar.gz", control_tar},
             {data_member, Gzip(RawTar(data))}});
}

// "path type mode uid:gid size-or-link", one line per entry in tree order.
std::string Listing(const fs::Tree& tree) {
  static const char* kTypes[] = {"file", "dir", "symlink", "hardlink", "char", "block", "fifo"};
  std::string out;
  for (const auto& [path, n] : tree.entries()) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", n.mode);
    out += "/" + path + " " + kTypes[static_cast<int>(n.type)] + " " + mode + " " +
           std::to_string(n.uid) + ":" + std::to_string(n.gid);
    if (n.type == fs::NodeType::kFile) out += " " + std::to_string(n.size);
    if (!n.link.empty()) out += " " + n.link;
    out += "\n";
  }
  return out;
}

std::string Content(const fs::Tree& tree, const std::string& path) {
  const fs::Node* n = tree.Find(path);
  if (n == nullptr) return "<absent>";
  if (n->content.kind == fs::Content::Kind::kInline) return *n->content.bytes;
  base::Result<std::string> text = base::ReadFile(n->content.path);
  return text ? *text : text.error().message();
}

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/distill-unpack-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    base::Result<cache::Store> s = cache::Store::Open(dir_ + "/cache");
    ASSERT_TRUE(s) << s.error().message();
    store_ = std::make_unique<cache::Store>(std::move(*s));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `bytes` as <dir>/<name> and unpacks it.
  base::Result<UnpackedDeb> Unpack(const std::string& name, const std::string& bytes,
                                   UnpackOptions options = {}, std::string sha = "") {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(base::WriteFileAtomic(path, bytes));
    return UnpackDeb(*store_, path, sha.empty() ? base::Sha256Hex(bytes) : sha, options);
  }
  std::string UnpackError(const std::string& name, const std::string& bytes,
                          UnpackOptions options = {}) {
    base::Result<UnpackedDeb> r = Unpack(name, bytes, options);
    return r ? "ok" : r.error().message();
  }
  // True when some unpack result was saved.
  bool Cached() {
    std::string dir = dir_ + "/cache/unpacked";
    return base::PathExists(dir) && !std::filesystem::is_empty(dir);
  }

  std::string dir_;
  std::unique_ptr<cache::Store> store_;
};

const std::vector<T> kHello = {
    {"./", '5', "", 0755},
    {"./etc/", '5', "", 0755},
    {"./etc/hello.conf", '0', "greeting=hi\n"},
    {"./usr/", '5', "", 0755},
    {"./usr/bin/", '5', "", 0755},
    {"./usr/bin/hello", '0', "hello", 0755},
    {"./usr/bin/hello2", '1', "./usr/bin/hello", 0755},
    {"./usr/bin/hi", '2', "hello", 0777},
    {"./usr/share/", '5', "", 0755},
    {"./usr/share/doc/", '5', "", 0755},
    {"./usr/share/doc/hello/", '5', "", 0755},
    {"./usr/share/doc/hello/changelog.Debian.gz", '0', std::string(100, 'c')},
    {"./usr/share/doc/hello/copyright", '0', "GPL\n"},
    {"./usr/share/man/", '5', "", 0755},
    {"./usr/share/man/man1/", '5', "", 0755},
    {"./usr/share/man/man1/hello.1.gz", '0', std::string(50, 'm')},
};

const char kHelloListing[] =
    "/ dir 0755 0:0\n"
    "/etc dir 0755 0:0\n"
    "/etc/hello.conf file 0644 0:0 12\n"
    "/usr dir 0755 0:0\n"
    "/usr/bin dir 0755 0:0\n"
    "/usr/bin/hello file 0755 0:0 5\n"
    "/usr/bin/hello2 hardlink 0755 0:0 usr/bin/hello\n"
    "/usr/bin/hi symlink 0777 0:0 hello\n"
    "/usr/share dir 0755 0:0\n"
    "/usr/share/doc dir 0755 0:0\n"
    "/usr/share/doc/hello dir 0755 0:0\n"
    "/usr/share/doc/hello/copyright file 0644 0:0 4\n"
    "/var dir 0755 0:0\n"
    "/var/lib dir 0755 0:0\n"
    "/var/lib/dpkg dir 0755 0:0\n"
    "/var/lib/dpkg/status.d dir 0755 0:0\n"
    "/var/lib/dpkg/status.d/hello file 0644 0:0 83\n"
    "/var/lib/dpkg/status.d/hello.md5sums file 0644 0:0 48\n";

TEST_F(UnpackTest, UnpacksSlimsAndAddsStatusD) {
  base::Result<UnpackedDeb> r = Unpack("hello_1.0-1_amd64.deb", Deb(kHello));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->package, "hello");
  EXPECT_EQ(r->version, "1.0-1");
  EXPECT_EQ(r->architecture, "amd64");
  EXPECT_EQ(r->control, kControl);
  EXPECT_EQ(r->md5sums, kMd5sums);
  EXPECT_EQ(r->scripts, std::vector<std::string>{"postinst"});
  EXPECT_EQ(r->script_text, (std::map<std::string, std::string>{{"postinst", "#!/bin/sh\n"}}));
  EXPECT_EQ(r->conffiles, std::vector<std::string>{"/etc/hello.conf"});
  EXPECT_EQ(r->installed_bytes, 12u + 5 + 100 + 4 + 50);
  EXPECT_EQ(r->slimmed_bytes, 150u);
  EXPECT_FALSE(r->from_cache);
  EXPECT_EQ(Listing(r->tree), kHelloListing);
  EXPECT_EQ(Content(r->tree, "var/lib/dpkg/status.d/hello"), kControl);
  EXPECT_EQ(Content(r->tree, "var/lib/dpkg/status.d/hello.md5sums"), kMd5sums);
  EXPECT_EQ(Content(r->tree, "usr/bin/hello"), "hello");
  EXPECT_EQ(r->tree.Find("usr/bin/hello")->content.path,
            store_->Path("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
  EXPECT_TRUE(Cached());
}

TEST_F(UnpackTest, SecondUnpackComesFromTheCache) {
  std::string sha = base::Sha256Hex(Deb(kHello));
  ASSERT_TRUE(Unpack("hello_1.0-1_amd64.deb", Deb(kHello)));
  // Same digest, but the bytes on disk are now garbage: nothing reads them.
  base::Result<UnpackedDeb> r = Unpack("hello_1.0-1_amd64.deb", "garbage", {}, sha);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->from_cache);
  EXPECT_EQ(Listing(r->tree), kHelloListing);
  EXPECT_EQ(r->conffiles, std::vector<std::string>{"/etc/hello.conf"});
  EXPECT_EQ(r->slimmed_bytes, 150u);
  EXPECT_EQ(r->script_text, (std::map<std::string, std::string>{{"postinst", "#!/bin/sh\n"}}));
  EXPECT_EQ(Content(r->tree, "usr/bin/hello"), "hello");
}

// Bytes that are not UTF-8, in a path and in the control file (Latin-1, as
// old packages have), made the JSON cache file throw and go unwritten, so
// such a .deb was read again on every build.
TEST_F(UnpackTest, NamesThatAreNotUtf8AreCachedToo) {
  std::string control = std::string(kControl) + "Maintainer: Jos\xe9 <j@example.org>\n";
  std::vector<T> data = kHello;
  data.push_back({"./usr/share/caf\xe9", '0', "latin-1 name"});
  std::string deb = Deb(data, "data.tar.gz", control);
  base::Result<UnpackedDeb> first = Unpack("hello_1.0-1_amd64.deb", deb);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(Cached());
  base::Result<UnpackedDeb> r =
      Unpack("hello_1.0-1_amd64.deb", "garbage", {}, base::Sha256Hex(deb));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->from_cache);
  EXPECT_EQ(r->control, control);
  EXPECT_EQ(Content(r->tree, "usr/share/caf\xe9"), "latin-1 name");
  EXPECT_EQ(Listing(r->tree), Listing(first->tree));
}

// A cache file of another version (format 2 was the last before the shared
// entry record) is read again and replaced, never misread.
TEST_F(UnpackTest, AnOldCacheFileIsReplaced) {
  std::string deb = Deb(kHello);
  std::string sha = base::Sha256Hex(deb);
  std::string path = dir_ + "/cache/unpacked/" + sha + ".json";
  ASSERT_TRUE(base::MakeDirs(dir_ + "/cache/unpacked"));
  ASSERT_TRUE(base::WriteFileAtomic(
      path, R"({"format":2,"control":"","md5sums":"","scripts":[],"conffiles":"",)"
            R"("script_text":{},"entries":[]})"));
  base::Result<UnpackedDeb> r = Unpack("hello_1.0-1_amd64.deb", deb);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->from_cache);
  EXPECT_EQ(Listing(r->tree), kHelloListing);
  r = Unpack("hello_1.0-1_amd64.deb", "garbage", {}, sha);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->from_cache);
  EXPECT_EQ(Listing(r->tree), kHelloListing);
}

TEST_F(UnpackTest, SlimFalseKeepsEverything) {
  UnpackOptions options;
  options.slim = false;
  options.status_d = false;
  base::Result<UnpackedDeb> r = Unpack("hello_1.0-1_amd64.deb", Deb(kHello), options);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->slimmed_bytes, 0u);
  EXPECT_EQ(r->tree.size(), 16u);  // the 16 entries of kHello, the root included
  EXPECT_EQ(r->tree.Find("var"), nullptr);
  EXPECT_NE(r->tree.Find("usr/share/man/man1/hello.1.gz"), nullptr);
}

TEST_F(UnpackTest, EntryEscapingTheRoot) {
  EXPECT_EQ(UnpackError("evil_1.0_amd64.deb", Deb({{"./", '5'}, {"../../etc/passwd", '0', "x"}})),
            "'evil_1.0_amd64.deb': entry '../../etc/passwd' escapes the root");
  EXPECT_EQ(UnpackError("evil_1.0_amd64.deb", Deb({{"/etc/passwd", '0', "x"}})),
            "'evil_1.0_amd64.deb': entry '/etc/passwd' is absolute");
  EXPECT_FALSE(Cached());
}

TEST_F(UnpackTest, WritingThroughASymlink) {
  EXPECT_EQ(UnpackError("evil_1.0_amd64.deb", Deb({{"./foo", '2', "/etc"},
                                                   {"./foo/passwd", '0', "root::0:0::/:/bin/sh"}})),
            "'evil_1.0_amd64.deb': entry 'foo/passwd' is written through the symlink 'foo'");
  EXPECT_FALSE(Cached());  // a fault of the .deb alone: no listing is kept
  fs::Tree below;
  ASSERT_TRUE(below.Add("var/run", fs::Node::Symlink("/run")));
  UnpackOptions options;
  options.below = &below;
  EXPECT_EQ(UnpackError("evil_1.0_amd64.deb", Deb({{"./var/run/x/", '5'}}), options),
            "'evil_1.0_amd64.deb': entry 'var/run/x' is written through the symlink 'var/run'");
}

// dpkg keeps a symlink of a package below where this one ships a directory,
// and follows it: the directory entry is dropped and what is under it is
// written through the symlink.
TEST_F(UnpackTest, DirectoryOverASymlinkBelow) {
  fs::Tree below;
  ASSERT_TRUE(below.Add("link", fs::Node::Symlink("/etc")));
  UnpackOptions options;
  options.below = &below;
  options.status_d = false;
  EXPECT_EQ(UnpackError("evil_1.0_amd64.deb",
                        Deb({{"./", '5'}, {"./link/", '5'}, {"./link/evil", '0', "x"}}), options),
            "'evil_1.0_amd64.deb': entry 'link/evil' is written through the symlink 'link'");
  base::Result<UnpackedDeb> r =
      Unpack("dir_1.0_amd64.deb", Deb({{"./", '5'}, {"./link/", '5'}}), options);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->tree.Find("link"), nullptr);
}

// In the cache a .deb is a file named by its digest; options.name is what
// errors call it.
TEST_F(UnpackTest, ErrorsUseTheGivenName) {
  UnpackOptions options;
  options.name = "evil_1.0_amd64.deb";
  EXPECT_EQ(UnpackError("0123abcd", Deb({{"./", '5'}, {"../x", '0', "x"}}), options),
            "'evil_1.0_amd64.deb': entry '../x' escapes the root");
}

TEST_F(UnpackTest, DeviceNodeOutsideDev) {
  EXPECT_EQ(UnpackError("evil_1.0_amd64.deb", Deb({{"./usr/null", '3'}})),
            "'evil_1.0_amd64.deb': entry 'usr/null' is a device node outside /dev");
  base::Result<UnpackedDeb> r = Unpack("dev_1.0_amd64.deb", Deb({{"./dev/null", '3'}}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->tree.Find("dev/null")->type, fs::NodeType::kCharDev);
}

TEST_F(UnpackTest, HardlinkToALaterEntry) {
  EXPECT_EQ(UnpackError("evil_1.0_amd64.deb", Deb({{"./a", '1', "./b"}, {"./b", '0', "x"}})),
            "'evil_1.0_amd64.deb': entry 'a' is a hardlink to 'b', which is not an earlier file");
}

TEST_F(UnpackTest, TruncatedDeb) {
  std::string deb = Deb(kHello);
  EXPECT_EQ(UnpackError("hello_1.0-1_amd64.deb", deb.substr(0, deb.size() - 100)),
            "'hello_1.0-1_amd64.deb': truncated ar member 'data.tar.gz'");
  EXPECT_FALSE(Cached());
}

TEST_F(UnpackTest, UnknownDataCompression) {
  EXPECT_EQ(UnpackError("hello_1.0-1_amd64.deb", Deb(kHello, "data.tar.lz4")),
            "'hello_1.0-1_amd64.deb': member 'data.tar.lz4' has an unsupported compression");
}

TEST_F(UnpackTest, CorruptDataTar) {
  std::string deb = Deb(kHello);
  deb[deb.size() - 30] ^= 0x55;  // inside the gzip stream's last block or trailer
  std::string error = UnpackError("hello_1.0-1_amd64.deb", deb);
  EXPECT_TRUE(error.starts_with("'hello_1.0-1_amd64.deb': ")) << error;
  EXPECT_FALSE(Cached());
}

TEST_F(UnpackTest, BadPackageName) {
  EXPECT_EQ(UnpackError("x.deb", Deb(kHello, "data.tar.gz", "Package: ../x\nVersion: 1\n")),
            "'x.deb': invalid package name '../x'");
}

TEST_F(UnpackTest, MergedUsrRewrite) {
  UnpackOptions options;
  options.merged_usr = true;
  options.status_d = false;
  std::vector<T> entries = {{"./", '5', "", 0755},
                            {"./bin/", '5', "", 0755},
                            {"./bin/sh", '0', "ELF", 0755},
                            {"./bin/sh2", '1', "./bin/sh", 0755},
                            {"./lib/", '5', "", 0755},
                            {"./lib/libc.so.6", '0', "libc"},
                            {"./lib/libz.so", '2', "../usr/lib/libz.so.1", 0777},
                            {"./lib64/", '5', "", 0755},
                            {"./lib64/ld.so", '2', "/lib/ld.so.2", 0777},
                            {"./usr/", '5', "", 0755},
                            {"./usr/lib/", '5', "", 0755},
                            {"./usr/lib/libz.so.1", '0', "z"}};
  std::string sha = base::Sha256Hex(Deb(entries));
  base::Result<UnpackedDeb> r = Unpack("libc_1_amd64.deb", Deb(entries), options);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(Listing(r->tree),
            "/ dir 0755 0:0\n"
            "/usr dir 0755 0:0\n"
            "/usr/bin dir 0755 0:0\n"
            "/usr/bin/sh file 0755 0:0 3\n"
            "/usr/bin/sh2 hardlink 0755 0:0 usr/bin/sh\n"
            "/usr/lib dir 0755 0:0\n"
            "/usr/lib/libc.so.6 file 0644 0:0 4\n"
            "/usr/lib/libz.so symlink 0777 0:0 libz.so.1\n"
            "/usr/lib/libz.so.1 file 0644 0:0 1\n"
            "/usr/lib64 dir 0755 0:0\n"
            "/usr/lib64/ld.so symlink 0777 0:0 /lib/ld.so.2\n");
  // The cache keeps the entries as shipped: unmerged is still possible.
  r = Unpack("libc_1_amd64.deb", "", {}, sha);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_NE(r->tree.Find("bin/sh"), nullptr);
}

TEST_F(UnpackTest, MergedUsrCollision) {
  UnpackOptions options;
  options.merged_usr = true;
  EXPECT_EQ(
      UnpackError("x_1_amd64.deb", Deb({{"./bin/sh", '0', "a"}, {"./usr/bin/sh", '0', "b"}}),
                  options),
      "'x_1_amd64.deb': entries 'bin/sh' and 'usr/bin/sh' are the same file with merged /usr");
}

TEST_F(UnpackTest, InvalidDigest) {
  base::Result<UnpackedDeb> r = Unpack("x.deb", Deb(kHello), {}, "abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'x.deb': invalid sha256 'abc'");
}

}  // namespace
}  // namespace debian
