#include "analyze/closure.h"

#include <gtest/gtest.h>

#include "analyze/test_elf.h"

namespace analyze {
namespace {

using testing::BuildElf;
using testing::TestElf;

constexpr const char* kLd = "/lib64/ld-linux-x86-64.so.2";

// One layer being filled with files described by their loader-visible fields.
struct Layer {
  fs::Tree tree;
  void Add(const std::string& path, fs::Node node) {
    base::Result<void> r = tree.Add(path.substr(1), std::move(node));
    ASSERT_TRUE(r) << r.error().message();
  }
  void Text(const std::string& path, std::string bytes, uint32_t mode = 0755) {
    uint64_t size = bytes.size();
    Add(path, fs::Node::File(fs::Content::Inline(std::move(bytes)), size, mode));
  }
  void Elf(const std::string& path, const TestElf& e, uint32_t mode = 0755) {
    Text(path, BuildElf(e), mode);
  }
  void Link(const std::string& path, const std::string& target) {
    Add(path, fs::Node::Symlink(target));
  }
};

TestElf Lib(std::string soname, std::vector<std::string> needed = {"libc.so.6"}) {
  TestElf e;
  e.soname = std::move(soname);
  e.needed = std::move(needed);
  return e;
}

TestElf Program(std::vector<std::string> needed) {
  TestElf e;
  e.interpreter = kLd;
  e.needed = std::move(needed);
  return e;
}

// glibc as bookworm's libc6 ships it, in a merged-/usr layout: the files
// under /usr/lib, /lib a relative symlink to usr/lib, and /lib64's loader an
// absolute symlink through that alias.
Layer Glibc() {
  Layer l;
  TestElf ld;
  ld.soname = "ld-linux-x86-64.so.2";
  l.Elf("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", ld);
  l.Elf("/usr/lib/x86_64-linux-gnu/libc.so.6", Lib("libc.so.6", {"ld-linux-x86-64.so.2"}));
  l.Link("/lib", "usr/lib");
  l.Link("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  return l;
}

base::Result<RunCheck> Check(const std::vector<const Layer*>& layers, std::string argv0,
                             std::string workdir = "/") {
  std::vector<const fs::Tree*> trees;
  for (const Layer* l : layers) trees.push_back(&l->tree);
  ImageView view(trees);
  return CheckRunnable(view, {std::move(argv0)}, workdir, "amd64");
}

// The problem messages of a check, or its error.
std::vector<std::string> Messages(const base::Result<RunCheck>& r) {
  if (!r) return {"error: " + r.error().message()};
  std::vector<std::string> out;
  for (const RunProblem& p : r->problems) out.push_back(p.message);
  return out;
}

using Strings = std::vector<std::string>;

TEST(CheckRunnableTest, DynamicProgramWithSymlinkedLibrariesPasses) {
  Layer glibc = Glibc(), app;
  app.Elf("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", Lib("libz.so.1"));
  app.Link("/usr/lib/x86_64-linux-gnu/libz.so.1", "libz.so.1.2.13");
  app.Elf("/app/server", Program({"libz.so.1", "libc.so.6"}));
  base::Result<RunCheck> r = Check({&glibc, &app}, "/app/server");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->ok());
  const std::string dir = "/usr/lib/x86_64-linux-gnu/";
  EXPECT_EQ(r->objects, (std::vector<LoadedObject>{
                            {"/app/server", "/app/server"},
                            {kLd, dir + "ld-linux-x86-64.so.2"},
                            // Found through the /lib alias first, as ld.so would.
                            {"/lib/x86_64-linux-gnu/libz.so.1", dir + "libz.so.1.2.13"},
                            {"/lib/x86_64-linux-gnu/libc.so.6", dir + "libc.so.6"},
                        }));
}

TEST(CheckRunnableTest, MissingLibraryNamesItAndItsRequester) {
  Layer glibc = Glibc(), app;
  app.Elf("/usr/lib/x86_64-linux-gnu/libcurl.so.4", Lib("libcurl.so.4", {"libnghttp2.so.14"}));
  app.Elf("/app/server", Program({"libpq.so.5", "libcurl.so.4", "libc.so.6"}));
  base::Result<RunCheck> r = Check({&glibc, &app}, "/app/server");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->problems, (std::vector<RunProblem>{
                             {ProblemKind::kMissingLibrary, "libpq.so.5", "/app/server",
                              "'/app/server' needs 'libpq.so.5'"},
                             {ProblemKind::kMissingLibrary, "libnghttp2.so.14",
                              "/lib/x86_64-linux-gnu/libcurl.so.4",
                              "'/lib/x86_64-linux-gnu/libcurl.so.4' needs 'libnghttp2.so.14'"},
                         }));
  EXPECT_EQ(r->MissingLibraries(), (Strings{"libnghttp2.so.14", "libpq.so.5"}));
}

TEST(CheckRunnableTest, RunpathWithOrigin) {
  Layer glibc = Glibc(), app;
  TestElf server = Program({"libapp.so.1", "libc.so.6"});
  server.runpath = "${ORIGIN}/../lib";
  app.Elf("/opt/app/bin/server", server);
  TestElf libapp = Lib("libapp.so.1", {"libhelper.so.1"});
  libapp.runpath = "$ORIGIN/private";
  app.Elf("/opt/app/lib/libapp.so.1", libapp);
  app.Elf("/opt/app/lib/private/libhelper.so.1", Lib("libhelper.so.1"));
  // Reached through a symlink, $ORIGIN is still the real program's directory.
  app.Link("/usr/bin/server", "/opt/app/bin/server");
  EXPECT_EQ(Messages(Check({&glibc, &app}, "server")), Strings{});
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/usr/bin/server")), Strings{});
}

TEST(CheckRunnableTest, RpathIsInheritedRunpathIsNot) {
  Layer glibc = Glibc(), app;
  app.Elf("/opt/vendor/libA.so", Lib("libA.so", {"libB.so"}));
  app.Elf("/opt/vendor/libB.so", Lib("libB.so"));
  TestElf with_rpath = Program({"libA.so"});
  with_rpath.rpath = "/opt/vendor";
  app.Elf("/app/rpath", with_rpath);
  TestElf with_runpath = Program({"libA.so"});
  with_runpath.runpath = "/opt/vendor";
  app.Elf("/app/runpath", with_runpath);
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/rpath")), Strings{});
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/runpath")),
            Strings{"'/opt/vendor/libA.so' needs 'libB.so'"});
}

