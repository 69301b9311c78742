#include "analyze/image_view.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/file_util.h"

namespace analyze {
namespace {

fs::Node File(std::string bytes, uint32_t mode = 0644) {
  uint64_t size = bytes.size();
  return fs::Node::File(fs::Content::Inline(std::move(bytes)), size, mode);
}

// Resolves `path` and returns the real path, or the error text.
std::string Real(const ImageView& view, std::string_view path, bool follow_last = true) {
  base::Result<ImageView::Resolved> r = view.Resolve(path, follow_last);
  return r ? r->path : r.error().message();
}

std::string Read(const ImageView& view, std::string_view path, uint64_t max = 1 << 20) {
  base::Result<ImageView::Resolved> r = view.Resolve(path);
  if (!r) return r.error().message();
  base::Result<std::string> bytes = view.ReadFile(*r, max);
  return bytes ? *bytes : bytes.error().message();
}

TEST(ImageViewTest, LaterLayersOverrideAndHide) {
  fs::Tree lower, upper;
  ASSERT_TRUE(lower.Add("etc/os-release", File("debian")));
  ASSERT_TRUE(lower.Add("opt/tool/bin/x", File("old")));
  ASSERT_TRUE(lower.Add("usr/bin/a", File("a")));
  ASSERT_TRUE(upper.Add("etc/os-release", File("distill")));
  ASSERT_TRUE(upper.Add("opt/tool", fs::Node::Symlink("/usr")));  // replaces the directory
  ASSERT_TRUE(upper.Add("usr/bin/b", File("b")));                 // directories merge
  ImageView view({&lower, &upper});
  EXPECT_EQ(Read(view, "/etc/os-release"), "distill");
  EXPECT_EQ(view.Lookup("etc/os-release").layer, 1u);
  EXPECT_EQ(view.Lookup("opt/tool/bin/x").node, nullptr);
  EXPECT_EQ(Real(view, "/opt/tool/bin/a"), "/usr/bin/a");
  EXPECT_EQ(Read(view, "/usr/bin/a"), "a");
  EXPECT_EQ(Read(view, "/usr/bin/b"), "b");
}

TEST(ImageViewTest, FollowsSymlinksInsideTheRoot) {
  fs::Tree t;
  ASSERT_TRUE(t.Add("usr/lib/x86_64-linux-gnu/libz.so.1.2.13", File("z", 0644)));
  ASSERT_TRUE(t.Add("usr/lib/x86_64-linux-gnu/libz.so.1", fs::Node::Symlink("libz.so.1.2.13")));
  ASSERT_TRUE(t.Add("lib", fs::Node::Symlink("usr/lib")));
  ASSERT_TRUE(t.Add("lib64", fs::Node::Symlink("/../../usr/lib")));
  ASSERT_TRUE(t.Add("usr/bin/up", fs::Node::Symlink("../../../../lib")));
  ASSERT_TRUE(t.Add("usr/lib/dotdot", fs::Node::Symlink("x86_64-linux-gnu/../x86_64-linux-gnu")));
  ImageView view({&t});
  const std::string real = "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13";
  EXPECT_EQ(Real(view, "/lib/x86_64-linux-gnu/libz.so.1"), real);
  EXPECT_EQ(Real(view, "/lib64/x86_64-linux-gnu/libz.so.1"), real);
  EXPECT_EQ(Real(view, "/usr/bin/up/x86_64-linux-gnu/libz.so.1"), real);
  EXPECT_EQ(Real(view, "/usr/lib/dotdot/libz.so.1"), real);
  EXPECT_EQ(Real(view, "/../../lib//./x86_64-linux-gnu/libz.so.1"), real);
  EXPECT_EQ(Real(view, "/"), "/");
  // '..' applies to the directory reached, not lexically: lib/.. is usr.
  EXPECT_EQ(Real(view, "/lib/../lib/x86_64-linux-gnu"), "/usr/lib/x86_64-linux-gnu");
  EXPECT_EQ(Real(view, "/lib/x86_64-linux-gnu/libz.so.1", false),
            "/usr/lib/x86_64-linux-gnu/libz.so.1");
  EXPECT_EQ(Read(view, "/lib/x86_64-linux-gnu/libz.so.1"), "z");
}

TEST(ImageViewTest, ReportsMissingLoopsAndNonDirectories) {
  fs::Tree t;
  ASSERT_TRUE(t.Add("a", fs::Node::Symlink("b")));
  ASSERT_TRUE(t.Add("b", fs::Node::Symlink("/a")));
  ASSERT_TRUE(t.Add("etc/passwd", File("root:x:0:0::/root:/sbin/nologin\n")));
  ASSERT_TRUE(t.Add("dangling", fs::Node::Symlink("/nowhere")));
  ImageView view({&t});
  EXPECT_EQ(Real(view, "/a"), "'/a': too many levels of symbolic links");
  EXPECT_EQ(Real(view, "/a", false), "/a");
  EXPECT_EQ(Real(view, "/etc/passwd/x"), "'/etc/passwd/x': not a directory");
  EXPECT_EQ(Real(view, "/etc/shadow"), "'/etc/shadow': no such file or directory");
  EXPECT_EQ(Real(view, "/dangling"), "'/dangling': no such file or directory");
  EXPECT_EQ(Real(view, "etc/passwd"), "'etc/passwd' is not an absolute path");
  EXPECT_EQ(Read(view, "/etc"), "'/etc' is not a regular file");
  EXPECT_EQ(Read(view, "/etc/passwd", 4), "'/etc/passwd' is larger than 4 bytes");
}

TEST(ImageViewTest, ReadsHardLinksAndPrefixes) {
  fs::Tree t;
  ASSERT_TRUE(t.Add("usr/bin/perl5.36", File("#!perl\nbody")));
  fs::Node link;
  link.type = fs::NodeType::kHardlink;
  link.link = "usr/bin/perl5.36";
  ASSERT_TRUE(t.Add("usr/bin/perl", link));
  ImageView view({&t});
  EXPECT_EQ(Read(view, "/usr/bin/perl"), "#!perl\nbody");
  base::Result<ImageView::Resolved> r = view.Resolve("/usr/bin/perl5.36");
  ASSERT_TRUE(r);
  EXPECT_EQ(*view.ReadPrefix(*r, 6), "#!perl");
  EXPECT_EQ(*view.ReadPrefix(*r, 100), "#!perl\nbody");
}

TEST(ImageViewTest, ReadsDiskContentRanges) {
  char dir[] = "/tmp/image_view_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string blob = std::string(dir) + "/blob";
  ASSERT_TRUE(base::WriteFileAtomic(blob, "headerHELLOtrailer"));
  fs::Tree t;
  ASSERT_TRUE(t.Add("app/greeting", fs::Node::File(fs::Content::Disk(blob, 6), 5)));
  ASSERT_TRUE(t.Add("app/broken", fs::Node::File(fs::Content::Disk(blob, 16), 5)));
  ImageView view({&t});
  EXPECT_EQ(Read(view, "/app/greeting"), "HELLO");
  EXPECT_EQ(Read(view, "/app/broken"), "'" + blob + "' is shorter than 21 bytes");
  unlink(blob.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace analyze
