#include "compose/layers.h"

#include <gtest/gtest.h>

namespace build {
namespace {

fs::Node Text(const std::string& s) { return fs::Node::File(fs::Content::Inline(s), s.size()); }
fs::Node Whiteout() { return fs::Node::File(fs::Content::Inline(""), 0, 0); }

fs::Tree Lower() {
  fs::Tree t;
  EXPECT_TRUE(t.Add("etc/motd", Text("hi")));
  EXPECT_TRUE(t.Add("etc/keep", Text("keep")));
  EXPECT_TRUE(t.Add("usr/share/doc/a/copyright", Text("c")));
  EXPECT_TRUE(t.Add("var/cache/x", Text("x")));
  EXPECT_TRUE(t.Add("var/cache/y/z", Text("z")));
  return t;
}

TEST(MergeTreeIntoTest, WhiteoutsRemoveWhatIsBelowAndAreNotKept) {
  fs::Tree view = Lower();
  fs::Tree layer;
  ASSERT_TRUE(layer.Add("etc/.wh.motd", Whiteout()));
  ASSERT_TRUE(layer.Add("usr/share/.wh.doc", Whiteout()));
  ASSERT_TRUE(layer.Add("etc/new", Text("new")));
  ASSERT_TRUE(MergeTreeInto(view, layer));
  EXPECT_FALSE(view.Find("etc/motd"));
  EXPECT_FALSE(view.Find("etc/.wh.motd"));
  EXPECT_FALSE(view.Find("usr/share/doc"));
  EXPECT_FALSE(view.Find("usr/share/doc/a/copyright"));
  EXPECT_FALSE(view.Find("usr/share/.wh.doc"));
  EXPECT_TRUE(view.Find("usr/share"));
  EXPECT_TRUE(view.Find("etc/keep"));
  EXPECT_TRUE(view.Find("etc/new"));
}

TEST(MergeTreeIntoTest, OpaqueWhiteoutEmptiesItsDirectoryBeforeTheLayersEntries) {
  fs::Tree view = Lower();
  fs::Tree layer;
  ASSERT_TRUE(layer.Add("var/cache/.wh..wh..opq", Whiteout()));
  ASSERT_TRUE(layer.Add("var/cache/fresh", Text("f")));
  ASSERT_TRUE(MergeTreeInto(view, layer));
  EXPECT_TRUE(view.Find("var/cache"));
  EXPECT_FALSE(view.Find("var/cache/x"));
  EXPECT_FALSE(view.Find("var/cache/y"));
  EXPECT_FALSE(view.Find("var/cache/y/z"));
  EXPECT_FALSE(view.Find("var/cache/.wh..wh..opq"));
  EXPECT_TRUE(view.Find("var/cache/fresh"));
  EXPECT_TRUE(view.Find("etc/motd"));
}

}  // namespace
}  // namespace build
