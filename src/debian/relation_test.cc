#include "debian/relation.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace debian {
namespace {

Relation Rel(std::string name, RelationOp op = RelationOp::kNone, std::string version = "") {
  Relation r;
  r.name = std::move(name);
  r.op = op;
  r.version = std::move(version);
  return r;
}

TEST(RelationTest, ParsesAndOrAndVersions) {
  auto r =
      ParseRelations("libc6 (>= 2.36), libgcc-s1 | libgcc1 (<< 1:4), zlib1g (= 1:1.2.13.dfsg-1)");
  ASSERT_TRUE(r) << r.error().message();
  RelationList want = {
      {Rel("libc6", RelationOp::kGreaterEqual, "2.36")},
      {Rel("libgcc-s1"), Rel("libgcc1", RelationOp::kLess, "1:4")},
      {Rel("zlib1g", RelationOp::kEqual, "1:1.2.13.dfsg-1")},
  };
  EXPECT_EQ(*r, want);
}

TEST(RelationTest, WhitespaceAnywhereOutsideTokens) {
  auto r = ParseRelations("  a(>=1.0)|b ,\n c ( << 2 ) ,d:any(>=3)  ");
  ASSERT_TRUE(r) << r.error().message();
  Relation d = Rel("d", RelationOp::kGreaterEqual, "3");
  d.arch_qualifier = "any";
  RelationList want = {
      {Rel("a", RelationOp::kGreaterEqual, "1.0"), Rel("b")},
      {Rel("c", RelationOp::kLess, "2")},
      {d},
  };
  EXPECT_EQ(*r, want);
}

TEST(RelationTest, AllOperatorsAndLegacyForms) {
  auto r = ParseRelations("a (<< 1), b (<= 1), c (= 1), d (>= 1), e (>> 1), f (< 1), g (> 1)");
  ASSERT_TRUE(r) << r.error().message();
  std::vector<RelationOp> ops;
  for (const OrGroup& g : *r) ops.push_back(g[0].op);
  EXPECT_EQ(ops,
            (std::vector<RelationOp>{RelationOp::kLess, RelationOp::kLessEqual, RelationOp::kEqual,
                                     RelationOp::kGreaterEqual, RelationOp::kGreater,
                                     RelationOp::kLessEqual, RelationOp::kGreaterEqual}));
}

TEST(RelationTest, ArchQualifiersRestrictionsAndProfiles) {
  auto r = ParseRelations("perl:any, gcc:native (>= 12) [amd64 !i386] <!nocheck> <stage1 cross>");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  Relation perl = Rel("perl");
  perl.arch_qualifier = "any";
  EXPECT_EQ((*r)[0], OrGroup{perl});
  Relation gcc = Rel("gcc", RelationOp::kGreaterEqual, "12");
  gcc.arch_qualifier = "native";
  gcc.architectures = {"amd64", "!i386"};
  gcc.profiles = {{"!nocheck"}, {"stage1", "cross"}};
  EXPECT_EQ((*r)[1], OrGroup{gcc});
  EXPECT_EQ(gcc.ToString(), "gcc:native (>= 12) [amd64 !i386] <!nocheck> <stage1 cross>");
}

TEST(RelationTest, EmptyFieldIsEmptyList) {
  auto r = ParseRelations(" \n ");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(RelationTest, FormatsGroups) {
  auto r = ParseRelations("a(>=1)|b:any");
  ASSERT_TRUE(r);
  EXPECT_EQ(FormatOrGroup((*r)[0]), "a (>= 1) | b:any");
}

TEST(RelationTest, ErrorsNameTheFieldText) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a, , b",
       "invalid relationship field 'a, , b': unexpected ',' where a package name should be"},
      {"a,", "invalid relationship field 'a,': missing package name"},
      {"a |", "invalid relationship field 'a |': missing package name"},
      {"libc6 (>= 2.36",
       "invalid relationship field 'libc6 (>= 2.36': missing ')' after version of 'libc6'"},
      {"libc6 (2.36)",
       "invalid relationship field 'libc6 (2.36)': missing version operator for 'libc6'"},
      {"libc6 (=> 2.36)",
       "invalid relationship field 'libc6 (=> 2.36)': bad version operator '=>' for 'libc6'"},
      {"libc6 (>= )", "invalid relationship field 'libc6 (>= )': missing version for 'libc6'"},
      {"a b", "invalid relationship field 'a b': unexpected 'b' after 'a'"},
      {"a:", "invalid relationship field 'a:': missing architecture after ':' in 'a'"},
      {"a [amd64", "invalid relationship field 'a [amd64': missing ']' after architecture list"},
      {"a []", "invalid relationship field 'a []': empty architecture list"},
      {"a <nocheck",
       "invalid relationship field 'a <nocheck': missing '>' after build profile list"},
  };
  for (const auto& [text, message] : cases) {
    auto r = ParseRelations(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().message(), message);
  }
}

TEST(RelationTest, SatisfiesChecksVersions) {
  EXPECT_TRUE(Satisfies(Rel("a"), "0"));
  EXPECT_TRUE(Satisfies(Rel("a", RelationOp::kGreaterEqual, "2.36"), "2.36-9+deb12u4"));
  EXPECT_FALSE(Satisfies(Rel("a", RelationOp::kGreaterEqual, "2.37"), "2.36-9"));
  EXPECT_TRUE(Satisfies(Rel("a", RelationOp::kLess, "2.0"), "2.0~rc1"));
  EXPECT_FALSE(Satisfies(Rel("a", RelationOp::kLess, "2.0"), "2.0"));
  EXPECT_TRUE(Satisfies(Rel("a", RelationOp::kLessEqual, "2.0"), "2.0"));
  EXPECT_TRUE(Satisfies(Rel("a", RelationOp::kGreater, "2.0"), "2.0-1"));
  EXPECT_FALSE(Satisfies(Rel("a", RelationOp::kGreater, "2.0"), "2.0"));
  // '=' without a revision matches only an empty or zero revision (D4).
  EXPECT_FALSE(Satisfies(Rel("a", RelationOp::kEqual, "1.0"), "1.0-1"));
  EXPECT_TRUE(Satisfies(Rel("a", RelationOp::kEqual, "1.0"), "1.0-0"));
  EXPECT_TRUE(Satisfies(Rel("a", RelationOp::kEqual, "0:1.0-1"), "1.0-1"));
}

}  // namespace
}  // namespace debian
