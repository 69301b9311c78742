// A tar entry's metadata as a tree node, and back: the one place that maps
// archive::TarEntry fields onto fs::Node fields (the layer writer, the .deb
// unpacker, registry-base layers and build-stage roots all convert).
#pragma once

#include <string>

#include "archive/tar_entry.h"
#include "fs/tree.h"

namespace fs {

// The two enums list the same types; these conversions rely on it.
static_assert(static_cast<int>(NodeType::kFile) == static_cast<int>(archive::EntryType::kFile));
static_assert(static_cast<int>(NodeType::kDir) == static_cast<int>(archive::EntryType::kDir));
static_assert(static_cast<int>(NodeType::kSymlink) ==
              static_cast<int>(archive::EntryType::kSymlink));
static_assert(static_cast<int>(NodeType::kHardlink) ==
              static_cast<int>(archive::EntryType::kHardlink));
static_assert(static_cast<int>(NodeType::kCharDev) ==
              static_cast<int>(archive::EntryType::kCharDev));
static_assert(static_cast<int>(NodeType::kBlockDev) ==
              static_cast<int>(archive::EntryType::kBlockDev));
static_assert(static_cast<int>(NodeType::kFifo) == static_cast<int>(archive::EntryType::kFifo));

inline archive::EntryType TarType(NodeType t) { return static_cast<archive::EntryType>(t); }

// `e`'s type, mode, owner, mtime, size (regular files only), link target,
// device numbers and xattrs; no content (the caller knows where it is).
inline Node NodeFromTar(const archive::TarEntry& e) {
  Node n;
  n.type = static_cast<NodeType>(e.type);
  n.mode = e.mode;
  n.uid = e.uid;
  n.gid = e.gid;
  n.mtime = e.mtime;
  n.size = e.type == archive::EntryType::kFile ? e.size : 0;
  n.link = e.link;
  n.dev_major = e.dev_major;
  n.dev_minor = e.dev_minor;
  n.xattrs = e.xattrs;
  return n;
}

// The tar entry for `node` at `path`: the same fields, mode masked to 07777.
inline archive::TarEntry TarFromNode(std::string path, const Node& node) {
  archive::TarEntry e;
  e.path = std::move(path);
  e.type = TarType(node.type);
  e.mode = node.mode & 07777;
  e.uid = node.uid;
  e.gid = node.gid;
  e.mtime = node.mtime;
  e.size = node.type == NodeType::kFile ? node.size : 0;
  e.link = node.link;
  e.dev_major = node.dev_major;
  e.dev_minor = node.dev_minor;
  e.xattrs = node.xattrs;
  return e;
}

}  // namespace fs
