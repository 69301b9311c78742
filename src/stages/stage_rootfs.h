// A build stage's root filesystem as a real directory on the host: writing
// entries into it with every path resolved inside it (so a symlink the root
// holds, relative or absolute, can never lead a write out of it), unpacking
// .debs into it, copying and removing whole roots, and reading its dpkg
// state.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "archive/tar_entry.h"
#include "base/error.h"
#include "fs/tree.h"

namespace build {

// A root directory, open. Paths given to its methods are relative,
// normalized ("usr/bin/x"); they are resolved as if the root were '/'
// (openat2 RESOLVE_IN_ROOT), so ".." and absolute symlinks stay inside.
class RootDir {
 public:
  // Opens (and with `create`, first makes) the directory at `path`.
  static base::Result<RootDir> Open(const std::string& path, bool create);
  RootDir(RootDir&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
    other.fd_ = -1;
  }
  RootDir& operator=(RootDir&&) = delete;
  ~RootDir();

  const std::string& path() const { return path_; }

  // Creates `rel` and its missing parents as directories (0755, root).
  base::Result<void> MakeDirs(const std::string& rel);
  // Writes one entry as dpkg's unpack does: a directory over an existing
  // directory (or a symlink to one) keeps it and takes the new owner and
  // mode; anything else replaces what is there. A regular file's bytes come
  // from `content`, called with the open file descriptor. Owner, mode
  // (including setuid bits) and mtime are applied.
  base::Result<void> Put(const archive::TarEntry& entry,
                         const std::function<base::Result<void>(int fd)>& content);
  // Sets extended attributes ("security.capability", ...) on `rel`, which
  // must not be a symlink.
  base::Result<void> SetXattrs(const std::string& rel,
                               const std::vector<std::pair<std::string, std::string>>& xattrs);
  // Writes every entry of `tree` (file bytes from their Content).
  base::Result<void> PutTree(const fs::Tree& tree);
  // True when `rel` exists (symlinks followed inside the root).
  bool Exists(const std::string& rel) const;
  // Reads a file of the root, "" when it does not exist.
  base::Result<std::string> ReadFile(const std::string& rel) const;
  // Writes a regular file (0644, root) with `bytes`.
  base::Result<void> WriteFile(const std::string& rel, const std::string& bytes,
                               uint32_t mode = 0644);
  // Removes `rel` (a file, symlink or empty directory) if it exists.
  base::Result<void> Remove(const std::string& rel);
  // `rel` with its symlinks resolved inside the root: the relative path of
  // what it names ("bin/sh" → "usr/bin/dash" on a merged-/usr root).
  base::Result<std::string> Resolve(const std::string& rel) const;
  // Removes `rel` and everything below it; its parents are resolved inside
  // the root, the last component is not followed. A missing path is no error.
  base::Result<void> RemoveAll(const std::string& rel);
  // Removes everything inside the directory `rel`, keeping the directory.
  base::Result<void> ClearDir(const std::string& rel);

 private:
  RootDir(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  base::Result<int> OpenDir(const std::string& rel, bool create) const;
  std::string path_;
  int fd_ = -1;
};

// Unpacks the data.tar of the .deb at `deb_path` (named `name` in errors)
// into `root`, as `dpkg-deb --extract` would, through RootDir::Put.
base::Result<void> ExtractDeb(const std::string& deb_path, const std::string& name, RootDir& root);

// Applies the OCI layer blob at `path` (a tar, gzip or zstd; `name` in
// errors) to `root` as a container engine does (image-spec layer.md
// "Applying Changesets"): its whiteouts (`.wh.NAME`) and opaque markers
// (`.wh..wh..opq`) first remove what lower layers put there, then its
// entries are written through Put.
base::Result<void> ApplyLayer(const std::string& path, const std::string& name, RootDir& root);

// Copies the directory tree `from` to `to` (which must not exist),
// preserving types, owners, modes, times, hardlinks and extended attributes.
base::Result<void> CopyRoot(const std::string& from, const std::string& to);

// Removes `path` and everything below it; a missing path is no error.
base::Result<void> RemoveRoot(const std::string& path);

// The "Package: Status" pairs of the root's /var/lib/dpkg/status.
base::Result<std::map<std::string, std::string>> DpkgStatus(const RootDir& root);

}  // namespace build
