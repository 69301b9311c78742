#include "fs/tree.h"

#include <gtest/gtest.h>

namespace fs {

TEST(NormalizePathTest, CleansAndRejects) {
  EXPECT_EQ(*NormalizePath("/usr//lib/./x/"), "usr/lib/x");
  EXPECT_EQ(*NormalizePath("/a/b/../c"), "a/c");
  EXPECT_EQ(*NormalizePath("/"), "");
  EXPECT_EQ(NormalizePath("/../etc").error().message(), "'/../etc' escapes the image root");
  EXPECT_EQ(NormalizePath("app/x").error().message(), "'app/x' is not an absolute path");
  EXPECT_EQ(*NormalizePath("./usr/bin", false), "usr/bin");
}

TEST(TreeTest, CreatesImplicitParentsWithDefaults) {
  Tree t;
  ASSERT_TRUE(t.Add("app/bin/x", Node::File(Content::Inline("hi"), 2, 0755)));
  const Node* app = t.Find("app");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->type, NodeType::kDir);
  EXPECT_EQ(app->mode, 0755u);
  EXPECT_TRUE(app->implicit);
  EXPECT_EQ(t.size(), 4u);  // "", app, app/bin, app/bin/x
}

TEST(TreeTest, ImplicitParentNeverOverridesExplicitDirectory) {
  Tree t;
  ASSERT_TRUE(t.Add("home/nonroot", Node::Dir(0700, 65532, 65532)));
  ASSERT_TRUE(t.Add("home/nonroot/app", Node::File(Content::Inline(""), 0)));
  Node implicit = Node::Dir();
  implicit.implicit = true;
  ASSERT_TRUE(t.Add("home/nonroot", implicit));
  const Node* dir = t.Find("home/nonroot");
  EXPECT_EQ(dir->mode, 0700u);
  EXPECT_EQ(dir->uid, 65532u);
  EXPECT_FALSE(dir->implicit);
}

TEST(TreeTest, ExplicitDirectoryReplacesImplicitAttributesAndKeepsChildren) {
  Tree t;
  ASSERT_TRUE(t.Add("tmp/x", Node::File(Content::Inline(""), 0)));
  ASSERT_TRUE(t.Add("tmp", Node::Dir(01777)));
  EXPECT_EQ(t.Find("tmp")->mode, 01777u);
  EXPECT_NE(t.Find("tmp/x"), nullptr);
}

TEST(TreeTest, LaterEntryReplacesEarlier) {
  Tree t;
  ASSERT_TRUE(t.Add("etc/x", Node::Dir()));
  ASSERT_TRUE(t.Add("etc/x/y", Node::File(Content::Inline(""), 0)));
  ASSERT_TRUE(t.Add("etc/x", Node::Symlink("/elsewhere")));
  EXPECT_EQ(t.Find("etc/x")->type, NodeType::kSymlink);
  EXPECT_EQ(t.Find("etc/x/y"), nullptr);
}

TEST(TreeTest, FileAsParentIsAnError) {
  Tree t;
  ASSERT_TRUE(t.Add("app", Node::File(Content::Inline(""), 0)));
  auto r = t.Add("app/x", Node::File(Content::Inline(""), 0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'/app' is not a directory (needed for '/app/x')");
}

TEST(TreeTest, IterationPutsParentsFirst) {
  Tree t;
  ASSERT_TRUE(t.Add("a-c", Node::File(Content::Inline(""), 0)));
  ASSERT_TRUE(t.Add("a/b", Node::File(Content::Inline(""), 0)));
  std::vector<std::string> order;
  for (const auto& [p, n] : t.entries()) order.push_back(p);
  EXPECT_EQ(order, (std::vector<std::string>{"", "a", "a-c", "a/b"}));
}

}  // namespace fs
