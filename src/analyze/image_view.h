// ImageView: a read-only view of an image's root filesystem as a container
// engine would see it after applying the layers in order, for analyses that
// ask "does this path exist at run time, and what is in it?" — the run-check,
// the ELF closure, minimize.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/byte_source.h"
#include "base/error.h"
#include "fs/tree.h"

namespace analyze {

// Symlinks followed while resolving one path before giving up (Linux's
// MAXSYMLINKS).
inline constexpr int kMaxSymlinkHops = 40;

class ImageView {
 public:
  // `layers` are bottom first: a later layer's entry replaces an earlier
  // one's, and a non-directory in a later layer hides everything an earlier
  // layer has below that path (image-spec layer.md). The trees are not owned
  // and must outlive the view.
  explicit ImageView(std::vector<const fs::Tree*> layers);

  // One visible entry and the index of the layer it comes from.
  struct Entry {
    const fs::Node* node = nullptr;
    size_t layer = 0;
  };
  // A path resolved to the entry it finally names: `path` is the real
  // absolute path ("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"; "/" for the
  // root), with every symlink on the way followed.
  struct Resolved {
    std::string path;
    Entry entry;
  };

  // The visible entry at a normalized tree path ("usr/bin/env", "" for the
  // root), symlinks not followed; null node when there is none.
  Entry Lookup(const std::string& path) const;

  // Resolves the absolute `path` inside the image root, following symlinks in
  // every component, the last one included unless `follow_last` is false.
  // Absolute link targets start again at the image root, relative ones at the
  // link's directory, and '..' at the root stays at the root, so nothing
  // escapes the image. Errors: "'/x': no such file or directory",
  // "'/x/y': not a directory", "'/x': too many levels of symbolic links",
  // "'x' is not an absolute path".
  base::Result<Resolved> Resolve(std::string_view path, bool follow_last = true) const;

  // Random access to a resolved regular file (or hard link to one); the
  // source keeps in-memory content alive and shares one descriptor for disk
  // content. Fails for other node types ("'/x' is not a regular file") and
  // when a disk range cannot be opened.
  base::Result<ByteSource> Open(const Resolved& file) const;
  // The first min(n, size) bytes of a regular file.
  base::Result<std::string> ReadPrefix(const Resolved& file, uint64_t n) const;
  // The whole file; "'/x' is larger than N bytes" when it exceeds `max_bytes`.
  base::Result<std::string> ReadFile(const Resolved& file, uint64_t max_bytes) const;

 private:
  bool HiddenIn(size_t layer, const std::string& path) const;
  std::vector<const fs::Tree*> layers_;
};

}  // namespace analyze
