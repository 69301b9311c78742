#include "stages/stage_archive.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "base/file_util.h"

namespace build {
namespace {

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/distill-stage-archive-XXXXXX";
    if (mkdtemp(tmpl)) path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One raw ustar header + data, for entries distill's writer refuses to make.
std::string RawEntry(const std::string& name, char type, const std::string& link = "",
                     const std::string& data = "") {
  std::string h(512, '\0');
  name.copy(h.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011zo", data.size());
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  h[156] = type;
  link.copy(h.data() + 157, std::min<size_t>(link.size(), 100));
  std::string(
      "ustar\0"
      "00",
      8)
      .copy(h.data() + 257, 8);
  std::fill(h.begin() + 148, h.begin() + 156, ' ');
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  return h + data + std::string((512 - data.size() % 512) % 512, '\0');
}

const char kStageJson[] = "{\"key\": \"k1\"}\n";

// Writes `entries` as a tar file and unpacks it into a fresh directory;
// returns the error message ("" on success).
std::string UnpackRaw(const TempDir& t, const std::string& entries, uint64_t max = 1 << 20) {
  std::string tar = t.path() + "/raw.tar";
  EXPECT_TRUE(base::WriteFileAtomic(tar, entries + std::string(1024, '\0')));
  std::string out = t.path() + "/out";
  std::filesystem::remove_all(out);
  mkdir(out.c_str(), 0700);
  base::Result<void> r = UnpackStageArchive(tar, "blob", out, "k1", max);
  return r ? "" : r.error().message();
}

void Write(const std::string& path, const std::string& text, mode_t mode, uid_t uid, gid_t gid) {
  ASSERT_TRUE(base::WriteFileAtomic(path, text));
  ASSERT_EQ(chown(path.c_str(), uid, gid), 0);
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

TEST(StageArchiveTest, RoundTripKeepsOwnersModesAndLinks) {
  if (geteuid() != 0) GTEST_SKIP() << "owners other than ours need root";
  TempDir t;
  std::string src = t.path() + "/src", r = src + "/rootfs";
  ASSERT_TRUE(base::MakeDirs(r + "/usr/bin"));
  ASSERT_TRUE(base::MakeDirs(r + "/home/app"));
  ASSERT_EQ(chown((r + "/home/app").c_str(), 1000, 1001), 0);
  ASSERT_EQ(chmod((r + "/home/app").c_str(), 0750), 0);
  ASSERT_EQ(chmod((r + "/usr").c_str(), 01777), 0);
  Write(r + "/usr/bin/su", "setuid", 04755, 0, 0);
  Write(r + "/usr/bin/wall", "setgid", 02755, 0, 5);
  Write(r + "/home/app/data", "mine", 0600, 1000, 1001);
  ASSERT_EQ(link((r + "/usr/bin/su").c_str(), (r + "/usr/bin/su2").c_str()), 0);
  ASSERT_EQ(symlink("usr/bin", (r + "/bin").c_str()), 0);
  ASSERT_EQ(symlink("/etc/passwd", (r + "/home/app/abs").c_str()), 0);
  ASSERT_EQ(lchown((r + "/home/app/abs").c_str(), 1000, 1001), 0);
  ASSERT_EQ(mkfifo((r + "/fifo").c_str(), 0620), 0);
  bool dev = mknod((r + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0;
  bool xattr = setxattr((r + "/usr/bin/wall").c_str(), "user.distill", "v1", 2, 0) == 0;
  struct timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (r + "/home/app/data").c_str(), times, 0), 0);
  Write(src + "/stage.json", kStageJson, 0644, 0, 0);

  base::Result<oci::Layer> blob = WriteStageArchive(src, t.path(), 2);
  ASSERT_TRUE(blob) << blob.error().message();
  EXPECT_EQ(blob->descriptor.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(blob->path, t.path() + "/" + blob->descriptor.digest.substr(7));
  std::string dst = t.path() + "/dst";
  ASSERT_EQ(mkdir(dst.c_str(), 0700), 0);
  base::Result<void> unpacked =
      UnpackStageArchive(blob->path, "blob", dst, "k1", blob->uncompressed_size);
  ASSERT_TRUE(unpacked) << unpacked.error().message();

  base::Result<fs::Tree> a = ReadDirTree(src), b = ReadDirTree(dst);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->size(), b->size());
  for (const auto& [path, n] : a->entries()) {
    const fs::Node* m = b->Find(path);
    ASSERT_NE(m, nullptr) << path;
    EXPECT_EQ(m->type, n.type) << path;
    EXPECT_EQ(m->mode, n.mode) << path;
    EXPECT_EQ(m->uid, n.uid) << path;
    EXPECT_EQ(m->gid, n.gid) << path;
    EXPECT_EQ(m->link, n.link) << path;
    EXPECT_EQ(m->size, n.size) << path;
    EXPECT_EQ(m->xattrs, n.xattrs) << path;
    EXPECT_EQ(m->dev_major, n.dev_major) << path;
    EXPECT_EQ(m->dev_minor, n.dev_minor) << path;
    if (n.type == fs::NodeType::kFile || n.type == fs::NodeType::kSymlink) {
      EXPECT_EQ(m->mtime, n.mtime) << path;
    }
  }
  EXPECT_EQ(b->Find("rootfs/usr/bin/su2")->type, fs::NodeType::kHardlink);
  EXPECT_EQ(b->Find("rootfs/usr/bin/su2")->link, "rootfs/usr/bin/su");
  EXPECT_EQ(b->Find("rootfs/usr/bin/su")->mode, 04755u);
  EXPECT_EQ(b->Find("rootfs/home/app/data")->mtime, 1700000000);
  EXPECT_EQ(b->Find("rootfs/fifo")->type, fs::NodeType::kFifo);
  if (dev) {
    EXPECT_EQ(b->Find("rootfs/null")->type, fs::NodeType::kCharDev);
  }
  if (xattr) {
    EXPECT_EQ(b->Find("rootfs/usr/bin/wall")->xattrs.size(), 1u);
  }
  EXPECT_EQ(*base::ReadFile(dst + "/rootfs/home/app/data"), "mine");

  // The same directory gives the same bytes, and only rootfs/ and
  // stage.json go in (not a runtime bundle left behind).
  ASSERT_TRUE(base::MakeDirs(src + "/bundle"));
  ASSERT_TRUE(base::WriteFileAtomic(src + "/bundle/config.json", "{}"));
  std::string again = t.path() + "/again";
  ASSERT_TRUE(base::MakeDirs(again));
  base::Result<oci::Layer> blob2 = WriteStageArchive(src, again, 1);
  ASSERT_TRUE(blob2);
  EXPECT_EQ(blob2->descriptor.digest, blob->descriptor.digest);
}

TEST(StageArchiveTest, RefusesEntriesEscapingTheRoot) {
  TempDir t;
  std::string ok = RawEntry("rootfs/", '5') + RawEntry("stage.json", '0', "", kStageJson);
  EXPECT_EQ(UnpackRaw(t, ok), "");
  EXPECT_EQ(UnpackRaw(t, ok + RawEntry("rootfs/../../evil", '0', "", "x")),
            "'blob': entry 'rootfs/../../evil' escapes the root");
  EXPECT_EQ(UnpackRaw(t, ok + RawEntry("/etc/evil", '0', "", "x")),
            "'blob': entry '/etc/evil' is absolute");
  EXPECT_EQ(UnpackRaw(t, ok + RawEntry("rootfs/h", '1', "../../etc/passwd")),
            "'blob': entry 'rootfs/h' is a hardlink to '../../etc/passwd' outside the root");
  EXPECT_EQ(UnpackRaw(t, ok + RawEntry("rootfs/h", '1', "stage.json")),
            "'blob': hardlink 'rootfs/h' leaves rootfs/");
  EXPECT_EQ(UnpackRaw(t, ok + RawEntry("evil", '0', "", "x")),
            "'blob': entry 'evil' is not part of a stage result");
  EXPECT_EQ(
      UnpackRaw(t, RawEntry("rootfs", '2', "/") + RawEntry("stage.json", '0', "", kStageJson)),
      "'blob': entry 'rootfs' is not part of a stage result");
  // A symlink out of the root, then a write through it: it lands inside
  // rootfs/ (the symlink resolves there, as in the container), or fails
  // when its target is missing there.
  std::string name = "distill-evil-" + std::to_string(getpid());
  EXPECT_EQ(UnpackRaw(t, ok + RawEntry("rootfs/up", '2', "/tmp") +
                             RawEntry("rootfs/up/" + name, '0', "", "x") +
                             RawEntry("rootfs/dots", '2', "../../../../..") +
                             RawEntry("rootfs/dots/tmp/" + name + "2", '0', "", "y")),
            "'blob': '/up': no such file or directory");
  EXPECT_FALSE(base::PathExists("/tmp/" + name));
  ASSERT_TRUE(base::MakeDirs(t.path() + "/x"));
  EXPECT_EQ(UnpackRaw(t, ok + RawEntry("rootfs/tmp/", '5') + RawEntry("rootfs/up", '2', "/tmp") +
                             RawEntry("rootfs/up/" + name, '0', "", "x") +
                             RawEntry("rootfs/dots", '2', "../../../../..") +
                             RawEntry("rootfs/dots/tmp/" + name + "2", '0', "", "y")),
            "");
  EXPECT_FALSE(base::PathExists("/tmp/" + name));
  EXPECT_FALSE(base::PathExists("/tmp/" + name + "2"));
  EXPECT_EQ(*base::ReadFile(t.path() + "/out/rootfs/tmp/" + name), "x");
  EXPECT_EQ(*base::ReadFile(t.path() + "/out/rootfs/tmp/" + name + "2"), "y");
}

TEST(StageArchiveTest, RefusesAWrongKeyAndMoreThanDeclared) {
  TempDir t;
  std::string dir = RawEntry("rootfs/", '5');
  EXPECT_EQ(UnpackRaw(t, dir + RawEntry("stage.json", '0', "", "{\"key\": \"k2\"}")),
            "'blob': holds the result for key 'k2', not 'k1'");
  EXPECT_EQ(UnpackRaw(t, dir), "'blob': holds the result for key '(none)', not 'k1'");
  EXPECT_EQ(UnpackRaw(t, RawEntry("stage.json", '0', "", kStageJson)),
            "'blob': no rootfs directory");
  EXPECT_EQ(UnpackRaw(t, dir + RawEntry("rootfs/big", '0', "", std::string(600, 'x')), 512),
            "'blob': holds more than the 512 bytes its cache entry declares");
}

}  // namespace
}  // namespace build
