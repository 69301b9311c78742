// Hostile build contexts and ADD archives (issue 14): a NUL byte in a
// source, names a layer would read as whiteouts, and archive entries too
// large to hold in memory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "archive/tar_writer.h"
#include "base/file_util.h"
#include "base/sink.h"
#include "compose/context_files.h"

namespace build {
namespace {

namespace stdfs = std::filesystem;

class HostileContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = stdfs::temp_directory_path() / ("distill-hostile-test-" + std::to_string(getpid()));
    stdfs::remove_all(root_);
    ctx_ = (root_ / "ctx").string();
    stdfs::create_directories(ctx_);
    stdfs::create_directories(root_ / "store");
  }
  void TearDown() override { stdfs::remove_all(root_); }

  void Write(const std::string& rel, const std::string& text) {
    stdfs::path p = stdfs::path(ctx_) / rel;
    stdfs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  // Writes `entries` (with `size` bytes of 'x' for files) as ctx/a.tar.
  void WriteTar(const std::vector<archive::TarEntry>& entries) {
    base::StringSink out;
    auto w = archive::TarWriter::Create(&out);
    ASSERT_TRUE(w);
    for (const archive::TarEntry& e : entries) {
      ASSERT_TRUE((*w)->Add(e));
      std::string data(e.size, 'x');
      if (e.size) {
        ASSERT_TRUE((*w)->WriteData(
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size())));
      }
    }
    ASSERT_TRUE((*w)->Finish());
    std::ofstream(stdfs::path(ctx_) / "a.tar") << out.str();
  }
  base::Result<void> Add(const std::string& yaml, fs::Tree& tree, bool extract = false,
                         const ContextOptions& options = {}) {
    base::Result<Spec> spec = ParseSpec(yaml, "s.yaml");
    EXPECT_TRUE(spec.has_value()) << spec.error().message();
    spec_ = *spec;
    spec_.files.at(0).extract = extract;
    return AddContextFiles(spec_, spec_.files.at(0), ctx_, tree, {}, options);
  }

  stdfs::path root_;
  std::string ctx_;
  Spec spec_;
};

TEST_F(HostileContextTest, ANulInASourceIsAnErrorNotACopyOfTheContext) {
  Write("app/main.py", "");
  fs::Tree t;
  base::Result<void> r = Add("files: [{src: \"app\\0/x\", dst: /srv}]\n", t);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "s.yaml:1:15: source 'app\\0/x' contains a NUL byte");
  r = Add("files: [{src: app, dst: \"/srv\\0\"}]\n", t);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "s.yaml:1:15: destination '/srv\\0' contains a NUL byte");
  EXPECT_TRUE(t.entries().size() <= 1u);  // nothing copied
}

TEST_F(HostileContextTest, AWhiteoutNamedContextFileIsAnError) {
  Write("app/.wh.hello", "");
  Write("app/ok", "");
  fs::Tree t;
  base::Result<void> r = Add("files: [{src: app, dst: /srv}]\n", t);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:1:15: context file 'app/.wh.hello' would be '/srv/.wh.hello' in the layer, a "
            "name starting with '.wh.' that layers read as a whiteout");
  Write("x", "");
  r = Add("files: [{src: x, dst: /etc/.wh..wh..opq}]\n", t);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:1:15: destination '/etc/.wh..wh..opq' has a name starting with '.wh.', which "
            "layers read as a whiteout");
}

TEST_F(HostileContextTest, AWhiteoutNamedArchiveEntryIsAnError) {
  WriteTar({{.path = "etc", .type = archive::EntryType::kDir, .mode = 0755},
            {.path = "etc/.wh.passwd", .mode = 0644}});
  fs::Tree t;
  base::Result<void> r = Add("files: [{src: a.tar, dst: /}]\n", t, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:1:15: unpacking 'a.tar': entry 'etc/.wh.passwd' has a name starting with "
            "'.wh.', which layers read as a whiteout");
}

TEST_F(HostileContextTest, ArchiveEntriesStreamToTheStoreUnderTheLimits) {
  WriteTar(
      {{.path = "big", .mode = 0644, .size = 3 << 20}, {.path = "small", .mode = 0644, .size = 3}});
  base::Result<cache::Store> opened = cache::Store::Open((root_ / "store").string());
  ASSERT_TRUE(opened) << opened.error().message();
  cache::Store& store = *opened;
  ContextOptions options{.store = &store};
  options.limits.value_bytes = 1 << 20;  // "big" could not be held in memory
  fs::Tree t;
  base::Result<void> r = Add("files: [{src: a.tar, dst: /d}]\n", t, true, options);
  ASSERT_TRUE(r) << r.error().message();
  const fs::Node* big = t.Find("d/big");
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->size, 3u << 20);
  EXPECT_EQ(big->content.kind, fs::Content::Kind::kDiskFile);
  EXPECT_EQ(stdfs::file_size(big->content.path), 3u << 20);
  // Without a store an entry must fit value-bytes.
  fs::Tree m;
  r = Add("files: [{src: a.tar, dst: /d}]\n", m, true, ContextOptions{.limits = options.limits});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "s.yaml:1:15: unpacking 'a.tar': '" + ctx_ +
                                     "/a.tar': entry 'big' is larger than "
                                     "1048576 bytes");
  // And an entry over entry-bytes fails before its data is read.
  options.limits.entry_bytes = 1 << 20;
  fs::Tree e;
  r = Add("files: [{src: a.tar, dst: /d}]\n", e, true, options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "s.yaml:1:15: unpacking 'a.tar': '" + ctx_ +
                "/a.tar': entry 'big' (3145728 bytes) exceeds the limit entry-bytes (1 MiB); "
                "raise it with --limit entry-bytes=...");
}

}  // namespace
}  // namespace build