TEST(CheckRunnableTest, RunpathOfRequesterDisablesInheritedRpath) {
  Layer glibc = Glibc(), app;
  TestElf liba = Lib("libA.so", {"libB.so"});
  liba.runpath = "/nowhere";
  liba.rpath = "/opt/vendor";  // ignored: the object has RUNPATH
  app.Elf("/opt/vendor/libA.so", liba);
  app.Elf("/opt/vendor/libB.so", Lib("libB.so"));
  TestElf server = Program({"libA.so"});
  server.rpath = "/opt/vendor";
  app.Elf("/app/server", server);
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/server")),
            Strings{"'/opt/vendor/libA.so' needs 'libB.so'"});
}

TEST(CheckRunnableTest, SkipsCandidatesOfAnotherClassOrMachine) {
  Layer glibc = Glibc(), app;
  TestElf lib32 = Lib("libfoo.so.1", {});
  lib32.elf_class = ElfClass::k32;
  lib32.machine = kEm386;
  TestElf arm = Lib("libfoo.so.1", {});
  arm.machine = kEmAarch64;
  app.Elf("/opt/lib32/libfoo.so.1", lib32);
  app.Elf("/opt/arm/libfoo.so.1", arm);
  app.Elf("/opt/good/libfoo.so.1", Lib("libfoo.so.1", {}));
  TestElf server = Program({"libfoo.so.1"});
  server.rpath = "/opt/lib32:/opt/arm:/opt/good";
  app.Elf("/app/server", server);
  base::Result<RunCheck> r = Check({&glibc, &app}, "/app/server");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->objects.back(), (LoadedObject{"/opt/good/libfoo.so.1", "/opt/good/libfoo.so.1"}));
  server.rpath = "/opt/lib32:/opt/arm";
  app.Elf("/app/server", server);
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/server")),
            Strings{"'/app/server' needs 'libfoo.so.1'"});
}

TEST(CheckRunnableTest, TokensPathsNodeflibAndHwcaps) {
  Layer glibc = Glibc(), app;
  app.Elf("/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libfast.so.1", Lib("libfast.so.1"));
  app.Elf("/opt/lib/x86_64-linux-gnu/x86_64/libplat.so", Lib("libplat.so"));
  app.Elf("/app/plugins/libdirect.so", Lib("libdirect.so"));
  TestElf server = Program({"libfast.so.1", "libplat.so", "plugins/libdirect.so", "libc.so.6"});
  server.runpath = "/opt/$LIB/$PLATFORM";
  app.Elf("/app/server", server);
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/server", "/app")), Strings{});
  server.flags_1 = kDf1NoDefLib;
  app.Elf("/app/server", server);
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/server", "/app")),
            (Strings{"'/app/server' needs 'libfast.so.1'", "'/app/server' needs 'libc.so.6'"}));
}

