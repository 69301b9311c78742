#include "stages/stage.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "archive/tar_writer.h"
#include "base/file_util.h"
#include "base/sink.h"
#include "stages/stage_rootfs.h"
#include "stages/stage_runtime.h"

namespace build {
namespace {

const char kStages[] = R"(base: cc
stages:
  build:
    packages: [g++]
    files: [{src: ., dst: /src}]
    workdir: /src
    env: {CXXFLAGS: -O2}
    run:
      - g++ -o hello hello.cc
      - [strip, hello]
  test:
    base: build
    user: "1000:1000"
    network: true
    files: [{from: build, src: /src/hello, dst: /bin/hello}]
    run: hello
files:
  - {from: build, src: /src/hello, dst: /app/hello}
)";

TEST(StageSpecTest, ParsesStages) {
  base::Result<Spec> s = ParseSpec(kStages, "s.yaml");
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_EQ(s->stages.size(), 2u);
  const StageSpec& b = s->stages[0];
  EXPECT_EQ(b.name, "build");
  EXPECT_EQ(b.base, "");
  EXPECT_EQ(b.packages, std::vector<std::string>{"g++"});
  ASSERT_EQ(b.files.size(), 1u);
  EXPECT_EQ(b.files[0].dst, "/src");
  EXPECT_EQ(b.workdir, "/src");
  EXPECT_EQ(b.env, (std::vector<std::pair<std::string, std::string>>{{"CXXFLAGS", "-O2"}}));
  ASSERT_EQ(b.run.size(), 2u);
  EXPECT_EQ(b.run[0].shell, "g++ -o hello hello.cc");
  EXPECT_EQ(b.run[0].mark.line, 9);
  EXPECT_EQ(b.run[1].argv, (std::vector<std::string>{"strip", "hello"}));
  EXPECT_FALSE(b.network);
  const StageSpec& t = s->stages[1];
  EXPECT_EQ(t.base, "build");
  EXPECT_EQ(t.user, "1000:1000");
  EXPECT_TRUE(t.network);
  EXPECT_EQ(t.files[0].from, "build");
  ASSERT_EQ(t.run.size(), 1u);
  EXPECT_EQ(t.run[0].shell, "hello");
  EXPECT_TRUE(CheckStages(*s)) << CheckStages(*s).error().message();
}

std::string ParseError(const std::string& text) {
  base::Result<Spec> s = ParseSpec(text, "s.yaml");
  if (!s) return s.error().message();
  base::Result<void> c = CheckStages(*s);
  return c ? "" : c.error().message();
}

TEST(StageSpecTest, BadStages) {
  EXPECT_EQ(ParseError("stages:\n  b:\n    runn: [x]\n"),
            "s.yaml:3:5: unknown key 'runn' in stage (did you mean 'run'?)");
  EXPECT_EQ(ParseError("stages:\n  Build: {}\n"),
            "s.yaml:2:3: invalid stage name 'Build' (lowercase letters, digits, '.', '_' and "
            "'-', starting with a letter)");
  EXPECT_EQ(ParseError("stages:\n  b: {run: [[]]}\n"), "s.yaml:2:13: empty 'run' command");
  EXPECT_EQ(ParseError("stages:\n  b: {run: [{a: b}]}\n"),
            "s.yaml:2:13: a 'run' command must be a string or a list (quote a command that "
            "contains ': ')");
  EXPECT_EQ(ParseError("stages:\n  b: {run: [[a, [b]]]}\n"),
            "s.yaml:2:17: 'run' items must be strings");
  EXPECT_EQ(ParseError("stages:\n  b: {workdir: src}\n"),
            "s.yaml:2:16: 'workdir' must be an absolute path, got 'src'");
  EXPECT_EQ(ParseError("stages:\n  b: {network: maybe}\n"),
            "s.yaml:2:16: 'network' must be true or false");
  EXPECT_EQ(ParseError("stages:\n  b: {files: [{src: a, dst: /a, layer: x}]}\n"),
            "s.yaml:2:33: unknown key 'layer' in files entry");
  EXPECT_EQ(ParseError("stages: [a]\n"), "s.yaml:1:9: 'stages' must be a mapping of stage names");
}

TEST(StageSpecTest, UnknownStageNames) {
  EXPECT_EQ(ParseError("stages:\n  build: {}\nfiles: [{from: biuld, src: /a, dst: /a}]\n"),
            "s.yaml:3:9: no build stage named 'biuld' (did you mean 'build'?)");
  // A stage may only use the stages before it.
  EXPECT_EQ(ParseError("stages:\n  a: {files: [{from: b, src: /x, dst: /x}]}\n  b: {}\n"),
            "s.yaml:2:15: no build stage named 'b'");
  EXPECT_EQ(ParseError("stages:\n  build: {}\n  t: {base: biuld}\n"),
            "s.yaml:3:13: stage base 'biuld' is not 'debian', 'scratch', an earlier stage or an "
            "image (a built-in base, a spec file, docker://...) (did you mean 'build'?)");
  // Images: built-in bases, spec files, registry images; an earlier stage
  // of the same name wins (it is looked up first).
  EXPECT_EQ(ParseError("stages:\n  a: {base: 'python3:debug'}\n  b: {base: cc}\n"
                       "  c: {base: ./b.yaml}\n  d: {base: 'docker://127.0.0.1:5000/r:1'}\n"
                       "files: [{from: d, src: /a, dst: /a}]\n"),
            "");
  EXPECT_TRUE(IsImageBase("java17:nonroot"));
  EXPECT_TRUE(IsImageBase("docker://h/r:1"));
  EXPECT_TRUE(IsImageBase("base.yml"));
  EXPECT_FALSE(IsImageBase("build"));
  EXPECT_FALSE(IsImageBase("cc:nope"));
  EXPECT_EQ(ParseError("stages:\n  a: {base: cc, packages: [g++]}\n"),
            "s.yaml:2:13: stage 'a' installs packages, which needs base 'debian' (list them in "
            "the stage it is based on)");
  EXPECT_EQ(ParseError("files: [{from: build, src: /a, dst: /a}]\n"),
            "s.yaml:1:9: no build stage named 'build'");
}

TEST(StageRuntimeTest, ConfigJson) {
  ContainerSpec c;
  c.rootfs = "/cache/tmp/stage-x/rootfs";
  c.args = {"/bin/sh", "-c", "make"};
  c.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
  c.cwd = "/src";
  c.uid = 1000;
  c.gid = 100;
  c.nofile = 4096;
  nlohmann::json j = nlohmann::json::parse(ContainerConfigJson(c));
  EXPECT_EQ(j["ociVersion"], "1.0.2");
  EXPECT_EQ(j["root"],
            (nlohmann::json{{"path", "/cache/tmp/stage-x/rootfs"}, {"readonly", false}}));
  EXPECT_EQ(j["process"]["args"], (nlohmann::json{"/bin/sh", "-c", "make"}));
  EXPECT_EQ(j["process"]["cwd"], "/src");
  EXPECT_EQ(j["process"]["user"], (nlohmann::json{{"uid", 1000}, {"gid", 100}}));
  EXPECT_EQ(j["process"]["env"], (nlohmann::json{"PATH=/usr/bin:/bin", "HOME=/root"}));
  EXPECT_EQ(j["process"]["noNewPrivileges"], true);
  EXPECT_EQ(j["process"]["rlimits"][0]["hard"], 4096);
  std::vector<std::string> ns;
  for (const nlohmann::json& n : j["linux"]["namespaces"]) ns.push_back(n["type"]);
  EXPECT_EQ(ns, (std::vector<std::string>{"pid", "ipc", "uts", "mount", "network"}));
  const nlohmann::json& caps = j["process"]["capabilities"]["bounding"];
  EXPECT_NE(std::find(caps.begin(), caps.end(), "CAP_CHOWN"), caps.end());
  EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAP_NET_RAW"), caps.end());
  EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAP_SYS_ADMIN"), caps.end());
  std::vector<std::string> dests;
  for (const nlohmann::json& m : j["mounts"]) dests.push_back(m["destination"]);
  EXPECT_EQ(dests, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                             "/sys"}));
}

