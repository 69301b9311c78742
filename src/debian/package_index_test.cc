#include "debian/package_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace debian {
namespace {

constexpr char kIndex[] =
    "Package: libc6\n"
    "Source: glibc\n"
    "Version: 2.36-9+deb12u4\n"
    "Installed-Size: 12986\n"
    "Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n"
    "Architecture: amd64\n"
    "Multi-Arch: same\n"
    "Depends: libgcc-s1\n"
    "Breaks: hurd (<< 1:0.9.git20220301-2),\n"
    " nscd (<< 2.36)\n"
    "Description: GNU C Library: Shared libraries\n"
    "Priority: optional\n"
    "Section: libs\n"
    "Filename: pool/main/g/glibc/libc6_2.36-9+deb12u4_amd64.deb\n"
    "Size: 2757936\n"
    "SHA256: aaaa\n"
    "\n"
    "Package: mawk\n"
    "Version: 1.3.4.20200120-3.1\n"
    "Architecture: amd64\n"
    "multi-arch: foreign\n"
    "Essential: yes\n"
    "Pre-Depends: libc6 (>= 2.34)\n"
    "Provides: awk\n"
    "Priority: required\n"
    "Filename: pool/main/m/mawk/mawk_1.3.4.20200120-3.1_amd64.deb\n"
    "Size: 100\n"
    "\n"
    "\n"
    "Package: perl-base\n"
    "Version: 5.36.0-7\n"
    "Architecture: amd64\n"
    "Provides: libfile-temp-perl (= 0.2311), awk\n"
    "Conflicts: x\n"
    "Size: 1\n";

TEST(PackageIndexTest, ScansStanzas) {
  PackageIndex index;
  auto o = index.Add(kIndex, {"bookworm", "main", 500, "src0"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(*o, 0u);
  ASSERT_EQ(index.size(), 3u);
  const Package& libc = index.package(0);
  EXPECT_EQ(index.Name(libc.name), "libc6");
  EXPECT_EQ(libc.version, "2.36-9+deb12u4");
  EXPECT_EQ(libc.architecture, "amd64");
  EXPECT_EQ(libc.multi_arch, MultiArch::kSame);
  EXPECT_FALSE(libc.essential);
  EXPECT_EQ(libc.priority, "optional");
  EXPECT_EQ(libc.section, "libs");
  EXPECT_EQ(libc.source, "glibc");
  EXPECT_EQ(libc.filename, "pool/main/g/glibc/libc6_2.36-9+deb12u4_amd64.deb");
  EXPECT_EQ(libc.sha256, "aaaa");
  EXPECT_EQ(libc.size, 2757936u);
  EXPECT_EQ(libc.installed_size, 12986u);
  EXPECT_EQ(libc.depends, "libgcc-s1");
  EXPECT_EQ(libc.breaks, "hurd (<< 1:0.9.git20220301-2),\n nscd (<< 2.36)");
  EXPECT_TRUE(libc.stanza.starts_with("Package: libc6\n"));
  EXPECT_TRUE(libc.stanza.ends_with("SHA256: aaaa"));

  const Package& mawk = index.package(1);
  EXPECT_EQ(mawk.multi_arch, MultiArch::kForeign);
  EXPECT_TRUE(mawk.essential);
  EXPECT_EQ(mawk.pre_depends, "libc6 (>= 2.34)");
  EXPECT_EQ(mawk.installed_size, 0u);

  const Package& perl = index.package(2);
  EXPECT_EQ(perl.conflicts, "x");
  EXPECT_EQ(perl.stanza,
            "Package: perl-base\nVersion: 5.36.0-7\nArchitecture: amd64\n"
            "Provides: libfile-temp-perl (= 0.2311), awk\nConflicts: x\nSize: 1");
  EXPECT_EQ(index.origin(perl.origin).source_id, "src0");
}

TEST(PackageIndexTest, LooksUpNamesAndProviders) {
  PackageIndex index;
  ASSERT_TRUE(index.Add(kIndex, {"bookworm", "main", 500, ""}));
  ASSERT_TRUE(index.Add("Package: libc6\nVersion: 2.36-9+deb12u9\nArchitecture: amd64\n",
                        {"bookworm-security", "main", 500, ""}));
  auto libc = index.FindName("libc6");
  ASSERT_TRUE(libc);
  ASSERT_EQ(index.Versions(*libc).size(), 2u);
  EXPECT_EQ(index.package(index.Versions(*libc)[1]).version, "2.36-9+deb12u9");
  EXPECT_EQ(index.package(index.Versions(*libc)[1]).origin, 1u);

  auto awk = index.FindName("awk");
  ASSERT_TRUE(awk);
  EXPECT_TRUE(index.Versions(*awk).empty());
  ASSERT_EQ(index.Providers(*awk).size(), 2u);
  EXPECT_EQ(index.Providers(*awk)[0].package, 1u);
  EXPECT_EQ(index.Providers(*awk)[0].version, "");
  auto temp = index.FindName("libfile-temp-perl");
  ASSERT_TRUE(temp);
  ASSERT_EQ(index.Providers(*temp).size(), 1u);
  EXPECT_EQ(index.Providers(*temp)[0].version, "0.2311");
  EXPECT_FALSE(index.FindName("nscd"));  // only named in a Breaks
}

TEST(PackageIndexTest, SurvivesMove) {
  PackageIndex a;
  ASSERT_TRUE(a.Add(kIndex, {"bookworm", "main", 500, ""}));
  PackageIndex b = std::move(a);
  auto temp = b.FindName("libfile-temp-perl");
  ASSERT_TRUE(temp);
  EXPECT_EQ(b.Name(*temp), "libfile-temp-perl");
  EXPECT_EQ(b.Name(b.package(0).name), "libc6");
}

TEST(PackageIndexTest, SuggestsClosestName) {
  PackageIndex index;
  ASSERT_TRUE(index.Add(kIndex, {"bookworm", "main", 500, ""}));
  EXPECT_EQ(index.ClosestName("libc7"), "libc6");
  EXPECT_EQ(index.ClosestName("pearl-base"), "perl-base");
  EXPECT_EQ(index.ClosestName("zzzzzzzz"), "");
}

TEST(PackageIndexTest, ReportsMalformedStanzas) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Version: 1\n", "bookworm/main:1: stanza has no Package field"},
      {"Package: a\nVersion: 1\n\nPackage: b\n",
       "bookworm/main:4: package 'b' has no Version field"},
      {" x\n", "bookworm/main:1: continuation line outside a field"},
      {"Package: a\nbogus\n", "bookworm/main:2: line has no ':'"},
      {"Package: a\nVersion: 1\nSize: 1x\n", "bookworm/main:1: bad Size '1x'"},
      {"Package: a\nVersion: 1\nInstalled-Size: -1\n", "bookworm/main:1: bad Installed-Size '-1'"},
      {"Package: a\nVersion: 1\nProvides: b (=\n",
       "bookworm/main:1: package 'a' 1: invalid relationship field 'b (=': missing version for "
       "'b'"},
  };
  for (const auto& [text, message] : cases) {
    PackageIndex index;
    auto r = index.Add(text, {"bookworm", "main", 500, ""});
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().message(), message);
  }
}

}  // namespace
}  // namespace debian
