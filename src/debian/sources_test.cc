#include "debian/sources.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/file_util.h"

namespace debian {
namespace {

const std::string kKeyring(kDefaultKeyring);

TEST(SourcesTest, ParsesOneLineEntriesWithOptions) {
  auto r = ParseSourcesList(
      "# comment\n"
      "deb [ arch=amd64,arm64 signed-by=/k.gpg ] http://m/debian/ bookworm main contrib\n"
      "deb-src http://m/debian bookworm main\n"
      "\n"
      "deb http://m/flat ./  # flat repository\n",
      "sources.list");
  ASSERT_TRUE(r) << r.error().message();
  std::vector<Source> want = {
      {"http://m/debian", "bookworm", {"main", "contrib"}, "/k.gpg", {"amd64", "arm64"}},
      {"http://m/flat", "./", {}, kKeyring, {}},
  };
  EXPECT_EQ(*r, want);
}

TEST(SourcesTest, OneLineErrorsNameFileAndLine) {
  auto r = ParseSourcesList("deb http://m/debian bookworm main\ndeb-foo http://m x y\n", "a.list");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "a.list:2: unknown type 'deb-foo'");
  r = ParseSourcesList("\ndeb http://m/debian bookworm\n", "a.list");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "a.list:2: no components for suite 'bookworm'");
  r = ParseSourcesList("deb [arch=amd64 http://m bookworm main\n", "a.list");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "a.list:1: '[' without ']'");
}

TEST(SourcesTest, ParsesDeb822Stanzas) {
  auto r = ParseDeb822Sources(
      "Types: deb deb-src\n"
      "URIs: http://m/debian\n"
      "Suites: bookworm bookworm-updates\n"
      "Components: main\n"
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
      "\n"
      "Types: deb-src\n"
      "URIs: http://m/debian\n"
      "Suites: bookworm\n"
      "Components: main\n"
      "\n"
      "Types: deb\n"
      "URIs: http://m/off\n"
      "Suites: x\n"
      "Components: main\n"
      "Enabled: no\n"
      "\n"
      "Types: deb\n"
      "URIs: http://m/inline\n"
      "Suites: sid\n"
      "Components: main\n"
      "Architectures: amd64\n"
      "Signed-By:\n"
      " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
      " .\n"
      " abc\n"
      " -----END PGP PUBLIC KEY BLOCK-----\n",
      "debian.sources");
  ASSERT_TRUE(r) << r.error().message();
  std::vector<Source> want = {
      {"http://m/debian", "bookworm", {"main"}, kKeyring, {}},
      {"http://m/debian", "bookworm-updates", {"main"}, kKeyring, {}},
      {"http://m/inline",
       "sid",
       {"main"},
       "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n-----END PGP PUBLIC KEY BLOCK-----",
       {"amd64"}},
  };
  EXPECT_EQ(*r, want);
}

TEST(SourcesTest, Deb822ErrorsNameFileAndStanzaLine) {
  auto r = ParseDeb822Sources(
      "Types: deb\nURIs: http://m\nSuites: a\nComponents: main\n\n"
      "Types: deb\nSuites: b\n",
      "x.sources");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "x.sources:6: missing 'URIs'");
}

