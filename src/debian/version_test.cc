#include "debian/version.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace debian {
namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

struct Case {
  const char* a;
  int rel;  // -1, 0, 1
  const char* b;
};

// The whole table of formats.md E, plus edge cases.
const Case kCases[] = {
    {"1.0~rc1", -1, "1.0"},
    {"1.0~~", -1, "1.0~"},
    {"1.0", -1, "1.0a"},
    {"1.0a", -1, "1.0+"},
    {"1.0+", -1, "1.0."},
    {"1.0", 0, "1.0-0"},
    {"1:0.1", 1, "2.0"},
    {"0:1.0", 0, "1.0"},
    {"1.01", 0, "1.1"},
    {"1.001", 0, "1.1"},
    {"1.10", 1, "1.9"},
    {"1.2.3", -1, "1.2.3.0"},
    {"2.36-9+deb12u14", 1, "2.36-9+deb12u2"},
    {"1.0-1", -1, "1.0-1+b1"},
    {"1.0-1+b1", -1, "1.0-1.1"},
    {"1.0-1~bpo12+1", -1, "1.0-1"},
    {"1.0+dfsg-1", 1, "1.0-1"},
    {"1.2-3-4", 1, "1.2-3.4"},
    {"1.0z", 1, "1.0A"},
    // Edge cases.
    {"1.0", 0, "1.0"},
    {"1.0~", -1, "1.0"},
    {"1.0~rc1", -1, "1.0~rc2"},
    {"1.0~rc1-1", 1, "1.0~rc1~1-1"},
    {"1.0-", 0, "1.0"},  // invalid, but compared leniently
    {"00", 0, "0"},
    {"1.0-0", 0, "1.0-00"},
    {"2:1", 1, "1:9"},
    {"10:1", 1, "9:2"},
    {"1.0-1", -1, "1.0-2"},
    {"1.0-a", 1, "1.0-1"},
    {"1.0.", 1, "1.0+"},
    {"1.0-", -1, "1.0-0+"},
    {"a", -1, "b"},
    {"Z", -1, "a"},
    {"1.0+~", -1, "1.0+"},
    {"99999999999999999999", 1, "99999999999999999998"},
    {"1.0 ", 0, " 1.0"},
    {"1:1.0-1:2", 1, "1:1.0-1"},
};

TEST(VersionTest, CompareTable) {
  for (const Case& c : kCases) {
    EXPECT_EQ(Sign(CompareVersions(c.a, c.b)), c.rel) << c.a << " vs " << c.b;
    EXPECT_EQ(Sign(CompareVersions(c.b, c.a)), -c.rel) << c.b << " vs " << c.a;
  }
}

TEST(VersionTest, TildeSortsBeforeRelease) {
  EXPECT_LT(CompareVersions("1.0~rc1", "1.0"), 0);
  EXPECT_LT(CompareVersions("1.0", "1.0+deb12u1"), 0);
}

TEST(VersionTest, ParsedCompareAgreesWithStrings) {
  for (const Case& c : kCases) {
    auto a = ParseVersion(c.a);
    auto b = ParseVersion(c.b);
    if (!a || !b) continue;
    EXPECT_EQ(Sign(CompareVersions(*a, *b)), c.rel) << c.a << " vs " << c.b;
  }
}

TEST(VersionTest, ParsesParts) {
  auto v = ParseVersion(" 1:2.36-9+deb12u4 ");
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, (Version{1, "2.36", "9+deb12u4"}));
  EXPECT_EQ(v->ToString(), "1:2.36-9+deb12u4");

  v = ParseVersion("1.2-3-4");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Version{0, "1.2-3", "4"}));

  v = ParseVersion("0:1.0");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Version{0, "1.0", ""}));
  EXPECT_EQ(v->ToString(), "1.0");

  v = ParseVersion("2:1.0:3");  // ':' is allowed in upstream
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Version{2, "1.0:3", ""}));

  v = ParseVersion("abc");  // no leading digit: a dpkg warning only
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Version{0, "abc", ""}));
}

TEST(VersionTest, RejectsInvalid) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "invalid version '': empty"},
      {"  ", "invalid version '  ': empty"},
      {"1.0 1", "invalid version '1.0 1': embedded space"},
      {":1.0", "invalid version ':1.0': epoch is empty"},
      {"a:1.0", "invalid version 'a:1.0': epoch is not a number"},
      {"-1:1.0", "invalid version '-1:1.0': epoch is not a number"},
      {"99999999999:1.0", "invalid version '99999999999:1.0': epoch is too big"},
      {"1:", "invalid version '1:': nothing after colon"},
      {"1.0-", "invalid version '1.0-': revision is empty"},
      {"-1", "invalid version '-1': upstream version is empty"},
      {"1:-1", "invalid version '1:-1': upstream version is empty"},
      {"1.0_1", "invalid version '1.0_1': invalid character in upstream version"},
      {"1:1.0-1:2", "invalid version '1:1.0-1:2': invalid character in revision"},
      {"1.0-1_2", "invalid version '1.0-1_2': invalid character in revision"},
  };
  for (const auto& [text, message] : cases) {
    auto v = ParseVersion(text);
    ASSERT_FALSE(v) << text;
    EXPECT_EQ(v.error().message(), message);
  }
}

}  // namespace
}  // namespace debian