TEST(StageRuntimeTest, NetworkSharesHostNamespaceAndBindsResolvConf) {
  ContainerSpec c;
  c.rootfs = "/r";
  c.args = {"true"};
  c.network = true;
  c.binds = {{"/etc/resolv.conf", "/etc/resolv.conf", true}};
  nlohmann::json j = nlohmann::json::parse(ContainerConfigJson(c));
  for (const nlohmann::json& n : j["linux"]["namespaces"]) EXPECT_NE(n["type"], "network");
  const nlohmann::json& last = j["mounts"].back();
  EXPECT_EQ(last["destination"], "/etc/resolv.conf");
  EXPECT_EQ(last["source"], "/etc/resolv.conf");
  EXPECT_EQ(last["options"], (nlohmann::json{"rbind", "nosuid", "nodev", "ro"}));
}

TEST(StageRuntimeTest, FindRuntime) {
  char tmpl[] = "/tmp/distill-rt-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/crun", "#!/bin/sh\n"));
  chmod((dir + "/crun").c_str(), 0755);
  std::string path = "/nonexistent:" + dir;
  EXPECT_EQ(*FindRuntime(nullptr, path.c_str()), dir + "/crun");
  EXPECT_EQ(*FindRuntime("crun", path.c_str()), dir + "/crun");
  base::Result<std::string> none = FindRuntime(nullptr, "/nonexistent");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(),
            "no OCI runtime found: build stages need runc or crun in PATH (or DISTILL_RUNTIME "
            "naming one)");
  base::Result<std::string> bad = FindRuntime("/nonexistent/runc", path.c_str());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "DISTILL_RUNTIME names '/nonexistent/runc', which is not an executable");
  std::filesystem::remove_all(dir);
}

