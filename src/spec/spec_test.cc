#include "spec/spec.h"

#include <gtest/gtest.h>

namespace build {

TEST(SpecTest, ParsesContractKeys) {
  auto s = ParseSpec(R"(base: scratch
platforms: [linux/amd64, linux/arm64]
files:
  - {src: app.jar, dst: /app/app.jar, mode: "0644", owner: "65532:65532", layer: app}
config:
  user: nonroot
  workdir: /app
  entrypoint: ["/usr/bin/java", "-jar"]
  cmd: [app.jar]
  env: {LANG: C.UTF-8, B: x}
  ports: ["8080", "53/udp"]
  labels: {a: b}
accounts:
  users: [{name: app, uid: 1000}]
  groups: [{name: app, gid: 1000}]
links: [{path: /usr/bin/java, target: "../lib/jvm/java-17-openjdk-${DEB_ARCH}/bin/java"}]
skeleton: true
slim: false
)",
                     "s.yaml");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->platforms, (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_EQ(s->files[0].mode, 0644u);
  EXPECT_EQ(s->files[0].layer, "app");
  EXPECT_EQ(*s->config.user, "nonroot");
  EXPECT_EQ(s->config.env,
            (std::vector<std::pair<std::string, std::string>>{{"LANG", "C.UTF-8"}, {"B", "x"}}));
  EXPECT_EQ(s->config.ports, (std::vector<std::string>{"8080/tcp", "53/udp"}));
  ASSERT_EQ(s->users.size(), 1u);
  EXPECT_EQ(s->users[0].gid, 1000u);
  EXPECT_EQ(s->users[0].home, "/home/app");
  EXPECT_EQ(s->links[0].path, "/usr/bin/java");
  EXPECT_TRUE(s->skeleton);
  EXPECT_FALSE(s->slim);
}

TEST(SpecTest, UnknownKeySuggests) {
  auto s = ParseSpec("bsae: scratch\n", "s.yaml");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "s.yaml:1:1: unknown key 'bsae' (did you mean 'base'?)");
  EXPECT_EQ(s.error().detail(), "bsae: scratch\n^");
}

TEST(SpecTest, BadModeAndDst) {
  auto s = ParseSpec("files: [{src: a, dst: /a, mode: \"999\"}]\n", "s.yaml");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            "s.yaml:1:33: invalid mode '999' (expected octal such as \"0644\")");
  s = ParseSpec("files: [{src: a, dst: /../a}]\n", "s.yaml");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "s.yaml:1:23: '/../a' escapes the image root");
}

// One error from each group of top-level keys (Parser::Top): the message
// and position that key's parser gives.
TEST(SpecTest, TopLevelKeyErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"base: [a]\n", "s.yaml:1:7: 'base' must be a string"},
      {"platforms: {a: b}\n", "s.yaml:1:12: 'platforms' must be a list"},
      {"ignore_depends: [[a]]\n", "s.yaml:1:18: 'ignore_depends' items must be strings"},
      {"cacerts: maybe\n", "s.yaml:1:10: 'cacerts' must be true or false"},
      {"locale: de_DE\n", "s.yaml:1:9: unsupported locale 'de_DE' (only 'C.utf8')"},
      {"check: 2\n", "s.yaml:1:8: 'check' must be true or false"},
      {"compression: xz\n", "s.yaml:1:14: unknown compression 'xz' (expected gzip or zstd)"},
      {"stages: {b: {network: on-demand}}\n", "s.yaml:1:23: 'network' must be true or false"},
      {"debian: {components: {a: b}}\n", "s.yaml:1:22: 'components' must be a list"},
  };
  for (const auto& [text, want] : cases) {
    auto s = ParseSpec(text, "s.yaml");
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().message(), want);
  }
  auto s = ParseSpec("packages: [auto, curl]\nminimize: true\ncompression: zstd\n", "s.yaml");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_TRUE(s->auto_packages);
  EXPECT_EQ(s->packages, std::vector<std::string>{"curl"});
  EXPECT_TRUE(s->minimize);
  EXPECT_EQ(s->minimize_mark.line, 2);
  EXPECT_EQ(s->compression, "zstd");
}

TEST(SpecTest, ExcludeKeepsEachPatternsPosition) {
  auto s =
      ParseSpec("exclude:\n  - /usr/share/locale/**\n  - \"!/usr/share/locale/C\"\n", "s.yaml");
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_EQ(s->exclude.size(), 2u);
  EXPECT_EQ(s->exclude[0].pattern, "/usr/share/locale/**");
  EXPECT_EQ(s->exclude[0].mark.line, 2);
  EXPECT_EQ(s->exclude[0].mark.col, 5);
  EXPECT_EQ(s->exclude[1].pattern, "!/usr/share/locale/C");
  EXPECT_EQ(s->exclude[1].mark.line, 3);
  s = ParseSpec("exclude: /etc/rpc\n", "s.yaml");
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_EQ(s->exclude.size(), 1u);
  EXPECT_EQ(s->exclude[0].pattern, "/etc/rpc");
}

TEST(SpecTest, ExcludeErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"exclude: [usr/share/doc]\n",
       "s.yaml:1:11: 'exclude' patterns are absolute image paths, got 'usr/share/doc'"},
      {"exclude: [\"*.pyc\"]\n",
       "s.yaml:1:11: 'exclude' patterns are absolute image paths, got '*.pyc'"},
      {"exclude: [\"!x\"]\n", "s.yaml:1:11: 'exclude' patterns are absolute image paths, got '!x'"},
      {"exclude: [/a, //]\n", "s.yaml:1:15: exclude '//' names the image root"},
      {"exclude: [[/a]]\n", "s.yaml:1:11: 'exclude' items must be strings"},
      {"exclude: {a: b}\n", "s.yaml:1:10: 'exclude' must be a list"},
  };
  for (const auto& [text, want] : cases) {
    auto s = ParseSpec(text, "s.yaml");
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().message(), want);
  }
}

TEST(SpecTest, SyntaxErrorHasPosition) {
  auto s = ParseSpec("config:\n  cmd: [a\n", "s.yaml");
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().message().starts_with("s.yaml:3:1: yaml syntax error:"))
      << s.error().message();
}

}  // namespace build