TEST(CheckRunnableTest, MissingInterpreterAndStaticPrograms) {
  Layer glibc = Glibc(), app;
  TestElf arm = Program({});
  arm.interpreter = "/lib/ld-linux-aarch64.so.1";
  app.Elf("/app/arm", arm);
  TestElf static_program;
  static_program.type = kEtExec;
  static_program.dynamic = false;
  app.Elf("/app/static", static_program);
  EXPECT_EQ(Check({&glibc, &app}, "/app/arm")->problems,
            (std::vector<RunProblem>{{ProblemKind::kMissingInterpreter,
                                      "/lib/ld-linux-aarch64.so.1", "/app/arm",
                                      "'/app/arm' needs interpreter '/lib/ld-linux-aarch64.so.1', "
                                      "which is not in the image"}}));
  EXPECT_EQ(Messages(Check({&app}, "/app/static")), Strings{});
}

TEST(CheckRunnableTest, EntrypointMustExistAndBeExecutable) {
  Layer app;
  app.Text("/app/run.sh", "#!/bin/sh\n", 0644);
  app.Text("/usr/bin/tool", "binary?", 0600);
  EXPECT_EQ(Check({&app}, "/app/server")->problems,
            (std::vector<RunProblem>{{ProblemKind::kMissingEntrypoint, "/app/server", "",
                                      "entrypoint '/app/server' does not exist in the image"}}));
  EXPECT_EQ(Messages(Check({&app}, "/app/run.sh")),
            Strings{"entrypoint '/app/run.sh' is not executable (mode 0644)"});
  EXPECT_EQ(Messages(Check({&app}, "run.sh", "/app")),
            Strings{"entrypoint 'run.sh' does not exist in the image"});
  EXPECT_EQ(Messages(Check({&app}, "./run.sh", "/app")),
            Strings{"entrypoint '/app/run.sh' is not executable (mode 0644)"});
  EXPECT_EQ(Messages(Check({&app}, "tool")),
            Strings{"entrypoint '/usr/bin/tool' is not executable (mode 0600)"});
  EXPECT_EQ(Messages(Check({&app}, "/app")), Strings{"entrypoint '/app' is not a regular file"});
}

TEST(CheckRunnableTest, ScriptsNeedTheirInterpreters) {
  Layer glibc = Glibc(), app;
  app.Text("/app/run.sh", "#!/usr/bin/python3 -u\nprint('hi')\n");
  app.Text("/app/env.sh", "#! /usr/bin/env -S python3 -u\n");
  EXPECT_EQ(
      Check({&glibc, &app}, "/app/run.sh")->problems,
      (std::vector<RunProblem>{
          {ProblemKind::kMissingInterpreter, "/usr/bin/python3", "/app/run.sh",
           "'/app/run.sh' needs interpreter '/usr/bin/python3', which is not in the image"}}));
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/env.sh")),
            Strings{"'/app/env.sh' needs interpreter '/usr/bin/env', which is not in the image"});
  app.Elf("/usr/bin/env", Program({"libc.so.6"}));
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/env.sh")),
            Strings{"'/app/env.sh' needs interpreter 'python3', which is not in the image"});
  app.Elf("/usr/bin/python3.11", Program({"libpython3.11.so.1.0", "libc.so.6"}));
  app.Link("/usr/bin/python3", "python3.11");
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/env.sh")),
            Strings{"'/usr/bin/python3' needs 'libpython3.11.so.1.0'"});
  app.Elf("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", Lib("libpython3.11.so.1.0"));
  base::Result<RunCheck> r = Check({&glibc, &app}, "/app/run.sh");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->objects.front(), (LoadedObject{"/app/run.sh", "/app/run.sh"}));
  EXPECT_EQ(r->objects[1], (LoadedObject{"/usr/bin/python3", "/usr/bin/python3.11"}));
  app.Text("/usr/local/bin/python3", "#!/usr/bin/python3\n", 0644);  // skipped by execvp
  app.Text("/app/wrapper.sh", "#!/app/run.sh\n");
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/wrapper.sh")), Strings{});
  app.Text("/usr/bin/python3.11", "not executable", 0644);
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/run.sh")),
            Strings{"interpreter '/usr/bin/python3' of '/app/run.sh' is not executable "
                    "(mode 0644)"});
}

TEST(CheckRunnableTest, MalformedLibraryAndUnknownArchitectureFail) {
  Layer glibc = Glibc(), app;
  app.Text("/usr/lib/x86_64-linux-gnu/libbad.so.1", "garbage", 0644);
  app.Elf("/app/server", Program({"libbad.so.1"}));
  EXPECT_EQ(Messages(Check({&glibc, &app}, "/app/server")),
            Strings{"error: checking '/app/server': '/lib/x86_64-linux-gnu/libbad.so.1': not an "
                    "elf file"});
  ImageView view({&app.tree});
  EXPECT_EQ(CheckRunnable(view, {"/app/server"}, "/", "vax").error().message(),
            "unknown architecture 'vax'");
}

}  // namespace
}  // namespace analyze
