#include "compose/image_exclude.h"

#include <gtest/gtest.h>

#include <string>

namespace build {
namespace {

fs::Node File(uint64_t size) {
  return fs::Node::File(fs::Content::Inline(std::string(size, 'x')), size);
}

// The tree's paths, one per line, "/" for the root.
std::string Paths(const fs::Tree& tree) {
  std::string out;
  for (const auto& [path, node] : tree.entries()) out += "/" + path + "\n";
  return out;
}

Chain ChainOf(const std::vector<std::pair<std::string, std::string>>& specs) {
  Chain chain;
  for (const auto& [text, path] : specs) {
    base::Result<Spec> s = ParseSpec(text, path);
    EXPECT_TRUE(s) << s.error().message();
    if (s) chain.specs.push_back(*s);
  }
  return chain;
}

TEST(ImageExcludeTest, PrunesMatchesAndWhatIsBelowThem) {
  Chain chain =
      ChainOf({{"exclude:\n  - /usr/share/zoneinfo/**\n  - /etc/rpc\n"
                "  - \"!/usr/share/zoneinfo/UTC\"\n  - /opt/\n",
                "s.yaml"}});
  ImageExclude ex(chain);
  fs::Tree tree;
  for (const char* p : {"etc/rpc", "etc/rpc.d/x", "etc/services", "usr/share/zoneinfo/UTC",
                        "usr/share/zoneinfo/Europe/Paris", "opt/app/bin"})
    ASSERT_TRUE(tree.Add(p, File(1)));
  ex.Prune(tree);
  // zoneinfo/** keeps the directory itself; "!" keeps UTC; "/opt/" is a
  // directory and goes whole.
  EXPECT_EQ(Paths(tree),
            "/\n/etc\n/etc/rpc.d\n/etc/rpc.d/x\n/etc/services\n/usr\n/usr/share\n"
            "/usr/share/zoneinfo\n/usr/share/zoneinfo/UTC\n");
  EXPECT_TRUE(ex.CheckMatched());
}

TEST(ImageExcludeTest, PackageRecordsStay) {
  Chain chain = ChainOf({{"exclude: [/var/**]\n", "s.yaml"}});
  ImageExclude ex(chain);
  fs::Tree tree;
  for (const char* p : {"var/lib/dpkg/status.d/hello", "var/lib/dpkg/status.d/hello.md5sums",
                        "var/lib/dpkg/info/hello.list", "var/cache/hello/x"})
    ASSERT_TRUE(tree.Add(p, File(1)));
  ex.Prune(tree);
  EXPECT_EQ(Paths(tree),
            "/\n/var\n/var/lib\n/var/lib/dpkg\n/var/lib/dpkg/status.d\n"
            "/var/lib/dpkg/status.d/hello\n/var/lib/dpkg/status.d/hello.md5sums\n");
}

TEST(ImageExcludeTest, PatternThatDecidedNothingIsAnErrorAtItsLine) {
  Chain chain =
      ChainOf({{"exclude: [/etc/rpc]\n", "base.yaml"},
               {"base: base.yaml\nexclude:\n  - /etc/services\n  - /nowhere/**\n", "s.yaml"}});
  ImageExclude ex(chain);
  fs::Tree tree;
  ASSERT_TRUE(tree.Add("etc/rpc", File(1)));
  ASSERT_TRUE(tree.Add("etc/services", File(1)));
  ex.Prune(tree);
  EXPECT_EQ(Paths(tree), "/\n/etc\n");
  base::Result<void> r = ex.CheckMatched();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "s.yaml:4:5: exclude '/nowhere/**' matches nothing in the image");
  EXPECT_EQ(r.error().detail(), "  - /nowhere/**\n    ^");

  // The base spec's pattern is reported in the base spec.
  ImageExclude only_services(chain);
  fs::Tree services;
  ASSERT_TRUE(services.Add("etc/services", File(1)));
  ASSERT_TRUE(services.Add("nowhere/x", File(1)));
  only_services.Prune(services);
  r = only_services.CheckMatched();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "base.yaml:1:11: exclude '/etc/rpc' matches nothing in the image");
}

TEST(ImageExcludeTest, RegistryBaseFilesCannotBeExcluded) {
  Chain chain =
      ChainOf({{"base: docker://r.test/app:1\nexclude: [/usr/share/doc/**]\n", "s.yaml"}});
  ImageExclude ex(chain);
  fs::Tree view;
  ASSERT_TRUE(view.Add("usr/bin/app", File(1)));
  ASSERT_TRUE(view.Add("var/lib/dpkg/status.d/app", File(1)));
  EXPECT_TRUE(ex.CheckBase(view, "docker://r.test/app:1"));
  ASSERT_TRUE(view.Add("usr/share/doc/app/copyright", File(1)));
  base::Result<void> r = ex.CheckBase(view, "docker://r.test/app:1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:2:11: exclude '/usr/share/doc/**' matches '/usr/share/doc/app' of the "
            "registry base 'docker://r.test/app:1', whose layers distill does not rewrite");
}

TEST(ImageExcludeTest, KeyNamesThePatternsOnlyWhenThereAreSome) {
  EXPECT_EQ(ImageExclude(ChainOf({{"packages: [a]\n", "s.yaml"}})).Key(), "");
  EXPECT_EQ(ImageExclude(ChainOf({{"exclude: [/a, \"!/a/b\"]\n", "s.yaml"}})).Key(),
            "\nexclude=[\"/a\",\"!/a/b\"]");
  fs::Tree tree;
  ASSERT_TRUE(tree.Add("a/b", File(1)));
  ImageExclude none;
  none.Prune(tree);
  EXPECT_EQ(Paths(tree), "/\n/a\n/a/b\n");
  EXPECT_TRUE(none.CheckMatched());
}

}  // namespace
}  // namespace build