TEST(StageKeyTest, EveryInputChangesTheKey) {
  StageKeyInputs in{"base", "files", "/src", {{"A", "1"}}, "", {{"make", {}, {}}}, false};
  std::string k = StageKey(in);
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(StageKey(in), k);  // deterministic
  std::vector<StageKeyInputs> changed(7, in);
  changed[0].base_key = "base2";
  changed[1].files_digest = "files2";
  changed[2].workdir = "/";
  changed[3].env = {{"A", "2"}};
  changed[4].user = "1000";
  changed[5].run = {{"", {"make"}, {}}};  // exec form differs from shell form
  changed[6].network = true;
  for (const StageKeyInputs& c : changed) EXPECT_NE(StageKey(c), k);
  // The spec position of a command is not an input.
  StageKeyInputs moved = in;
  moved.run[0].mark = {40, 7};
  EXPECT_EQ(StageKey(moved), k);
}

TEST(StageKeyTest, PackageRootKeyAndTreeDigest) {
  ResolvedPackage a;
  a.name = "g++";
  a.version = "4:12.2.0-3";
  a.sha256 = std::string(64, 'a');
  ResolvedPackage b = a;
  b.sha256 = std::string(64, 'b');
  EXPECT_NE(PackageRootKey("amd64", {a}), PackageRootKey("amd64", {b}));
  EXPECT_NE(PackageRootKey("amd64", {a}), PackageRootKey("arm64", {a}));
  fs::Tree t1, t2;
  ASSERT_TRUE(t1.Add("src/a.cc", fs::Node::File(fs::Content::Inline("int x;"), 6)));
  ASSERT_TRUE(t2.Add("src/a.cc", fs::Node::File(fs::Content::Inline("int y;"), 6)));
  EXPECT_NE(*TreeDigest(t1), *TreeDigest(t2));
  fs::Node later = fs::Node::File(fs::Content::Inline("int x;"), 6);
  later.mtime = 12345;  // times are not inputs
  fs::Tree t3;
  ASSERT_TRUE(t3.Add("src/a.cc", later));
  EXPECT_EQ(*TreeDigest(t1), *TreeDigest(t3));
  later.mode = 0755;
  fs::Tree t4;
  ASSERT_TRUE(t4.Add("src/a.cc", later));
  EXPECT_NE(*TreeDigest(t1), *TreeDigest(t4));
}

