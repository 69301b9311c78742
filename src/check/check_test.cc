#include "check/check.h"

#include <gtest/gtest.h>

#include "analyze/test_elf.h"

namespace build {
namespace {

using analyze::testing::BuildElf;
using analyze::testing::TestElf;

// A spec whose config sets the entrypoint at line 3, column 15.
Spec AppSpec() {
  base::Result<Spec> s = ParseSpec(
      "base: scratch\n"
      "config:\n"
      "  entrypoint: [/app/server]\n",
      "app.yaml");
  EXPECT_TRUE(s) << s.error().message();
  return *s;
}

Chain AppChain() {
  Chain c;
  c.specs.push_back(AppSpec());
  return c;
}

void AddFile(fs::Tree& t, const std::string& path, std::string bytes, uint32_t mode = 0755) {
  uint64_t size = bytes.size();
  ASSERT_TRUE(t.Add(path, fs::Node::File(fs::Content::Inline(std::move(bytes)), size, mode)));
}

// /app/server needs libpq.so.5 and libcurl.so.4; the image has glibc only.
Composed ServerImage() {
  Composed c;
  TestElf ld;
  ld.soname = "ld-linux-x86-64.so.2";
  AddFile(c.view, "lib64/ld-linux-x86-64.so.2", BuildElf(ld));
  TestElf libc;
  libc.soname = "libc.so.6";
  AddFile(c.view, "lib/x86_64-linux-gnu/libc.so.6", BuildElf(libc));
  TestElf server;
  server.interpreter = "/lib64/ld-linux-x86-64.so.2";
  server.needed = {"libpq.so.5", "libcurl.so.4", "libc.so.6"};
  AddFile(c.view, "app/server", BuildElf(server));
  c.run.entrypoint = {"/app/server"};
  c.run.workdir = "/";
  return c;
}

TEST(CheckTest, CommandIsEntrypointElseCmd) {
  oci::RunConfig run;
  EXPECT_EQ(CommandToCheck(run), "");
  run.cmd = {"/bin/app", "x"};
  EXPECT_EQ(CommandToCheck(run), "/bin/app");
  run.entrypoint = {"/entry"};
  EXPECT_EQ(CommandToCheck(run), "/entry");
  Chain chain = AppChain();
  EXPECT_TRUE(WantsCheck(chain, run));
  chain.specs.back().check = false;
  EXPECT_FALSE(WantsCheck(chain, run));
  EXPECT_FALSE(WantsCheck(AppChain(), oci::RunConfig{}));
}

TEST(CheckTest, FindsMissingLibrariesInLoaderOrder) {
  base::Result<analyze::RunCheck> check = CheckComposed(ServerImage(), "amd64");
  ASSERT_TRUE(check) << check.error().message();
  EXPECT_EQ(check->MissingLibraries(), (std::vector<std::string>{"libcurl.so.4", "libpq.so.5"}));
  ASSERT_EQ(check->problems.size(), 2u);
  EXPECT_EQ(check->problems[0].missing, "libpq.so.5");
  EXPECT_EQ(check->problems[1].missing, "libcurl.so.4");
  ShippingQuery q = QueryFor(*check);
  EXPECT_EQ(q.libraries, check->MissingLibraries());
  EXPECT_TRUE(q.paths.empty());
}

TEST(CheckTest, ErrorNamesPackagesOneLinePerProblem) {
  base::Result<analyze::RunCheck> check = CheckComposed(ServerImage(), "amd64");
  ASSERT_TRUE(check);
  Shipping shipping;
  shipping.suite = "bookworm";
  shipping.libraries = {{"libpq.so.5", {"libpq5"}}, {"libcurl.so.4", {"libcurl4"}}};
  base::Error e = CheckError(AppChain(), *check, &shipping);
  EXPECT_EQ(e.message(),
            "app.yaml:3:15: '/app/server' needs 'libpq.so.5' (package libpq5): add it to packages");
  EXPECT_EQ(e.detail(),
            "  entrypoint: [/app/server]\n"
            "              ^\n"
            "distill: error: '/app/server' needs 'libcurl.so.4' (package libcurl4): add it to "
            "packages\n"
            "distill: error: 2 problems stop '/app/server' from running ('packages: auto' adds "
            "the packages named above)");
  EXPECT_EQ(PackagesToAdd(*check, shipping), (std::vector<std::string>{"libpq5", "libcurl4"}));
}

TEST(CheckTest, ErrorForUnshippedAndUnlookedUpLibraries) {
  base::Result<analyze::RunCheck> check = CheckComposed(ServerImage(), "amd64");
  ASSERT_TRUE(check);
  check->problems.pop_back();
  Shipping none;
  none.suite = "bookworm";
  none.libraries = {{"libpq.so.5", {}}};
  EXPECT_EQ(CheckError(AppChain(), *check, &none).message(),
            "app.yaml:3:15: '/app/server' needs 'libpq.so.5', which no Debian package in "
            "bookworm ships");
  EXPECT_TRUE(PackagesToAdd(*check, none).empty());
  EXPECT_EQ(CheckError(AppChain(), *check, nullptr).message(),
            "app.yaml:3:15: '/app/server' needs 'libpq.so.5', which is not in the image");
  Shipping two;
  two.libraries = {{"libpq.so.5", {"libpq5", "libpq5-alt"}}};
  EXPECT_EQ(CheckError(AppChain(), *check, &two).message(),
            "app.yaml:3:15: '/app/server' needs 'libpq.so.5' (packages libpq5, libpq5-alt): add "
            "one of them to packages");
  EXPECT_EQ(PackagesToAdd(*check, two), std::vector<std::string>{"libpq5"});
}

TEST(CheckTest, ScriptInterpreterNamesItsPackage) {
  Composed c;
  AddFile(c.view, "app/run.sh", "#!/bin/sh\necho hi\n");
  c.run.entrypoint = {"/app/run.sh"};
  base::Result<analyze::RunCheck> check = CheckComposed(c, "amd64");
  ASSERT_TRUE(check);
  ShippingQuery q = QueryFor(*check);
  EXPECT_EQ(q.paths, std::vector<std::string>{"/bin/sh"});
  Shipping shipping;
  shipping.paths = {{"/bin/sh", {"dash"}}};
  EXPECT_EQ(CheckError(AppChain(), *check, &shipping).message(),
            "app.yaml:3:15: '/app/run.sh' needs interpreter '/bin/sh', which is not in the image "
            "(package dash ships it)");
  EXPECT_EQ(CheckError(AppChain(), *check, nullptr).message(),
            "app.yaml:3:15: '/app/run.sh' needs interpreter '/bin/sh', which is not in the image");
}

TEST(CheckTest, ErrorAtCmdWhenThereIsNoEntrypoint) {
  base::Result<Spec> s = ParseSpec("config:\n  cmd: [/app/x]\n", "c.yaml");
  ASSERT_TRUE(s);
  Chain chain;
  chain.specs.push_back(*s);
  Composed c;
  c.run.cmd = {"/app/x"};
  base::Result<analyze::RunCheck> check = CheckComposed(c, "amd64");
  ASSERT_TRUE(check);
  EXPECT_EQ(CheckError(chain, *check, nullptr).message(),
            "c.yaml:2:8: entrypoint '/app/x' does not exist in the image");
}

TEST(CheckTest, WithPackagesAppendsOnce) {
  Chain chain = AppChain();
  chain.specs.back().packages = {"libc6"};
  Chain more = WithPackages(chain, {"libpq5", "libc6"});
  EXPECT_EQ(more.specs.back().packages, (std::vector<std::string>{"libc6", "libpq5"}));
  EXPECT_TRUE(more.has_packages);
}

TEST(CheckTest, AutoIsOffWithoutAuto) {
  base::NullReporter reporter;
  BuildContext ctx(BuildOptions{}, reporter);
  Resolver resolver(ctx);
  base::Result<std::vector<std::string>> added =
      AutoPackages(resolver, AppChain(), nullptr, oci::Platform{"linux", "amd64", ""});
  ASSERT_TRUE(added);
  EXPECT_TRUE(added->empty());
}

TEST(SpecAutoTest, AutoIsAFlagNotAPackage) {
  base::Result<Spec> a = ParseSpec("packages: auto\n", "a.yaml");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_TRUE(a->auto_packages);
  EXPECT_TRUE(a->packages.empty());
  base::Result<Spec> b = ParseSpec("packages: [auto, libfoo1]\ncheck: false\n", "b.yaml");
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_TRUE(b->auto_packages);
  EXPECT_EQ(b->packages, std::vector<std::string>{"libfoo1"});
  EXPECT_FALSE(b->check);
  base::Result<Spec> c = ParseSpec("packages: [libfoo1]\n", "c.yaml");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->auto_packages);
  EXPECT_TRUE(c->check);
  EXPECT_EQ(ParseSpec("check: maybe\n", "d.yaml").error().message(),
            "d.yaml:1:8: 'check' must be true or false");
}

}  // namespace
}  // namespace build