TEST(SourcesTest, ReadsHostFilesInAptOrderIgnoringOtherSuffixes) {
  std::string root = testing::TempDir() + "sources_test_" + std::to_string(getpid());
  ASSERT_TRUE(base::MakeDirs(root + "/etc/apt/sources.list.d"));
  ASSERT_TRUE(base::WriteFileAtomic(root + "/etc/apt/sources.list", "deb http://a/d a main\n"));
  ASSERT_TRUE(base::WriteFileAtomic(root + "/etc/apt/sources.list.d/b.sources",
                                    "Types: deb\nURIs: http://b\nSuites: b\nComponents: main\n"));
  ASSERT_TRUE(
      base::WriteFileAtomic(root + "/etc/apt/sources.list.d/c.list", "deb http://c c main\n"));
  ASSERT_TRUE(base::WriteFileAtomic(root + "/etc/apt/sources.list.d/d.list.disabled-by-farm",
                                    "deb http://d d main\n"));
  auto r = ReadHostSources(root);
  ASSERT_TRUE(r) << r.error().message();
  std::vector<Source> want = {
      {"http://a/d", "a", {"main"}, kKeyring, {}},
      {"http://b", "b", {"main"}, kKeyring, {}},
      {"http://c", "c", {"main"}, kKeyring, {}},
  };
  EXPECT_EQ(*r, want);
  ASSERT_TRUE(base::WriteFileAtomic(root + "/etc/apt/sources.list.d/e.list", "deb http://e\n"));
  r = ReadHostSources(root);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            root +
                "/etc/apt/sources.list.d/e.list:1: expected 'deb [options] uri suite "
                "[component...]'");
  std::filesystem::remove_all(root);
}

SourceOverride Spec(std::string mirror, std::string suite, std::vector<std::string> components = {},
                    std::string keyring = "") {
  return SourceOverride{std::move(mirror), std::move(suite), std::move(components),
                        std::move(keyring)};
}

TEST(SourcesTest, ReadsThisHostsConfiguration) {
  if (!base::IsDirectory("/etc/apt")) GTEST_SKIP() << "no /etc/apt";
  auto r = ReadHostSources();
  ASSERT_TRUE(r) << r.error().message();
}

std::vector<Source> Host() {
  return {
      {"http://m/debian", "bookworm", {"main"}, "/k", {}},
      {"http://m/debian", "bookworm-updates", {"main"}, "/k", {}},
      {"http://m/debian-security", "bookworm-security", {"main"}, "/k", {}},
      {"http://other/node", "nodistro", {"main"}, "/n", {"amd64"}},
  };
}

TEST(SourcesTest, EmptyOverrideKeepsHost) {
  auto r = ApplyOverride(Host(), {});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, Host());
}

TEST(SourcesTest, SuiteOverrideReusesHostMirrorsAndDerivesSiblings) {
  auto r = ApplyOverride(Host(), Spec("", "trixie"));
  ASSERT_TRUE(r) << r.error().message();
  std::vector<Source> want = {
      {"http://m/debian", "trixie", {"main"}, "/k", {}},
      {"http://m/debian", "trixie-updates", {"main"}, "/k", {}},
      {"http://m/debian-security", "trixie-security", {"main"}, "/k", {}},
  };
  EXPECT_EQ(*r, want);
}

TEST(SourcesTest, SuiteOverrideDerivesOnlySiblingsTheHostHas) {
  std::vector<Source> host = {{"http://m/debian", "bookworm", {"main"}, "/k", {}}};
  auto r = ApplyOverride(host, Spec("", "trixie", {"main", "contrib"}));
  ASSERT_TRUE(r);
  std::vector<Source> want = {{"http://m/debian", "trixie", {"main", "contrib"}, "/k", {}}};
  EXPECT_EQ(*r, want);
}

TEST(SourcesTest, MirrorOverrideReplacesEverything) {
  auto r = ApplyOverride(Host(), Spec("http://snap/archive/debian/20240101T000000Z/", ""));
  ASSERT_TRUE(r);
  std::vector<Source> want = {
      {"http://snap/archive/debian/20240101T000000Z", "bookworm", {"main"}, kKeyring, {}}};
  EXPECT_EQ(*r, want);
  r = ApplyOverride({}, Spec("http://m", "sid", {}, "/x.asc"));
  ASSERT_TRUE(r);
  want = {{"http://m", "sid", {"main"}, "/x.asc", {}}};
  EXPECT_EQ(*r, want);
}

TEST(SourcesTest, OverrideNeedsAHostSuiteOrMirror) {
  auto r = ApplyOverride({}, Spec("", "trixie"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "no host apt source to take a mirror from for suite 'trixie'");
  r = ApplyOverride({}, Spec("http://m", ""));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "no suite given and no Debian suite in the host's apt sources");
}

}  // namespace
}  // namespace debian
