#include "archive/ar_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace archive {
namespace {

std::string Header(const std::string& name, const std::string& size,
                   const std::string& mode = "100644", const std::string& end = "`\n") {
  char h[61];
  std::snprintf(h, sizeof h, "%-16s%-12s%-6s%-6s%-8s%-10s%-2s", name.c_str(), "0", "0", "0",
                mode.c_str(), size.c_str(), end.c_str());
  return std::string(h, 60);
}

struct Listing {
  std::vector<ArMember> members;
  std::string error;
};

Listing List(const std::string& bytes) {
  Listing out;
  std::unique_ptr<ByteSource> src = NewMemorySource(bytes);
  auto ar = ArReader::Open(src.get(), "x.a");
  if (!ar) {
    out.error = ar.error().message();
    return out;
  }
  for (;;) {
    auto m = ar->Next();
    if (!m) {
      out.error = m.error().message();
      return out;
    }
    if (!*m) return out;
    out.members.push_back(**m);
  }
}

TEST(ArReaderTest, ListsMembersWithPadding) {
  std::string ar = "!<arch>\n" + Header("a/", "3") + "abc\n" + Header("b", "2") + "de";
  Listing got = List(ar);
  EXPECT_EQ(got.error, "");
  EXPECT_EQ(got.members, (std::vector<ArMember>{{"a", 68, 3}, {"b", 132, 2}}));
}

TEST(ArReaderTest, LastOddMemberMayLackItsPad) {
  Listing got = List("!<arch>\n" + Header("a", "1") + "x");
  EXPECT_EQ(got.error, "");
  EXPECT_EQ(got.members, (std::vector<ArMember>{{"a", 68, 1}}));
}

TEST(ArReaderTest, EmptyArchiveHasNoMembers) {
  Listing got = List("!<arch>\n");
  EXPECT_EQ(got.error, "");
  EXPECT_TRUE(got.members.empty());
}

TEST(ArReaderTest, RejectsBadHeaders) {
  EXPECT_EQ(List("!<arch>\n" + Header("a", "1", "100644", "``") + "x\n").error,
            "'x.a': bad ar member header at offset 8");
  EXPECT_EQ(List("!<arch>\n" + Header("a", "1x") + "x\n").error,
            "'x.a': bad header fields in ar member 'a'");
  EXPECT_EQ(List("!<arch>\n" + Header("a", "") + "x\n").error,
            "'x.a': bad header fields in ar member 'a'");
  EXPECT_EQ(List("!<arch>\n" + Header("a", "1", "100648") + "x\n").error,
            "'x.a': bad header fields in ar member 'a'");
  EXPECT_EQ(List("!<arch>\n" + Header("", "1") + "x\n").error,
            "'x.a': bad ar member name at offset 8");
  EXPECT_EQ(List("!<arch>\n" + Header("a", "9999999999") + "x\n").error,
            "'x.a': truncated ar member 'a'");
  EXPECT_EQ(List("!<arch>\n" + Header("a", "5") + "x\n").error, "'x.a': truncated ar member 'a'");
  EXPECT_EQ(List("!<arch>").error, "'x.a': not an ar archive (bad magic)");
}

TEST(ArReaderTest, ReadMemberIsCapped) {
  std::string bytes = "!<arch>\n" + Header("a", "3") + "abc\n";
  std::unique_ptr<ByteSource> src = NewMemorySource(bytes);
  auto ar = ArReader::Open(src.get(), "x.a");
  ASSERT_TRUE(ar);
  auto m = ar->Next();
  ASSERT_TRUE(m && *m);
  EXPECT_EQ(ar->ReadMember(**m, 3).value_or("<error>"), "abc");
  auto big = ar->ReadMember(**m, 2);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message(), "'x.a': ar member 'a' is larger than 2 bytes");
}

}  // namespace
}  // namespace archive
