#include "compose/cacerts.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/file_util.h"

namespace build {
namespace {

fs::Node Text(std::string s) {
  uint64_t size = s.size();
  return fs::Node::File(fs::Content::Inline(std::move(s)), size);
}

TEST(CaCertsTest, ConcatenatesInSortedOrder) {
  fs::Tree tree;
  ASSERT_TRUE(tree.Add("usr/share/ca-certificates/mozilla/B.crt", Text("B\n")));
  ASSERT_TRUE(tree.Add("usr/share/ca-certificates/mozilla/A.crt", Text("A")));
  ASSERT_TRUE(tree.Add("usr/share/ca-certificates/extra/Z.crt", Text("Z\n")));
  ASSERT_TRUE(tree.Add("usr/share/ca-certificates/mozilla/link.crt", fs::Node::Symlink("A.crt")));
  ASSERT_TRUE(tree.Add("usr/share/doc/ca-certificates/copyright", Text("MPL\n")));
  ASSERT_TRUE(tree.Add("etc/ca-certificates.conf", Text("mozilla/A.crt\n")));
  auto bundle = CaBundle(tree);
  ASSERT_TRUE(bundle) << bundle.error().message();
  EXPECT_EQ(*bundle, "Z\nA\nB\n");

  fs::Tree image;
  ASSERT_TRUE(AddCaBundle(image, *bundle));
  const fs::Node* n = image.Find(kCaBundlePath);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->mode, 0644u);
  EXPECT_EQ(n->size, 6u);
  EXPECT_EQ(*n->content.bytes, "Z\nA\nB\n");
  EXPECT_FALSE(image.Find("etc/ssl/certs")->implicit);
  EXPECT_EQ(image.Find("etc/ssl/certs")->mode, 0755u);
}

TEST(CaCertsTest, ReadsDiskContent) {
  char tmpl[] = "/tmp/distill-cacerts-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/blob";
  ASSERT_TRUE(base::WriteFileAtomic(path, "xxPEMyy"));
  fs::Tree tree;
  fs::Node n = fs::Node::File(fs::Content::Disk(path, 2), 3);
  ASSERT_TRUE(tree.Add("usr/share/ca-certificates/a.crt", n));
  auto bundle = CaBundle(tree);
  ASSERT_TRUE(bundle) << bundle.error().message();
  EXPECT_EQ(*bundle, "PEM\n");
  unlink(path.c_str());
  rmdir(tmpl);
  bundle = CaBundle(tree);
  ASSERT_FALSE(bundle);
  EXPECT_EQ(bundle.error().message(), "reading '/usr/share/ca-certificates/a.crt': '" + path +
                                          "': no such file or directory");
}

TEST(CaCertsTest, NoCertificates) {
  fs::Tree tree;
  auto bundle = CaBundle(tree);
  ASSERT_FALSE(bundle);
  EXPECT_EQ(bundle.error().message(), "'/usr/share/ca-certificates' holds no certificates");
}

}  // namespace
}  // namespace build
