#include "analyze/contents.h"

#include <gtest/gtest.h>

namespace analyze {
namespace {

using Packages = std::map<std::string, std::vector<std::string>>;

// A bookworm-style index: no header, aliased /lib paths, sections with and
// without a component, a path with spaces.
constexpr std::string_view kIndex =
    "bin/ls                                                  utils/coreutils\n"
    "lib/x86_64-linux-gnu/libz.so.1                          libs/zlib1g\n"
    "lib/x86_64-linux-gnu/libz.so.1.2.13                     libs/zlib1g\n"
    "usr/lib/i386-linux-gnu/libpq.so.5                       libs/libpq5\n"
    "usr/lib/x86_64-linux-gnu/libpq.so.5                     libs/libpq5\n"
    "usr/lib/x86_64-linux-gnu/libpq.so                       libdevel/libpq-dev\n"
    "usr/lib/x86_64-linux-gnu/odbc/libpq.so.5                database/odbc-postgresql\n"
    "usr/lib/libssl.so.3                                     libs/oldssl\n"
    "usr/lib/x86_64-linux-gnu/libssl.so.3                    libs/libssl3,non-free/libs/ssl-x\n"
    "usr/lib/libfoo.so.1                                     contrib/libs/libfoo1\n"
    "usr/lib/my lib.so.1   libs/spaced\n"
    "usr/share/doc/libpq5/copyright                          doc/libpq5\n";

Packages Lookup(std::string_view index, size_t chunk) {
  ContentsLookup lookup(
      {"libz.so.1", "libpq.so.5", "libssl.so.3", "libfoo.so.1", "my lib.so.1", "libnone.so.0"},
      "x86_64-linux-gnu");
  for (size_t at = 0; at < index.size(); at += chunk) {
    base::Result<void> r = lookup.Write(index.substr(at, chunk));
    EXPECT_TRUE(r) << r.error().message();
  }
  EXPECT_TRUE(lookup.Close());
  return lookup.Results();
}

TEST(ContentsLookupTest, FindsPackagesInLibraryDirectories) {
  const Packages want = {
      {"libfoo.so.1", {"libfoo1"}},
      {"libnone.so.0", {}},
      {"libpq.so.5", {"libpq5"}},
      // The multiarch hits win over the plain /usr/lib one.
      {"libssl.so.3", {"libssl3", "ssl-x"}},
      {"libz.so.1", {"zlib1g"}},
      {"my lib.so.1", {"spaced"}},
  };
  EXPECT_EQ(Lookup(kIndex, kIndex.size()), want);
  // Any split of the stream gives the same answer.
  EXPECT_EQ(Lookup(kIndex, 1), want);
  EXPECT_EQ(Lookup(kIndex, 7), want);
}

TEST(ContentsLookupTest, SkipsOldHeaderAndReadsLastLineWithoutNewline) {
  const std::string index =
      "This file maps each file available in the Debian GNU/Linux system to\n"
      "the package from which it originates.\n"
      "\n"
      "FILE                                                    LOCATION\n"
      "lib/libfoo.so.1\tlibs/libfoo1,libs/libfoo1-compat\n"
      "usr/lib/x86_64-linux-gnu/libz.so.1 libs/zlib1g";
  ContentsLookup lookup({"libfoo.so.1", "libz.so.1"}, "x86_64-linux-gnu");
  ASSERT_TRUE(lookup.Write(index));
  ASSERT_TRUE(lookup.Close());
  EXPECT_EQ(lookup.PackagesFor("libfoo.so.1"),
            (std::vector<std::string>{"libfoo1", "libfoo1-compat"}));
  EXPECT_EQ(lookup.PackagesFor("libz.so.1"), std::vector<std::string>{"zlib1g"});
  EXPECT_EQ(lookup.PackagesFor("libunasked.so"), std::vector<std::string>{});
}

TEST(ContentsLookupTest, FindsExactPathsUnderEitherUsrAlias) {
  ContentsLookup lookup({"libz.so.1"}, "x86_64-linux-gnu");
  lookup.AddPath("/bin/sh");
  lookup.AddPath("/usr/bin/python3");
  lookup.AddPath("/opt/none");
  ASSERT_TRUE(
      lookup.Write("bin/sh                          shells/dash\n"
                   "usr/bin/python3                 python/python3-minimal\n"
                   "usr/bin/sh.distrib              shells/dash\n"
                   "usr/share/bin/sh                doc/decoy\n"
                   "lib/x86_64-linux-gnu/libz.so.1  libs/zlib1g\n"));
  ASSERT_TRUE(lookup.Close());
  EXPECT_EQ(lookup.PackagesForPath("/usr/bin/sh"), std::vector<std::string>{"dash"});
  EXPECT_EQ(lookup.PackagesForPath("/bin/sh"), std::vector<std::string>{"dash"});
  EXPECT_EQ(lookup.PackagesForPath("/bin/python3"), std::vector<std::string>{"python3-minimal"});
  EXPECT_EQ(lookup.PackagesForPath("/opt/none"), std::vector<std::string>{});
  EXPECT_EQ(lookup.PackagesFor("libz.so.1"), std::vector<std::string>{"zlib1g"});
}

TEST(ContentsLookupTest, RejectsOverlongLines) {
  ContentsLookup lookup({"libz.so.1"}, "x86_64-linux-gnu");
  ASSERT_TRUE(lookup.Write("usr/bin/x utils/x\n"));
  const std::string chunk(kMaxContentsLine / 2 + 1, 'a');
  ASSERT_TRUE(lookup.Write(chunk));
  EXPECT_EQ(lookup.Write(chunk).error().message(), "contents line 2: longer than 1048576 bytes");
  ContentsLookup whole({"libz.so.1"}, "x86_64-linux-gnu");
  EXPECT_EQ(whole.Write(std::string(kMaxContentsLine + 1, 'a')).error().message(),
            "contents line 1: longer than 1048576 bytes");
}

}  // namespace
}  // namespace analyze
