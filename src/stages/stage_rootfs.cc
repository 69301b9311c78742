// Stage roots on disk. Everything written into a root goes through one
// directory file descriptor and openat2(2) with RESOLVE_IN_ROOT (Linux
// 5.6): the root's own symlinks resolve as they would inside the container,
// so a package or a context file that plants `usr/lib/x -> /etc` makes a
// later write to usr/lib/x/passwd land in the root's /etc, never the host's.
// Only the last path component is created with the *at() calls, without
// following it.
//
// Unpacking follows dpkg's rules where they differ from tar's: a directory
// entry over a symlink to a directory keeps the symlink (merged /usr: the
// root's bin -> usr/bin survives a package shipping ./bin/), and anything
// else replaces what is there.
#include "stages/stage_rootfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "archive/deb_file.h"
#include "archive/tar_reader.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "compose/layers.h"
#include "debian/deb822.h"
#include "fs/tar_node.h"
#include "oci/layer_writer.h"

namespace build {

namespace {

using Fd = base::UniqueFd;

int OpenAt2(int dirfd, const std::string& rel, uint64_t flags) {
  struct open_how how = {};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long r = syscall(SYS_openat2, dirfd, rel.empty() ? "." : rel.c_str(), &how, sizeof how);
    if (r >= 0 || errno != EAGAIN) return static_cast<int>(r);
  }
}

std::string Leaf(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

// Copies `in` to its end, or only `limit` bytes when given.
base::Result<void> CopyFd(int in, int out, const std::string& name,
                          std::optional<uint64_t> limit = std::nullopt) {
  char buf[1 << 16];
  uint64_t left = limit.value_or(UINT64_MAX);
  while (left > 0) {
    ssize_t n = read(in, buf, std::min<uint64_t>(sizeof buf, left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::Fail("reading '{}': {}", name, base::ErrnoText());
    if (n == 0) {
      if (limit) return base::Fail("reading '{}': file ends early", name);
      return {};
    }
    left -= static_cast<uint64_t>(n);
    base::FdSink sink(out, name);
    DISTILL_TRY(sink.Write(std::string_view(buf, static_cast<size_t>(n))));
  }
  return {};
}

}  // namespace

base::Result<RootDir> RootDir::Open(const std::string& path, bool create) {
  if (create) DISTILL_TRY(base::MakeDirs(path));
  int fd = open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return base::Fail("opening '{}': {}", path, base::ErrnoText());
  return RootDir(path, fd);
}

RootDir::~RootDir() {
  if (fd_ >= 0) close(fd_);
}

base::Result<int> RootDir::OpenDir(const std::string& rel, bool create) const {
  int fd = OpenAt2(fd_, rel, O_PATH | O_DIRECTORY);
  if (fd >= 0) return fd;
  if (errno != ENOENT || !create || rel.empty())
    return base::Fail("'/{}': {}", rel, base::ErrnoText());
  base::Result<int> parent = OpenDir(fs::ParentPath(rel), true);
  if (!parent) return base::Fail(parent.error());
  Fd p(*parent);
  if (mkdirat(p.fd, Leaf(rel).c_str(), 0755) != 0 && errno != EEXIST)
    return base::Fail("creating '/{}': {}", rel, base::ErrnoText());
  fd = OpenAt2(fd_, rel, O_PATH | O_DIRECTORY);
  if (fd < 0) return base::Fail("'/{}': {}", rel, base::ErrnoText());
  return fd;
}

base::Result<void> RootDir::MakeDirs(const std::string& rel) {
  base::Result<int> fd = OpenDir(rel, true);
  if (!fd) return base::Fail(fd.error());
  close(*fd);
  return {};
}

base::Result<void> RootDir::Put(const archive::TarEntry& e,
                                const std::function<base::Result<void>(int fd)>& content) {
  auto fail = [&](const char* what) {
    return base::Fail("{} '/{}': {}", what, e.path, base::ErrnoText());
  };
  if (e.path.empty()) {  // the root itself: only its attributes
    std::string self = "/proc/self/fd/" + std::to_string(fd_);
    if (chown(self.c_str(), e.uid, e.gid) != 0 || chmod(self.c_str(), e.mode & 07777) != 0)
      return fail("setting attributes of");
    return {};
  }
  base::Result<int> parent_fd = OpenDir(fs::ParentPath(e.path), true);
  if (!parent_fd) return base::Fail(parent_fd.error());
  Fd parent(*parent_fd);
  std::string leaf = Leaf(e.path);
  const char* name = leaf.c_str();
  struct stat st;
  bool exists = fstatat(parent.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
  uint32_t mode = e.mode & 07777;
  if (e.type == archive::EntryType::kDir) {
    if (exists && S_ISLNK(st.st_mode)) {
      int through = OpenAt2(fd_, e.path, O_PATH | O_DIRECTORY);
      if (through >= 0) {  // a symlink to a directory stays, as dpkg keeps it
        close(through);
        return {};
      }
    }
    if (exists && !S_ISDIR(st.st_mode) && unlinkat(parent.fd, name, 0) != 0)
      return fail("replacing");
    if ((!exists || !S_ISDIR(st.st_mode)) && mkdirat(parent.fd, name, 0700) != 0)
      return fail("creating");
    if (fchownat(parent.fd, name, e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0 ||
        fchmodat(parent.fd, name, mode, 0) != 0)
      return fail("setting attributes of");
    return {};
  }
  if (exists && unlinkat(parent.fd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
    return fail("replacing");
  struct timespec times[2] = {{e.mtime, 0}, {e.mtime, 0}};
  switch (e.type) {
    case archive::EntryType::kFile: {
      Fd f(openat(parent.fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (f.fd < 0) return fail("creating");
      if (content) DISTILL_TRY(content(f.fd));
      // chown first: it clears setuid and setgid bits, which fchmod then sets.
      if (fchown(f.fd, e.uid, e.gid) != 0 || fchmod(f.fd, mode) != 0 || futimens(f.fd, times) != 0)
        return fail("setting attributes of");
      return {};
    }
    case archive::EntryType::kSymlink:
      if (symlinkat(e.link.c_str(), parent.fd, name) != 0) return fail("creating symlink");
      if (fchownat(parent.fd, name, e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0 ||
          utimensat(parent.fd, name, times, AT_SYMLINK_NOFOLLOW) != 0)
        return fail("setting attributes of");
      return {};
    case archive::EntryType::kHardlink: {
      base::Result<int> target_dir = OpenDir(fs::ParentPath(e.link), false);
      if (!target_dir) return base::Fail(target_dir.error().Context("hardlink '/{}'", e.path));
      Fd t(*target_dir);
      if (linkat(t.fd, Leaf(e.link).c_str(), parent.fd, name, 0) != 0)
        return fail("creating hardlink");
      return {};
    }
    default: {
      mode_t type = e.type == archive::EntryType::kCharDev    ? S_IFCHR
                    : e.type == archive::EntryType::kBlockDev ? S_IFBLK
                                                              : S_IFIFO;
      if (mknodat(parent.fd, name, type | mode, makedev(e.dev_major, e.dev_minor)) != 0)
        return fail("creating");
      if (fchownat(parent.fd, name, e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0 ||
          fchmodat(parent.fd, name, mode, 0) != 0)
        return fail("setting attributes of");
      return {};
    }
  }
}

base::Result<void> RootDir::SetXattrs(
    const std::string& rel, const std::vector<std::pair<std::string, std::string>>& xattrs) {
  Fd f(OpenAt2(fd_, rel, O_PATH | O_NOFOLLOW));
  struct stat st;
  if (f.fd < 0 || fstat(f.fd, &st) != 0) return base::Fail("'/{}': {}", rel, base::ErrnoText());
  if (S_ISLNK(st.st_mode)) return base::Fail("'/{}': a symlink takes no extended attributes", rel);
  // An O_PATH descriptor takes no fsetxattr(2); its /proc link does.
  std::string self = "/proc/self/fd/" + std::to_string(f.fd);
  for (const auto& [name, value] : xattrs)
    if (setxattr(self.c_str(), name.c_str(), value.data(), value.size(), 0) != 0)
      return base::Fail("setting attribute '{}' of '/{}': {}", name, rel, base::ErrnoText());
  return {};
}

base::Result<void> RootDir::PutTree(const fs::Tree& tree) {
  for (const auto& [path, node] : tree.entries()) {
    if (path.empty()) continue;  // the root keeps its own attributes
    // A parent the tree made up must not reset an existing directory's
    // owner and mode (/usr, a home directory).
    if (node.type == fs::NodeType::kDir && node.implicit) {
      DISTILL_TRY(MakeDirs(path));
      continue;
    }
    archive::TarEntry e = fs::TarFromNode(path, node);
    auto content = [&](int fd) -> base::Result<void> {
      if (node.content.kind == fs::Content::Kind::kInline) {
        base::FdSink sink(fd, path);
        return sink.Write(node.content.bytes ? *node.content.bytes : std::string());
      }
      Fd in(open(node.content.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (in.fd < 0) return base::Fail("opening '{}': {}", node.content.path, base::ErrnoText());
      // Exactly node.size bytes from the offset: the content may be a byte
      // range of a larger blob (an unpacked data.tar).
      if (lseek(in.fd, static_cast<off_t>(node.content.offset), SEEK_SET) < 0)
        return base::Fail("seeking '{}': {}", node.content.path, base::ErrnoText());
      return CopyFd(in.fd, fd, node.content.path, node.size);
    };
    DISTILL_TRY(Put(e, content));
  }
  return {};
}

bool RootDir::Exists(const std::string& rel) const {
  int fd = OpenAt2(fd_, rel, O_PATH);
  if (fd < 0) return false;
  close(fd);
  return true;
}

base::Result<std::string> RootDir::ReadFile(const std::string& rel) const {
  Fd f(OpenAt2(fd_, rel, O_RDONLY));
  if (f.fd < 0) {
    if (errno == ENOENT) return std::string();
    return base::Fail("reading '/{}': {}", rel, base::ErrnoText());
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::Fail("reading '/{}': {}", rel, base::ErrnoText());
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

base::Result<void> RootDir::WriteFile(const std::string& rel, const std::string& bytes,
                                      uint32_t mode) {
  archive::TarEntry e;
  e.path = rel;
  e.mode = mode;
  e.size = bytes.size();
  return Put(e, [&](int fd) { return base::FdSink(fd, rel).Write(bytes); });
}

base::Result<void> RootDir::Remove(const std::string& rel) {
  base::Result<int> parent_fd = OpenDir(fs::ParentPath(rel), false);
  if (!parent_fd) return {};  // no parent, nothing to remove
  Fd parent(*parent_fd);
  struct stat st;
  if (fstatat(parent.fd, Leaf(rel).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
  if (unlinkat(parent.fd, Leaf(rel).c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
    return base::Fail("removing '/{}': {}", rel, base::ErrnoText());
  return {};
}

base::Result<std::string> RootDir::Resolve(const std::string& rel) const {
  Fd f(OpenAt2(fd_, rel, O_PATH));
  if (f.fd < 0) return base::Fail("'/{}': {}", rel, base::ErrnoText());
  char buf[4096];
  std::string link = "/proc/self/fd/" + std::to_string(f.fd);
  ssize_t n = readlink(link.c_str(), buf, sizeof buf);
  if (n < 0) return base::Fail("'/{}': {}", rel, base::ErrnoText());
  std::string real(buf, static_cast<size_t>(n));
  char root_buf[4096];
  std::string root_link = "/proc/self/fd/" + std::to_string(fd_);
  ssize_t m = readlink(root_link.c_str(), root_buf, sizeof root_buf);
  if (m < 0) return base::Fail("'{}': {}", path_, base::ErrnoText());
  std::string root(root_buf, static_cast<size_t>(m));
  if (real == root) return std::string();
  if (!base::StartsWith(real, root + "/")) return base::Fail("'/{}' escapes the root", rel);
  return real.substr(root.size() + 1);
}

base::Result<void> RootDir::RemoveAll(const std::string& rel) {
  if (rel.empty()) return ClearDir(rel);
  std::string parent = fs::ParentPath(rel);
  if (!Exists(parent)) return {};
  base::Result<std::string> real = Resolve(parent);
  if (!real) return base::Fail(real.error());
  std::string host = path_ + "/" + (real->empty() ? "" : *real + "/") + Leaf(rel);
  struct stat st;
  if (lstat(host.c_str(), &st) != 0) return {};
  return RemoveRoot(host);
}

base::Result<void> RootDir::ClearDir(const std::string& rel) {
  if (!Exists(rel)) return {};
  base::Result<std::string> real = Resolve(rel);
  if (!real) return base::Fail(real.error());
  std::string host = real->empty() ? path_ : path_ + "/" + *real;
  std::error_code ec;
  if (!std::filesystem::is_directory(std::filesystem::symlink_status(host, ec))) return {};
  for (const std::filesystem::directory_entry& e : std::filesystem::directory_iterator(host, ec))
    DISTILL_TRY(RemoveRoot(e.path().string()));
  if (ec) return base::Fail("reading '/{}': {}", rel, ec.message());
  return {};
}

base::Result<void> ApplyLayer(const std::string& path, const std::string& name, RootDir& root) {
  auto open = [&]() -> base::Result<std::unique_ptr<archive::TarReader>> {
    return archive::TarReader::OpenFile(path, name);
  };
  // Pass 1: the whiteouts, which apply to the layers below only.
  base::Result<std::unique_ptr<archive::TarReader>> reader = open();
  if (!reader) return base::Fail(reader.error());
  for (;;) {
    base::Result<std::optional<archive::TarEntry>> e = (*reader)->Next();
    if (!e) return base::Fail(e.error());
    if (!*e) break;
    Whiteout w = ParseWhiteout((*e)->path);
    if (w.kind == Whiteout::Kind::kNone) continue;
    base::Result<void> r =
        w.kind == Whiteout::Kind::kOpaque ? root.ClearDir(w.target) : root.RemoveAll(w.target);
    if (!r) return base::Fail(r.error().Context("'{}': applying '{}'", name, (*e)->path));
  }
  // Pass 2: the layer's own entries.
  reader = open();
  if (!reader) return base::Fail(reader.error());
  archive::TarReader& tar = **reader;
  for (;;) {
    base::Result<std::optional<archive::TarEntry>> e = tar.Next();
    if (!e) return base::Fail(e.error());
    if (!*e) return {};
    if (ParseWhiteout((*e)->path).kind != Whiteout::Kind::kNone) continue;
    base::Result<void> r = root.Put(**e, [&](int fd) -> base::Result<void> {
      base::FdSink sink(fd, (*e)->path);
      return tar.ReadData(&sink);
    });
    if (!r) return base::Fail(r.error().Context("unpacking '{}'", name));
  }
}

base::Result<void> ExtractDeb(const std::string& deb_path, const std::string& name, RootDir& root) {
  base::Result<archive::DebFile> deb = archive::DebFile::Open(deb_path, name);
  if (!deb) return base::Fail(deb.error());
  base::Result<std::unique_ptr<archive::TarReader>> data = deb->OpenData();
  if (!data) return base::Fail(data.error().Context("'{}'", name));
  archive::TarReader& reader = **data;
  for (;;) {
    base::Result<std::optional<archive::TarEntry>> e = reader.Next();
    if (!e) return base::Fail(e.error().Context("'{}'", name));
    if (!*e) return {};
    base::Result<void> r = root.Put(**e, [&](int fd) -> base::Result<void> {
      base::FdSink sink(fd, (*e)->path);
      return reader.ReadData(&sink);
    });
    if (!r) return base::Fail(r.error().Context("unpacking '{}'", name));
  }
}

namespace {

struct CopyState {
  std::map<std::pair<dev_t, ino_t>, std::string> inodes;  // first path of each hardlinked file
};

base::Result<void> CopyXattrs(const std::string& from, const std::string& to) {
  char names[4096];
  ssize_t n = llistxattr(from.c_str(), names, sizeof names);
  if (n <= 0) return {};
  for (ssize_t i = 0; i < n; i += static_cast<ssize_t>(strlen(names + i)) + 1) {
    char value[4096];
    ssize_t v = lgetxattr(from.c_str(), names + i, value, sizeof value);
    if (v < 0) continue;
    if (lsetxattr(to.c_str(), names + i, value, static_cast<size_t>(v), 0) != 0)
      return base::Fail("copying extended attribute '{}' to '{}': {}", names + i, to,
                        base::ErrnoText());
  }
  return {};
}

base::Result<void> CopyOne(CopyState& s, const std::string& from, const std::string& to) {
  struct stat st;
  if (lstat(from.c_str(), &st) != 0) return base::Fail("'{}': {}", from, base::ErrnoText());
  auto fail = [&](const char* what) {
    return base::Fail("{} '{}': {}", what, to, base::ErrnoText());
  };
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
    auto [it, fresh] = s.inodes.emplace(std::make_pair(st.st_dev, st.st_ino), to);
    if (!fresh) {
      if (link(it->second.c_str(), to.c_str()) != 0) return fail("linking");
      return {};
    }
  }
  if (S_ISDIR(st.st_mode)) {
    if (mkdir(to.c_str(), 0700) != 0) return fail("creating");
    DIR* d = opendir(from.c_str());
    if (!d) return base::Fail("reading '{}': {}", from, base::ErrnoText());
    std::vector<std::string> names;
    while (dirent* e = readdir(d))
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
    closedir(d);
    for (const std::string& n : names) DISTILL_TRY(CopyOne(s, from + "/" + n, to + "/" + n));
  } else if (S_ISREG(st.st_mode)) {
    Fd in(open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (in.fd < 0) return base::Fail("opening '{}': {}", from, base::ErrnoText());
    Fd out(open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (out.fd < 0) return fail("creating");
    for (;;) {  // in-kernel copy (and reflinks where the file system has them)
      ssize_t n = copy_file_range(in.fd, nullptr, out.fd, nullptr, 1 << 30, 0);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP) {
          DISTILL_TRY(CopyFd(in.fd, out.fd, to));
          break;
        }
        return fail("copying to");
      }
    }
  } else if (S_ISLNK(st.st_mode)) {
    std::vector<char> buf(static_cast<size_t>(st.st_size) + 1);
    ssize_t n = readlink(from.c_str(), buf.data(), buf.size());
    if (n < 0) return base::Fail("'{}': {}", from, base::ErrnoText());
    if (symlink(std::string(buf.data(), static_cast<size_t>(n)).c_str(), to.c_str()) != 0)
      return fail("creating symlink");
  } else if (mknod(to.c_str(), st.st_mode, st.st_rdev) != 0) {
    return fail("creating");
  }
  if (lchown(to.c_str(), st.st_uid, st.st_gid) != 0) return fail("setting the owner of");
  if (!S_ISLNK(st.st_mode) && chmod(to.c_str(), st.st_mode & 07777) != 0)
    return fail("setting the mode of");
  DISTILL_TRY(CopyXattrs(from, to));
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (utimensat(AT_FDCWD, to.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("setting the times of");
  return {};
}

}  // namespace

base::Result<void> CopyRoot(const std::string& from, const std::string& to) {
  CopyState s;
  return CopyOne(s, from, to);
}

base::Result<void> RemoveRoot(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return base::Fail("removing '{}': {}", path, ec.message());
  return {};
}

base::Result<std::map<std::string, std::string>> DpkgStatus(const RootDir& root) {
  base::Result<std::string> text = root.ReadFile("var/lib/dpkg/status");
  if (!text) return base::Fail(text.error());
  base::Result<std::vector<debian::Stanza>> stanzas =
      debian::ParseDeb822(*text, "/var/lib/dpkg/status");
  if (!stanzas) return base::Fail(stanzas.error());
  std::map<std::string, std::string> out;
  for (const debian::Stanza& s : *stanzas)
    out[std::string(s.Get("Package"))] = std::string(s.Get("Status"));
  return out;
}

}  // namespace build
