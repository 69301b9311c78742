// The in-memory filesystem tree: what one layer (or one stage's root) holds,
// before it becomes a tar stream.
//
// Paths are stored normalized: relative to the root, no leading '/', no '.',
// '..' or empty components ("usr/bin/env"); the root itself is "". Entries are
// kept in a std::map, so iteration is bytewise-sorted, which puts every
// parent before its children — the order of a reproducible layer (formats.md
// A8). File content is referenced, not copied: a regular file points at a
// file on disk (a context file, or a byte range of a cache blob such as an
// uncompressed data.tar) or at shared in-memory bytes for small synthesized
// files (/etc/passwd).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace fs {

enum class NodeType { kFile, kDir, kSymlink, kHardlink, kCharDev, kBlockDev, kFifo };

// Where the bytes of a regular file come from.
struct Content {
  enum class Kind { kInline, kDiskFile };
  Kind kind = Kind::kInline;
  std::shared_ptr<const std::string> bytes;  // kInline
  std::string path;                          // kDiskFile
  uint64_t offset = 0;                       // kDiskFile: start of the range

  static Content Inline(std::string bytes) {
    return Content{Kind::kInline, std::make_shared<const std::string>(std::move(bytes)), "", 0};
  }
  static Content Disk(std::string path, uint64_t offset = 0) {
    return Content{Kind::kDiskFile, nullptr, std::move(path), offset};
  }
};

struct Node {
  NodeType type = NodeType::kFile;
  uint32_t mode = 0644;  // permission bits with suid/sgid/sticky (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t mtime = 0;
  uint64_t size = 0;  // regular files only
  // Symlink target as written (may be absolute), or for kHardlink the
  // normalized tree path of the file it shares content with.
  std::string link;
  Content content;  // regular files only
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
  // True for directories the tree made up as parents of an added path; an
  // explicit entry for the same directory replaces its attributes, while an
  // implicit one never overrides an explicit one.
  bool implicit = false;

  static Node Dir(uint32_t mode = 0755, uint32_t uid = 0, uint32_t gid = 0) {
    Node n;
    n.type = NodeType::kDir;
    n.mode = mode;
    n.uid = uid;
    n.gid = gid;
    return n;
  }
  static Node File(Content content, uint64_t size, uint32_t mode = 0644) {
    Node n;
    n.type = NodeType::kFile;
    n.content = std::move(content);
    n.size = size;
    n.mode = mode;
    return n;
  }
  static Node Symlink(std::string target) {
    Node n;
    n.type = NodeType::kSymlink;
    n.mode = 0777;
    n.link = std::move(target);
    return n;
  }
};

// Normalizes an absolute image path ("/usr//lib/./x" → "usr/lib/x"). '..'
// components are resolved lexically; one that would climb above the root is
// an error ("'/../etc' escapes the image root"). `require_absolute` rejects
// paths that do not start with '/' ("'app/x' is not an absolute path").
base::Result<std::string> NormalizePath(std::string_view path, bool require_absolute = true);

class Tree {
 public:
  Tree();

  // Adds or replaces the entry at `path` (already normalized). Missing parent
  // directories are created implicitly (0755, 0:0, mtime 0) unless they exist;
  // a parent that exists but is not a directory is an error. Replacing a
  // directory by a non-directory drops its subtree; a directory replacing a
  // directory keeps its children and takes the new attributes (the layer
  // rule of image-spec layer.md), unless the new one is implicit.
  base::Result<void> Add(const std::string& path, Node node);

  // The entry at a normalized path, or null.
  const Node* Find(const std::string& path) const;
  Node* FindMutable(const std::string& path);
  // Removes `path` and everything under it; returns the number of entries.
  size_t Remove(const std::string& path);

  const std::map<std::string, Node>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }

 private:
  base::Result<void> EnsureParents(const std::string& path, int64_t mtime);
  std::map<std::string, Node> entries_;
};

// The parent of a normalized path ("usr/bin" → "usr", "usr" → "").
std::string ParentPath(const std::string& path);

}  // namespace fs
