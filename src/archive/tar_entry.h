// The tar entry as distill's writer takes it and its reader yields it: one
// struct for both directions, so a layer can be read and rewritten as is.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace archive {

enum class EntryType { kFile, kDir, kSymlink, kHardlink, kCharDev, kBlockDev, kFifo };

// One tar entry. `path` is relative, with no leading "/" or "./" and no ".."
// component ("usr/bin/x"); directories get their trailing "/" on output.
// `link` is the symlink target, or for a hardlink the path of an earlier entry
// in the same archive (relative, as `path`). `size` is used for kFile only.
// `mtime` is written as given, in whole seconds: the caller clamps it.
struct TarEntry {
  std::string path{};
  EntryType type = EntryType::kFile;
  uint32_t mode = 0;  // masked to 07777
  uint32_t uid = 0, gid = 0;
  int64_t mtime = 0;
  uint64_t size = 0;
  std::string link{};
  uint32_t dev_major = 0, dev_minor = 0;
  // Extended attributes, written as PAX SCHILY.xattr.<name> records in the
  // order given (the caller sorts them).
  std::vector<std::pair<std::string, std::string>> xattrs{};
};

}  // namespace archive
