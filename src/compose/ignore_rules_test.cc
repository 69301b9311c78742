#include "compose/ignore_rules.h"

#include <gtest/gtest.h>

namespace build {
namespace {

TEST(IgnoreRulesTest, UnanchoredNameMatchesAtAnyDepth) {
  IgnoreRules r = IgnoreRules::Parse("*.pyc\n");
  EXPECT_EQ(r.ExcludedBy("a.pyc", false), 1);
  EXPECT_EQ(r.ExcludedBy("pkg/sub/a.pyc", false), 1);
  EXPECT_EQ(r.ExcludedBy("a.py", false), std::nullopt);
}

TEST(IgnoreRulesTest, CommentsBlankLinesAndTrailingSpaces) {
  IgnoreRules r = IgnoreRules::Parse("# junk\n\n  \nnotes.txt   \n\\#literal\n");
  EXPECT_EQ(r.ExcludedBy("notes.txt", false), 4);
  EXPECT_EQ(r.ExcludedBy("#literal", false), 5);
  EXPECT_EQ(r.ExcludedBy("# junk", false), std::nullopt);
  EXPECT_EQ(r.PatternAt(4), "notes.txt");
}

TEST(IgnoreRulesTest, SlashAnchorsToTheRoot) {
  IgnoreRules r = IgnoreRules::Parse("/build\ndocs/*.md\n");
  EXPECT_EQ(r.ExcludedBy("build", true), 1);
  EXPECT_EQ(r.ExcludedBy("src/build", true), std::nullopt);
  EXPECT_EQ(r.ExcludedBy("docs/a.md", false), 2);
  EXPECT_EQ(r.ExcludedBy("docs/sub/a.md", false), std::nullopt);  // '*' never matches '/'
  EXPECT_EQ(r.ExcludedBy("x/docs/a.md", false), std::nullopt);
}

TEST(IgnoreRulesTest, TrailingSlashMatchesDirectoriesOnly) {
  IgnoreRules r = IgnoreRules::Parse("__pycache__/\n");
  EXPECT_EQ(r.ExcludedBy("pkg/__pycache__", true), 1);
  EXPECT_EQ(r.ExcludedBy("pkg/__pycache__", false), std::nullopt);
}

TEST(IgnoreRulesTest, DoubleStar) {
  IgnoreRules r = IgnoreRules::Parse("**/tmp\na/**/b\nlogs/**\n");
  EXPECT_EQ(r.ExcludedBy("tmp", true), 1);
  EXPECT_EQ(r.ExcludedBy("x/y/tmp", true), 1);
  EXPECT_EQ(r.ExcludedBy("a/b", false), 2);
  EXPECT_EQ(r.ExcludedBy("a/x/y/b", false), 2);
  EXPECT_EQ(r.ExcludedBy("logs", true), std::nullopt);  // only what is inside
  EXPECT_EQ(r.ExcludedBy("logs/x", false), 3);
  EXPECT_EQ(r.ExcludedBy("logs/x/y", false), 3);
}

TEST(IgnoreRulesTest, LastMatchWinsAndNegationReincludes) {
  IgnoreRules r = IgnoreRules::Parse("*.log\n!keep.log\n");
  EXPECT_EQ(r.ExcludedBy("a.log", false), 1);
  EXPECT_EQ(r.ExcludedBy("d/keep.log", false), std::nullopt);
  IgnoreRules again = IgnoreRules::Parse("!keep.log\n*.log\n");
  EXPECT_EQ(again.ExcludedBy("keep.log", false), 2);
  EXPECT_EQ(IgnoreRules::Parse("\\!bang\n").ExcludedBy("!bang", false), 1);
}

TEST(IgnoreRulesTest, LastMatchNamesNegationsToo) {
  IgnoreRules r = IgnoreRules::FromList({"/usr/share/**", "!/usr/share/zoneinfo/UTC", "/opt/"});
  std::optional<IgnoreRules::Match> m = r.LastMatch("usr/share/zoneinfo/UTC", false);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->line, 2);
  EXPECT_TRUE(m->negate);
  m = r.LastMatch("usr/share/zoneinfo", true);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->line, 1);
  EXPECT_FALSE(m->negate);
  EXPECT_EQ(r.LastMatch("usr/share", true), std::nullopt);
  EXPECT_EQ(r.LastMatch("opt", false), std::nullopt);
  EXPECT_EQ(r.LastMatch("opt", true)->line, 3);
}

TEST(IgnoreRulesTest, StarMatchesDotFiles) {
  EXPECT_EQ(IgnoreRules::Parse("*\n").ExcludedBy(".env", false), 1);
  EXPECT_EQ(IgnoreRules::Parse(".*.swp\n").ExcludedBy("d/.a.swp", false), 1);
}

TEST(IgnoreRulesTest, PathExcludedByLooksAtParents) {
  IgnoreRules r = IgnoreRules::Parse("build/\n");
  EXPECT_EQ(r.ExcludedBy("build/app.jar", false), std::nullopt);
  EXPECT_EQ(r.PathExcludedBy("build/app.jar", false), 1);
  EXPECT_EQ(r.PathExcludedBy("src/app.c", false), std::nullopt);
}

TEST(IgnoreRulesTest, FromListNumbersByPosition) {
  IgnoreRules r = IgnoreRules::FromList({"*.o", "tests/"});
  EXPECT_EQ(r.ExcludedBy("x.o", false), 1);
  EXPECT_EQ(r.ExcludedBy("tests", true), 2);
  EXPECT_EQ(IgnoreRules::FromList({}).ExcludedBy("x.o", false), std::nullopt);
  EXPECT_EQ(IgnoreRules().ExcludedBy("a", false), std::nullopt);
}

}  // namespace
}  // namespace build
