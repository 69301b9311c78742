#include "debian/maintscripts.h"

#include <gtest/gtest.h>

namespace debian {
namespace {

const char kDebhelperOnly[] = "#!/bin/sh\nset -e\n\n# Automatically added\n#DEBHELPER#\nexit 0\n";

TEST(MaintScriptsTest, EmulatedPackages) {
  EXPECT_EQ(ReviewMaintainerScripts("ca-certificates", {{"config", "x"},
                                                        {"postinst", "update-ca-certificates"},
                                                        {"postrm", "rm -f x"},
                                                        {"triggers", "interest x"}}),
            (ScriptReview{{Emulation::kCaBundle}, {}}));
  EXPECT_EQ(ReviewMaintainerScripts("ca-certificates-java", {{"postinst", "keytool"}}),
            (ScriptReview{{Emulation::kJavaTrustStore}, {}}));
  EXPECT_EQ(ReviewMaintainerScripts("openjdk-17-jre-headless",
                                    {{"postinst", "update-alternatives"}, {"prerm", "x"}}),
            (ScriptReview{{Emulation::kAlternatives}, {}}));
  EXPECT_EQ(ReviewMaintainerScripts("openjdk-21-jdk-headless", {{"postinst", "x"}}),
            (ScriptReview{{Emulation::kAlternatives}, {}}));
}

TEST(MaintScriptsTest, KnownHarmless) {
  for (const char* p :
       {"libc6", "libc-bin", "base-files", "tzdata", "python3.11-minimal", "libpython3.11-stdlib"})
    EXPECT_EQ(ReviewMaintainerScripts(p, {{"preinst", "x"}, {"postinst", "y"}}), ScriptReview{})
        << p;
  EXPECT_EQ(ReviewMaintainerScripts("libfoo1", {{"postinst", kDebhelperOnly},
                                                {"triggers", "activate-noawait ldconfig\n"}}),
            ScriptReview{});
}

// Harmless for one script only: another script of the same package is
// still reported.
TEST(MaintScriptsTest, KnownHarmlessScripts) {
  EXPECT_EQ(ReviewMaintainerScripts("netbase", {{"postinst", "create_hosts_file"}}),
            ScriptReview{});
  EXPECT_EQ(ReviewMaintainerScripts("node-undici", {{"preinst", "x"}, {"postinst", "y"}}),
            ScriptReview{});
  EXPECT_EQ(ReviewMaintainerScripts("libgssapi-krb5-2", {{"postinst", "cp"}}), ScriptReview{});
  EXPECT_EQ(ReviewMaintainerScripts("libreadline8t64", {{"preinst", "dpkg-divert"}}),
            ScriptReview{});
  EXPECT_EQ(
      ReviewMaintainerScripts("netbase", {{"preinst", "#!/bin/sh\nmv /etc/x /etc/y\n"},
                                          {"postinst", "create_hosts_file"}}),
      (ScriptReview{
          {}, {"'netbase': preinst is not emulated; its effects are missing from the image"}}));
}

TEST(MaintScriptsTest, WarnsAboutTheRest) {
  EXPECT_EQ(
      ReviewMaintainerScripts("foo", {{"postinst", "#!/bin/sh\nadduser foo\n"},
                                      {"preinst", "#!/bin/sh\ndpkg-divert x\n"},
                                      {"postrm", "x"}}),
      (ScriptReview{{},
                    {"'foo': postinst is not emulated; its effects are missing from the image",
                     "'foo': preinst is not emulated; its effects are missing from the image"}}));
  for (const char* p : {"openjdk-17-jre", "openjdk--jre-headless", "openjdk-17-doc-headless"})
    EXPECT_EQ(ReviewMaintainerScripts(p, {{"postinst", "x"}}).warnings.size(), 1u) << p;
}

std::string Links(const fs::Tree& tree) {
  std::string out;
  for (const auto& [path, node] : tree.entries())
    if (node.type == fs::NodeType::kSymlink) out += path + " -> " + node.link + "\n";
  return out;
}

TEST(MaintScriptsTest, JavaAlternatives) {
  fs::Tree tree;
  std::string jvm = "usr/lib/jvm/java-17-openjdk-arm64/";
  for (const char* f : {"bin/java", "bin/keytool", "lib/jexec", "lib/libjava.so"})
    ASSERT_TRUE(tree.Add(jvm + f, fs::Node::File(fs::Content::Inline(""), 0, 0755)));
  ASSERT_TRUE(tree.Add("usr/lib/jvm/java-1.17.0-openjdk-arm64",
                       fs::Node::Symlink("java-17-openjdk-arm64")));
  auto added = AddAlternatives("openjdk-17-jre-headless", tree);
  ASSERT_TRUE(added) << added.error().message();
  EXPECT_EQ(*added, (std::vector<std::string>{"usr/bin/java", "usr/bin/keytool", "usr/bin/jexec"}));
  EXPECT_EQ(Links(tree),
            "usr/bin/java -> ../lib/jvm/java-17-openjdk-arm64/bin/java\n"
            "usr/bin/jexec -> ../lib/jvm/java-17-openjdk-arm64/lib/jexec\n"
            "usr/bin/keytool -> ../lib/jvm/java-17-openjdk-arm64/bin/keytool\n"
            "usr/lib/jvm/java-1.17.0-openjdk-arm64 -> java-17-openjdk-arm64\n");
  fs::Tree other;
  ASSERT_TRUE(other.Add(jvm + "bin/java", fs::Node::File(fs::Content::Inline(""), 0)));
  auto none = AddAlternatives("libc6", other);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace debian
