#include "compose/rootfs.h"

#include <gtest/gtest.h>

namespace build {
namespace {

std::string Text(const fs::Tree& tree, const std::string& path) {
  const fs::Node* n = tree.Find(path);
  return n ? *n->content.bytes : "<absent>";
}

std::string Meta(const fs::Tree& tree, const std::string& path) {
  const fs::Node* n = tree.Find(path);
  if (n == nullptr) return "<absent>";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", n->mode);
  return std::string(n->type == fs::NodeType::kDir ? "dir " : "file ") + mode + " " +
         std::to_string(n->uid) + ":" + std::to_string(n->gid);
}

TEST(RootfsTest, DistrolessFilesExactly) {
  fs::Tree tree;
  ASSERT_TRUE(AddBaseFiles(tree, {}));
  EXPECT_EQ(Text(tree, "etc/passwd"),
            "root:x:0:0:root:/root:/sbin/nologin\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
            "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n");
  EXPECT_EQ(Text(tree, "etc/group"),
            "root:x:0:\n"
            "nobody:x:65534:\n"
            "tty:x:5:\n"
            "staff:x:50:\n"
            "nonroot:x:65532:\n");
  EXPECT_EQ(Text(tree, "usr/lib/os-release"),
            "PRETTY_NAME=\"Distroless\"\n"
            "NAME=\"Debian GNU/Linux\"\n"
            "ID=\"debian\"\n"
            "VERSION_ID=\"12\"\n"
            "VERSION=\"Debian GNU/Linux 12 (bookworm)\"\n"
            "HOME_URL=\"https://www.debian.org/\"\n"
            "SUPPORT_URL=\"https://www.debian.org/support\"\n"
            "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n");
  EXPECT_NE(Text(tree, "etc/nsswitch.conf").find("\nhosts:          files dns\n"),
            std::string::npos);
  EXPECT_EQ(Meta(tree, "etc/passwd"), "file 0644 0:0");
  EXPECT_EQ(Meta(tree, "etc/group"), "file 0644 0:0");
  EXPECT_EQ(Meta(tree, "etc/nsswitch.conf"), "file 0644 0:0");
  EXPECT_EQ(Meta(tree, "usr/lib/os-release"), "file 0555 0:0");
  EXPECT_EQ(Meta(tree, "root"), "dir 0700 0:0");
  EXPECT_EQ(Meta(tree, "home"), "dir 0755 0:0");
  EXPECT_EQ(Meta(tree, "home/nonroot"), "dir 0700 65532:65532");
  EXPECT_EQ(Meta(tree, "tmp"), "dir 1777 0:0");
  EXPECT_EQ(Meta(tree, "etc/shadow"), "<absent>");
}

TEST(RootfsTest, Trixie) {
  auto text = OsReleaseText("trixie");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("VERSION_ID=\"13\"\nVERSION=\"Debian GNU/Linux 13 (trixie)\"\n"),
            std::string::npos);
  fs::Tree tree;
  auto r = AddBaseFiles(tree, {.suite = "sid"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "unknown debian suite 'sid'");
}

TEST(RootfsTest, ExtraAccountsInSpecOrder) {
  fs::Tree tree;
  BaseFilesOptions o;
  o.users = {{"app", 1000, 1000, "/home/app", "/sbin/nologin"}, {"svc", 999, 1000}};
  o.groups = {{"app", 1000}, {"svc", 999}};
  ASSERT_TRUE(AddBaseFiles(tree, o));
  EXPECT_EQ(Text(tree, "etc/passwd"),
            "root:x:0:0:root:/root:/sbin/nologin\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
            "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
            "app:x:1000:1000:app:/home/app:/sbin/nologin\n"
            "svc:x:999:1000:svc:/nonexistent:/sbin/nologin\n");
  EXPECT_EQ(Text(tree, "etc/group"),
            "root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n"
            "app:x:1000:\nsvc:x:999:\n");
  EXPECT_EQ(Meta(tree, "home/app"), "dir 0700 1000:1000");
  EXPECT_EQ(Meta(tree, "nonexistent"), "<absent>");

  auto user = LookupUser(tree, "svc");
  ASSERT_TRUE(user) << user.error().message();
  EXPECT_EQ(*user, (User{"svc", 999, 1000, "/nonexistent", "/sbin/nologin"}));
  auto nonroot = LookupUser(tree, "nonroot");
  ASSERT_TRUE(nonroot);
  EXPECT_EQ(nonroot->uid, 65532u);
  auto group = LookupGroup(tree, "staff");
  ASSERT_TRUE(group);
  EXPECT_EQ(*group, (Group{"staff", 50}));
  EXPECT_EQ(LookupUser(tree, "nope").error().message(), "no user 'nope' in /etc/passwd");
  EXPECT_EQ(LookupGroup(tree, "nope").error().message(), "no group 'nope' in /etc/group");
}

TEST(RootfsTest, BadAccounts) {
  fs::Tree tree;
  BaseFilesOptions o;
  o.users = {{"a:b", 1, 1}};
  EXPECT_EQ(AddBaseFiles(tree, o).error().message(), "invalid account name 'a:b'");
  o.users = {{"root", 1, 1}};
  EXPECT_EQ(AddBaseFiles(tree, o).error().message(), "account 'root' is defined twice");
  o.users = {};
  o.groups = {{"tty", 7}};
  EXPECT_EQ(AddBaseFiles(tree, o).error().message(), "group 'tty' is defined twice");
}

TEST(RootfsTest, LookupErrors) {
  fs::Tree tree;
  EXPECT_EQ(LookupUser(tree, "root").error().message(), "/etc/passwd is missing");
  ASSERT_TRUE(tree.Add("etc/passwd", fs::Node::File(fs::Content::Inline("x:y\nroot:x:0\n"), 12)));
  EXPECT_EQ(LookupUser(tree, "root").error().message(), "/etc/passwd:2: malformed line");
  ASSERT_TRUE(tree.Add("etc/passwd",
                       fs::Node::File(fs::Content::Inline("root:x:z:0:root:/root:/bin/sh\n"), 30)));
  EXPECT_EQ(LookupUser(tree, "root").error().message(),
            "/etc/passwd: user 'root': malformed id 'z'");
}

}  // namespace
}  // namespace build