TEST(RootDirTest, SymlinksResolveInsideTheRoot) {
  char tmpl[] = "/tmp/distill-root-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  base::Result<RootDir> root = RootDir::Open(dir + "/rootfs", true);
  ASSERT_TRUE(root) << root.error().message();
  // An absolute symlink to a host directory, then a write through it.
  archive::TarEntry link{.path = "usr/evil",
                         .type = archive::EntryType::kSymlink,
                         .mode = 0777,
                         .link = dir + "/outside"};
  ASSERT_TRUE(root->Put(link, nullptr));
  ASSERT_TRUE(base::MakeDirs(dir + "/outside"));
  // Dangling inside the root: the write fails rather than follow it out.
  EXPECT_FALSE(root->WriteFile("usr/evil/x", "inside"));
  EXPECT_FALSE(base::PathExists(dir + "/outside/x"));
  // Once the target exists inside the root, the write lands there.
  ASSERT_TRUE(root->MakeDirs(dir.substr(1) + "/outside"));
  ASSERT_TRUE(root->WriteFile("usr/evil/x", "inside"));
  EXPECT_FALSE(base::PathExists(dir + "/outside/x"));
  EXPECT_EQ(*base::ReadFile(dir + "/rootfs" + dir + "/outside/x"), "inside");
  // A directory entry over a symlink to a directory keeps the symlink (merged /usr).
  ASSERT_TRUE(root->MakeDirs("usr/bin"));
  ASSERT_TRUE(root->Put(
      {.path = "bin", .type = archive::EntryType::kSymlink, .mode = 0777, .link = "usr/bin"},
      nullptr));
  ASSERT_TRUE(root->Put({.path = "bin", .type = archive::EntryType::kDir, .mode = 0755}, nullptr));
  ASSERT_TRUE(root->WriteFile("bin/sh", "#!"));
  EXPECT_EQ(*root->Resolve("bin/sh"), "usr/bin/sh");
  EXPECT_EQ(*root->Resolve("../../bin/sh"), "usr/bin/sh");  // ".." stops at the root
  // A copy keeps types, modes and hardlinks.
  ASSERT_TRUE(
      root->Put({.path = "usr/bin/su", .type = archive::EntryType::kFile, .mode = 04755}, nullptr));
  ASSERT_TRUE(root->Put({.path = "usr/bin/su2",
                         .type = archive::EntryType::kHardlink,
                         .mode = 04755,
                         .link = "usr/bin/su"},
                        nullptr));
  ASSERT_TRUE(CopyRoot(dir + "/rootfs", dir + "/copy"));
  struct stat a, b;
  ASSERT_EQ(lstat((dir + "/copy/usr/bin/su").c_str(), &a), 0);
  ASSERT_EQ(lstat((dir + "/copy/usr/bin/su2").c_str(), &b), 0);
  EXPECT_EQ(a.st_mode & 07777, 04755u);
  EXPECT_EQ(a.st_ino, b.st_ino);
  ASSERT_EQ(lstat((dir + "/copy/bin").c_str(), &a), 0);
  EXPECT_TRUE(S_ISLNK(a.st_mode));
  std::filesystem::remove_all(dir);
}

// A layer as a tar blob of `entries` (file contents given as link text).
std::string WriteLayer(const std::string& path, const std::vector<archive::TarEntry>& entries) {
  base::StringSink sink;
  auto w = archive::TarWriter::Create(&sink);
  EXPECT_TRUE(w);
  for (archive::TarEntry e : entries) {
    std::string data = e.type == archive::EntryType::kFile ? e.link : "";
    if (e.type == archive::EntryType::kFile) e.link.clear(), e.size = data.size();
    EXPECT_TRUE((*w)->Add(e));
    if (!data.empty()) {
      EXPECT_TRUE((*w)->WriteData({reinterpret_cast<const uint8_t*>(data.data()), data.size()}));
    }
  }
  EXPECT_TRUE((*w)->Finish());
  EXPECT_TRUE(base::WriteFileAtomic(path, sink.str()));
  return path;
}

