#include "debian/slim.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace debian {
namespace {

fs::Node File(uint64_t size) {
  return fs::Node::File(fs::Content::Inline(std::string(size, 'x')), size);
}

fs::Node Hardlink(std::string target) {
  fs::Node n;
  n.type = fs::NodeType::kHardlink;
  n.link = std::move(target);
  return n;
}

// The tree's paths, one per line, "/" for the root.
std::string Paths(const fs::Tree& tree) {
  std::string out;
  for (const auto& [path, node] : tree.entries())
    out += "/" + path + (node.type == fs::NodeType::kHardlink ? " -> " + node.link : "") + "\n";
  return out;
}

TEST(SlimTest, Rules) {
  using fs::NodeType;
  EXPECT_TRUE(IsSlimmed("usr/share/doc/foo/changelog.Debian.gz", NodeType::kFile));
  EXPECT_TRUE(IsSlimmed("usr/share/doc/foo/README", NodeType::kFile));
  EXPECT_TRUE(IsSlimmed("usr/share/doc/foo/examples/copyright", NodeType::kFile));
  EXPECT_FALSE(IsSlimmed("usr/share/doc/foo/copyright", NodeType::kFile));
  EXPECT_FALSE(IsSlimmed("usr/share/doc/libfoo1", NodeType::kSymlink));
  EXPECT_TRUE(IsSlimmed("usr/share/doc/README", NodeType::kFile));
  EXPECT_TRUE(IsSlimmed("usr/share/man/man1/ls.1.gz", NodeType::kFile));
  EXPECT_TRUE(IsSlimmed("usr/share/man/man1", NodeType::kDir));
  EXPECT_TRUE(IsSlimmed("usr/share/info/dir", NodeType::kFile));
  EXPECT_TRUE(IsSlimmed("usr/share/lintian/overrides/foo", NodeType::kFile));
  EXPECT_TRUE(IsSlimmed("usr/share/locale/de/LC_MESSAGES/foo.mo", NodeType::kFile));
  EXPECT_TRUE(IsSlimmed("usr/share/doc-base/foo", NodeType::kFile));
  EXPECT_TRUE(IsSlimmed("usr/lib/locale/C.UTF-8/LC_CTYPE", NodeType::kFile));
  EXPECT_FALSE(IsSlimmed("usr/lib/locale/C.utf8/LC_CTYPE", NodeType::kFile));
  EXPECT_FALSE(IsSlimmed("usr/lib/locale/C.utf8", NodeType::kDir));
  EXPECT_FALSE(IsSlimmed("usr/share/man", NodeType::kDir));
  EXPECT_FALSE(IsSlimmed("usr/share/zoneinfo/UTC", NodeType::kFile));
  EXPECT_FALSE(IsSlimmed("usr/share/common-licenses/GPL-2", NodeType::kFile));
  EXPECT_FALSE(IsSlimmed("usr/share/mandoc", NodeType::kFile));
}

TEST(SlimTest, RemovesFilesAndTheDirectoriesItEmptied) {
  fs::Tree tree;
  ASSERT_TRUE(tree.Add("usr/bin/foo", File(1000)));
  ASSERT_TRUE(tree.Add("usr/share/doc/foo/copyright", File(10)));
  ASSERT_TRUE(tree.Add("usr/share/doc/foo/changelog.gz", File(300)));
  ASSERT_TRUE(tree.Add("usr/share/doc/foo/examples/a.c", File(20)));
  ASSERT_TRUE(tree.Add("usr/share/doc/libfoo1", fs::Node::Symlink("foo")));
  ASSERT_TRUE(tree.Add("usr/share/man/man1/foo.1.gz", File(40)));
  ASSERT_TRUE(tree.Add("usr/share/man/de/man1", fs::Node::Dir()));
  ASSERT_TRUE(tree.Add("usr/share/locale/de/LC_MESSAGES/foo.mo", File(5)));
  ASSERT_TRUE(tree.Add("usr/lib/locale/C.utf8/LC_CTYPE", File(7)));
  ASSERT_TRUE(tree.Add("usr/lib/locale/de_DE/LC_CTYPE", File(8)));
  ASSERT_TRUE(tree.Add("var/cache/foo", fs::Node::Dir()));  // empty, not ours to drop
  EXPECT_EQ(SlimTree(tree), (SlimReport{300 + 20 + 40 + 5 + 8, 14}));
  EXPECT_EQ(Paths(tree),
            "/\n/usr\n/usr/bin\n/usr/bin/foo\n/usr/lib\n/usr/lib/locale\n"
            "/usr/lib/locale/C.utf8\n/usr/lib/locale/C.utf8/LC_CTYPE\n/usr/share\n"
            "/usr/share/doc\n/usr/share/doc/foo\n/usr/share/doc/foo/copyright\n"
            "/usr/share/doc/libfoo1\n/var\n/var/cache\n/var/cache/foo\n");
}

TEST(SlimTest, EmptiesParentsUpToTheRoot) {
  fs::Tree tree;
  ASSERT_TRUE(tree.Add("usr/share/man/man1/foo.1.gz", File(40)));
  EXPECT_EQ(SlimTree(tree), (SlimReport{40, 5}));
  EXPECT_EQ(Paths(tree), "/\n");
}

TEST(SlimTest, KeptHardlinkTakesTheRemovedTargetsPlace) {
  fs::Tree tree;
  ASSERT_TRUE(tree.Add("usr/share/doc/foo/NEWS", File(9)));
  ASSERT_TRUE(tree.Add("usr/share/foo/a", Hardlink("usr/share/doc/foo/NEWS")));
  ASSERT_TRUE(tree.Add("usr/share/foo/b", Hardlink("usr/share/doc/foo/NEWS")));
  EXPECT_EQ(SlimTree(tree), (SlimReport{9, 3}));
  EXPECT_EQ(Paths(tree),
            "/\n/usr\n/usr/share\n/usr/share/foo\n/usr/share/foo/a\n"
            "/usr/share/foo/b -> usr/share/foo/a\n");
  EXPECT_EQ(tree.Find("usr/share/foo/a")->type, fs::NodeType::kFile);
  EXPECT_EQ(tree.Find("usr/share/foo/a")->size, 9u);
}

TEST(SlimTest, DropEntriesTakesNamedEntriesAndWhatIsBelowThem) {
  fs::Tree tree;
  ASSERT_TRUE(tree.Add("etc/rpc", File(3)));
  ASSERT_TRUE(tree.Add("etc/services", File(4)));
  ASSERT_TRUE(tree.Add("usr/share/zoneinfo/UTC", File(5)));
  ASSERT_TRUE(tree.Add("usr/share/zoneinfo/Europe/Paris", File(6)));
  ASSERT_TRUE(tree.Add("usr/share/zoneinfo-icu", fs::Node::Dir()));
  ASSERT_TRUE(tree.Add("usr/bin/tz", Hardlink("usr/share/zoneinfo/UTC")));
  std::vector<std::string> asked;
  DropRule drop = [&](std::string_view path, fs::NodeType) {
    asked.emplace_back(path);
    return path == "etc/rpc" || path == "usr/share/zoneinfo";
  };
  // rpc, zoneinfo and the three entries below it; no emptied parent goes.
  EXPECT_EQ(DropEntries(tree, drop), (SlimReport{3 + 5 + 6, 5}));
  EXPECT_EQ(Paths(tree),
            "/\n/etc\n/etc/services\n/usr\n/usr/bin\n/usr/bin/tz\n/usr/share\n"
            "/usr/share/zoneinfo-icu\n");
  EXPECT_EQ(tree.Find("usr/bin/tz")->type, fs::NodeType::kFile);
  EXPECT_EQ(tree.Find("usr/bin/tz")->size, 5u);
  // Nothing below a dropped directory is asked about.
  EXPECT_EQ(asked, (std::vector<std::string>{"etc", "etc/rpc", "etc/services", "usr", "usr/bin",
                                             "usr/bin/tz", "usr/share", "usr/share/zoneinfo",
                                             "usr/share/zoneinfo-icu"}));
}

}  // namespace
}  // namespace debian
