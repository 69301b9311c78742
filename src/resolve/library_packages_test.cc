#include "resolve/library_packages.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <mutex>

#include "base/file_util.h"
#include "base/sha256.h"
#include "resolve/packages.h"
#include "resolve/test_mirror.h"

namespace build {
namespace {

constexpr std::string_view kUri = "http://mirror.test/debian";

constexpr std::string_view kContents =
    "bin/sh                                      shells/dash\n"
    "usr/lib/x86_64-linux-gnu/libpq.so.5         libs/libpq5\n"
    "usr/lib/x86_64-linux-gnu/libcurl.so.4       libs/libcurl4\n"
    "usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4 libs/libcurl3-gnutls\n"
    "usr/share/doc/libpq5/changelog.gz           doc/libpq5\n";

// A signed suite "test" with an empty Packages index and, in main, the
// Contents index above (published through by-hash only when `by_hash`).
void Publish(FakeMirror& mirror, bool by_hash) {
  std::string packages = Gzip("");
  std::string contents = Gzip(kContents);
  std::string release = fmt::format(
      "Origin: Test\nSuite: stable\nCodename: test\nDate: Sat, 11 Jul 2020 10:16:37 UTC\n"
      "No-Support-for-Architecture-all: Packages\nArchitectures: amd64\nComponents: main\n"
      "{}SHA256:\n {} {} main/binary-amd64/Packages.gz\n {} {} main/Contents-amd64.gz\n",
      by_hash ? "Acquire-By-Hash: yes\n" : "", base::Sha256Hex(packages), packages.size(),
      base::Sha256Hex(contents), contents.size());
  std::string dists = std::string(kUri) + "/dists/test";
  mirror.files[dists + "/InRelease"] = Signer().Clearsign(release);
  mirror.files[dists + "/main/binary-amd64/Packages.gz"] = packages;
  if (by_hash) {
    mirror.files[dists + "/main/binary-amd64/by-hash/SHA256/" + base::Sha256Hex(packages)] =
        packages;
    mirror.files[dists + "/main/by-hash/SHA256/" + base::Sha256Hex(contents)] = contents;
  } else {
    mirror.files[dists + "/main/Contents-amd64.gz"] = contents;
  }
}

class LibraryPackagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("distill-libpkg-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    spec_.path = (dir_ / "distill.yaml").string();
    spec_.debian = {std::string(kUri), "test", {"main"}, Signer().PublicKeyArmored(), {}};
    spec_.has_debian = true;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<TestSession> Context(bool offline = false) {
    BuildOptions o;
    o.cache_dir = (dir_ / "cache").string();
    o.offline = offline;
    auto ctx = std::make_unique<TestSession>(o, reporter_);
    ctx->ctx.set_http(&mirror_);
    return ctx;
  }
  std::string Write(const std::string& name, std::string_view bytes) {
    std::string path = (dir_ / name).string();
    EXPECT_TRUE(base::WriteFileAtomic(path, bytes));
    return path;
  }

  std::filesystem::path dir_;
  Spec spec_;
  FakeMirror mirror_;
  base::NullReporter reporter_;
};

TEST_F(LibraryPackagesTest, GunzipsMembersAndPassesPlainText) {
  base::StringSink two;
  std::string both = Gzip("first\n") + Gzip("second\n");
  ASSERT_TRUE(StreamGunzipFile(Write("two.gz", both), "two.gz", two));
  EXPECT_EQ(two.str(), "first\nsecond\n");
  base::StringSink plain;
  ASSERT_TRUE(StreamGunzipFile(Write("plain", "just text\n"), "plain", plain));
  EXPECT_EQ(plain.str(), "just text\n");
  std::string big(3 << 20, 'x');  // more than one read and one output buffer
  base::StringSink large;
  ASSERT_TRUE(StreamGunzipFile(Write("big.gz", Gzip(big)), "big.gz", large));
  EXPECT_EQ(large.str(), big);
}

TEST_F(LibraryPackagesTest, RejectsDamagedGzip) {
  std::string gz = Gzip("some text that compresses\n");
  base::StringSink sink;
  EXPECT_EQ(StreamGunzipFile(Write("cut.gz", gz.substr(0, gz.size() - 6)), "cut.gz", sink)
                .error()
                .message(),
            "'cut.gz': truncated gzip data");
  gz[12] = static_cast<char>(gz[12] ^ 0xff);
  gz[13] = static_cast<char>(gz[13] ^ 0xff);
  EXPECT_EQ(StreamGunzipFile(Write("bad.gz", gz), "bad.gz", sink).error().message(),
            "'bad.gz': corrupt gzip data");
}

TEST_F(LibraryPackagesTest, FindsPackagesThroughTheVerifiedContentsIndex) {
  Publish(mirror_, true);
  auto ctx = Context();
  base::Result<Shipping> s =
      FindShippingPackages(*ctx, spec_, "amd64", {{"libpq.so.5", "libnone.so.1"}, {"/bin/sh"}});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->suite, "test");
  EXPECT_EQ(s->libraries, (std::map<std::string, std::vector<std::string>>{
                              {"libnone.so.1", {}}, {"libpq.so.5", {"libpq5"}}}));
  EXPECT_EQ(s->paths["/bin/sh"], std::vector<std::string>{"dash"});
  // By hash, never by name, when the Release offers it.
  for (const std::string& url : mirror_.requests)
    EXPECT_EQ(url.find("Contents-amd64.gz"), std::string::npos) << url;
  // The index is cached by its hash: offline, a second lookup works.
  base::Result<Shipping> again =
      FindShippingPackages(*Context(true), spec_, "amd64", {{"libcurl.so.4"}, {}});
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->libraries["libcurl.so.4"], std::vector<std::string>{"libcurl4"});
}

TEST_F(LibraryPackagesTest, ByNameWithoutByHash) {
  Publish(mirror_, false);
  base::Result<Shipping> s = FindShippingPackages(*Context(), spec_, "amd64", {{"libpq.so.5"}, {}});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->libraries["libpq.so.5"], std::vector<std::string>{"libpq5"});
}

TEST_F(LibraryPackagesTest, TamperedIndexIsRejected) {
  Publish(mirror_, false);
  std::string& served = mirror_.files[std::string(kUri) + "/dists/test/main/Contents-amd64.gz"];
  std::string tampered = Gzip("usr/lib/x86_64-linux-gnu/libpq.so.5 libs/evil\n");
  tampered.resize(served.size(), '\0');
  served = tampered;
  base::Result<Shipping> s = FindShippingPackages(*Context(), spec_, "amd64", {{"libpq.so.5"}, {}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("sha256 mismatch"), std::string::npos) << s.error().message();
}

TEST_F(LibraryPackagesTest, OfflineNamesTheMissingIndex) {
  Publish(mirror_, false);
  // The Release is cached, the Contents index is not.
  ASSERT_TRUE(SpecRepositories(*Context(), spec_, "amd64"));
  base::Result<Shipping> s =
      FindShippingPackages(*Context(true), spec_, "amd64", {{"libpq.so.5"}, {}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            "offline: 'http://mirror.test/debian/dists/test/main/Contents-amd64.gz' is not in the "
            "cache");
}

}  // namespace
}  // namespace build