TEST(RootDirTest, ApplyLayerHonoursWhiteouts) {
  char tmpl[] = "/tmp/distill-layers-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  using archive::EntryType;
  auto file = [](std::string p, std::string text) {
    return archive::TarEntry{
        .path = std::move(p), .type = EntryType::kFile, .mode = 0644, .link = std::move(text)};
  };
  auto d = [](std::string p) {
    return archive::TarEntry{.path = std::move(p), .type = EntryType::kDir, .mode = 0755};
  };
  std::string lower =
      WriteLayer(dir + "/1.tar", {d("etc"), file("etc/a", "a"), file("etc/b", "b"), d("opt"),
                                  d("opt/sub"), file("opt/sub/x", "x"), file("opt/y", "y")});
  // The upper layer: its own opt/new comes before the opaque marker in the
  // stream, and must survive it (the marker only hides the lower layer's).
  std::string upper = WriteLayer(
      dir + "/2.tar", {file("etc/.wh.a", ""), d("opt"), file("opt/new", "new"),
                       file("opt/.wh..wh..opq", ""), file("etc/c", "c"), file(".wh.missing", "")});
  base::Result<RootDir> root = RootDir::Open(dir + "/rootfs", true);
  ASSERT_TRUE(root) << root.error().message();
  ASSERT_TRUE(ApplyLayer(lower, "lower", *root));
  base::Result<void> r = ApplyLayer(upper, "upper", *root);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(base::PathExists(dir + "/rootfs/etc/a"));
  EXPECT_EQ(*base::ReadFile(dir + "/rootfs/etc/b"), "b");
  EXPECT_EQ(*base::ReadFile(dir + "/rootfs/etc/c"), "c");
  EXPECT_EQ(*base::ReadFile(dir + "/rootfs/opt/new"), "new");
  EXPECT_FALSE(base::PathExists(dir + "/rootfs/opt/sub"));
  EXPECT_FALSE(base::PathExists(dir + "/rootfs/opt/y"));
  EXPECT_FALSE(base::PathExists(dir + "/rootfs/opt/.wh..wh..opq"));
  EXPECT_FALSE(base::PathExists(dir + "/rootfs/etc/.wh.a"));
  // A whiteout cannot reach out of the root through a symlink.
  ASSERT_TRUE(base::MakeDirs(dir + "/host"));
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/host/keep", "k"));
  std::string evil = WriteLayer(
      dir + "/3.tar",
      {archive::TarEntry{
          .path = "out", .type = EntryType::kSymlink, .mode = 0777, .link = dir + "/host"}});
  std::string evil2 =
      WriteLayer(dir + "/4.tar", {file("out/.wh.keep", ""), file("out/.wh..wh..opq", "")});
  ASSERT_TRUE(ApplyLayer(evil, "evil", *root));
  ASSERT_TRUE(ApplyLayer(evil2, "evil2", *root));
  EXPECT_EQ(*base::ReadFile(dir + "/host/keep"), "k");
  // A corrupt blob is an error naming it.
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/5.tar", "not a tar at all"));
  base::Result<void> bad = ApplyLayer(dir + "/5.tar", "layer 'sha256:5'", *root);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("layer 'sha256:5'"), std::string::npos)
      << bad.error().message();
  std::filesystem::remove_all(dir);
}

TEST(RootDirTest, DropUnchangedKeepsOnlyTheStagesChanges) {
  char tmpl[] = "/tmp/distill-diff-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl, image = dir + "/image", stage = dir + "/stage";
  for (const std::string& r : {image, stage}) {
    ASSERT_TRUE(base::MakeDirs(r + "/etc/sub"));
    ASSERT_TRUE(base::WriteFileAtomic(r + "/etc/same", "same"));
    ASSERT_TRUE(base::WriteFileAtomic(r + "/etc/sub/same", "same"));
  }
  ASSERT_TRUE(base::WriteFileAtomic(image + "/etc/changed", "old"));
  ASSERT_TRUE(base::WriteFileAtomic(stage + "/etc/changed", "new"));
  ASSERT_TRUE(base::WriteFileAtomic(stage + "/etc/added", "added"));
  ASSERT_TRUE(base::WriteFileAtomic(image + "/gone", "gone"));
  ASSERT_TRUE(base::MakeDirs(image + "/olddir/sub"));
  ASSERT_TRUE(base::WriteFileAtomic(image + "/olddir/sub/x", "x"));
  // A directory the stage replaced with a file: not removed, nor what was below it.
  ASSERT_TRUE(base::MakeDirs(image + "/wasdir"));
  ASSERT_TRUE(base::WriteFileAtomic(image + "/wasdir/y", "y"));
  ASSERT_TRUE(base::WriteFileAtomic(stage + "/wasdir", "now a file"));
  ASSERT_EQ(chmod((dir + "/image").c_str(), 0755), 0);
  fs::Tree t;
  auto file = [&](const std::string& rel, const std::string& text) {
    fs::Node n = fs::Node::File(fs::Content::Disk(stage + "/" + rel), text.size());
    ASSERT_TRUE(t.Add(rel, n));
  };
  ASSERT_TRUE(t.Add("etc", fs::Node::Dir()));
  ASSERT_TRUE(t.Add("etc/sub", fs::Node::Dir()));
  file("etc/same", "same");
  file("etc/sub/same", "same");
  file("etc/changed", "new");
  file("etc/added", "added");
  std::vector<std::string> removed;
  base::Result<size_t> n = DropUnchanged(t, image, stage, &removed);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 3u);  // etc/same, etc/sub/same, etc/sub
  EXPECT_TRUE(t.Find("etc/changed"));
  EXPECT_TRUE(t.Find("etc/added"));
  EXPECT_TRUE(t.Find("etc"));  // it has changed children
  EXPECT_FALSE(t.Find("etc/same"));
  EXPECT_FALSE(t.Find("etc/sub"));
  // A removed directory is named once, not with what was under it.
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::string>{"/gone", "/olddir"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace build
