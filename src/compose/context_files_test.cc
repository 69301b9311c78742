#include "compose/context_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "compose/layers.h"
#include "compose/rootfs.h"

namespace build {
namespace {

namespace stdfs = std::filesystem;

class ContextFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = stdfs::temp_directory_path() / ("distill-context-test-" + std::to_string(getpid()));
    stdfs::remove_all(root_);
    ctx_ = (root_ / "ctx").string();
    stdfs::create_directories(ctx_);
  }
  void TearDown() override { stdfs::remove_all(root_); }

  void Write(const std::string& rel, const std::string& text) {
    stdfs::path p = stdfs::path(ctx_) / rel;
    stdfs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  // Parses `yaml` as the spec (for its marks) and adds its first entry.
  base::Result<void> Add(const std::string& yaml, fs::Tree& tree, const fs::Tree& below = {}) {
    base::Result<Spec> spec = ParseSpec(yaml, "s.yaml");
    EXPECT_TRUE(spec.has_value());
    spec_ = *spec;
    return AddContextFiles(spec_, spec_.files.at(0), ctx_, tree, below);
  }
  static std::vector<std::string> Paths(const fs::Tree& t) {
    std::vector<std::string> out;
    for (const auto& [path, node] : t.entries())
      if (!path.empty()) out.push_back(path);
    return out;
  }

  stdfs::path root_;
  std::string ctx_;
  Spec spec_;
};

TEST_F(ContextFilesTest, DistillignoreKeepsJunkOutOfDirectoryCopies) {
  Write(".distillignore", "# junk\n__pycache__/\n*.py[co]\n!keep.pyc\n/app/local/\n");
  Write("app/main.py", "print(1)\n");
  Write("app/__pycache__/main.cpython-311.pyc", "x");
  Write("app/old.pyc", "x");
  Write("app/keep.pyc", "x");
  Write("app/local/secret", "x");
  Write("app/lib/local/kept", "x");
  fs::Tree t;
  ASSERT_TRUE(Add("files: [{src: app, dst: /srv}]\n", t));
  EXPECT_EQ(Paths(t), (std::vector<std::string>{"srv", "srv/keep.pyc", "srv/lib", "srv/lib/local",
                                                "srv/lib/local/kept", "srv/main.py"}));
}

TEST_F(ContextFilesTest, ExcludeIsRelativeToTheSource) {
  Write("app/main.py", "");
  Write("app/tests/t.py", "");
  Write("app/sub/tests/t.py", "");
  Write("app/notes.md", "");
  fs::Tree t;
  ASSERT_TRUE(Add("files: [{src: app, dst: /srv, exclude: [/tests/, '*.md']}]\n", t));
  EXPECT_EQ(Paths(t), (std::vector<std::string>{"srv", "srv/main.py", "srv/sub", "srv/sub/tests",
                                                "srv/sub/tests/t.py"}));
}

TEST_F(ContextFilesTest, GlobLeavesOutIgnoredMatches) {
  Write(".distillignore", "b.txt\n");
  Write("a.txt", "a");
  Write("b.txt", "b");
  Write("c.txt", "c");
  fs::Tree t;
  ASSERT_TRUE(Add("files: [{src: '*.txt', dst: /data}]\n", t));
  EXPECT_EQ(Paths(t), (std::vector<std::string>{"data", "data/a.txt", "data/c.txt"}));
}

TEST_F(ContextFilesTest, NamingAnIgnoredSourceIsAnError) {
  Write(".distillignore", "# build outputs\nbuild/\n");
  Write("build/app.jar", "jar");
  fs::Tree t;
  base::Result<void> r = Add("files:\n  - src: build/app.jar\n    dst: /app.jar\n", t);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:2:10: source 'build/app.jar' is excluded by .distillignore:2 ('build/')");
}

TEST_F(ContextFilesTest, GlobMatchingOnlyIgnoredFilesIsAnError) {
  Write(".distillignore", "*.log\n");
  Write("a.log", "");
  fs::Tree t;
  base::Result<void> r = Add("files: [{src: '*.log', dst: /logs/}]\n", t);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:1:15: '*.log' matches nothing in the context '" + ctx_ + "'");
}

TEST_F(ContextFilesTest, SourceThroughASymlinkOutOfTheContextIsAnError) {
  stdfs::create_directories(root_ / "outside");
  std::ofstream(root_ / "outside" / "secret") << "s";
  stdfs::create_directory_symlink(root_ / "outside", stdfs::path(ctx_) / "link");
  fs::Tree t;
  base::Result<void> r = Add("files: [{src: link/secret, dst: /s}]\n", t);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:1:15: source 'link/secret' leaves the context through a symlink");
}

TEST_F(ContextFilesTest, SymlinksInsideACopyStaySymlinks) {
  Write("d/f", "x");
  stdfs::create_symlink("/etc/passwd", stdfs::path(ctx_) / "d" / "l");
  fs::Tree t;
  ASSERT_TRUE(Add("files: [{src: d, dst: /d}]\n", t));
  ASSERT_NE(t.Find("d/l"), nullptr);
  EXPECT_EQ(t.Find("d/l")->type, fs::NodeType::kSymlink);
  EXPECT_EQ(t.Find("d/l")->link, "/etc/passwd");
}

TEST_F(ContextFilesTest, OwnerByNameFromTheImagesAccounts) {
  Write("a", "x");
  fs::Tree below;
  ASSERT_TRUE(AddBaseFiles(below, {.suite = "bookworm",
                                   .users = {{"app", 1000, 1001, "/home/app", "/sbin/nologin"}},
                                   .groups = {{"app", 1001}, {"web", 2000}}}));
  fs::Tree t;
  ASSERT_TRUE(Add("files: [{src: a, dst: /a, owner: 'app:web'}]\n", t, below));
  EXPECT_EQ(t.Find("a")->uid, 1000u);
  EXPECT_EQ(t.Find("a")->gid, 2000u);
  fs::Tree t2;
  ASSERT_TRUE(Add("files: [{src: a, dst: /a, owner: nonroot}]\n", t2, below));
  EXPECT_EQ(t2.Find("a")->uid, 65532u);
  EXPECT_EQ(t2.Find("a")->gid, 65532u);
  fs::Tree t3;
  base::Result<void> r = Add("files: [{src: a, dst: /a, owner: 'app:nogroup'}]\n", t3, below);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:1:15: owner 'app:nogroup': no group 'nogroup' in /etc/group");
}

TEST_F(ContextFilesTest, ExistingDirectoriesKeepOwnerAndModeNewOnesGetDefaults) {
  Write("tmpfiles/x", "x");
  fs::Tree below;
  ASSERT_TRUE(AddBaseFiles(below, {}));  // /tmp 1777, /home/nonroot 0700 65532
  fs::Tree t;
  ASSERT_TRUE(Add("files: [{src: tmpfiles, dst: /tmp}]\n", t, below));
  fs::Tree t2;
  ASSERT_TRUE(Add("files: [{src: tmpfiles/x, dst: /home/nonroot/new/x}]\n", t2, below));
  InheritParentsFrom(t, below);
  InheritParentsFrom(t2, below);
  EXPECT_EQ(t.Find("tmp")->mode, 01777u);
  EXPECT_EQ(t2.Find("home/nonroot")->mode, 0700u);
  EXPECT_EQ(t2.Find("home/nonroot")->uid, 65532u);
  EXPECT_EQ(t2.Find("home/nonroot/new")->mode, 0755u);
  EXPECT_EQ(t2.Find("home/nonroot/new")->uid, 0u);
  // With an owner the copied directory itself takes it.
  fs::Tree t3;
  ASSERT_TRUE(Add("files: [{src: tmpfiles, dst: /tmp, owner: '7:8'}]\n", t3, below));
  InheritParentsFrom(t3, below);
  EXPECT_EQ(t3.Find("tmp")->mode, 0755u);
  EXPECT_EQ(t3.Find("tmp")->uid, 7u);
}

TEST_F(ContextFilesTest, LayerInputsFollowContentNotClampedTimes) {
  Write("app/a.py", "print(1)\n");
  Write("app/b.py", "print(2)\n");
  auto inputs = [&](int64_t sde) {
    fs::Tree t;
    EXPECT_TRUE(Add("files: [{src: app, dst: /app}]\n", t));
    base::Result<std::string> in = FilesLayerInputs(t, sde);
    EXPECT_TRUE(in.has_value());
    return in ? *in : "";
  };
  std::string before = inputs(0);
  stdfs::last_write_time(
      stdfs::path(ctx_) / "app/a.py",
      stdfs::last_write_time(stdfs::path(ctx_) / "app/a.py") - std::chrono::hours(5));
  EXPECT_EQ(inputs(0), before);           // every time clamps to 0
  EXPECT_NE(inputs(4102444800), before);  // a later epoch keeps real times
  Write("app/b.py", "print(3)\n");
  EXPECT_NE(inputs(0), before);
}

}  // namespace
}  // namespace build
