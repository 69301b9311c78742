// The directories merged /usr turns into symlinks into /usr (Debian's
// usrmerge, trixie's default layout; formats.md F): one list for the
// unpacker, the Contents lookups and build-stage roots.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace fs {

// Every directory merged /usr can alias, on any architecture.
inline constexpr std::array<std::string_view, 6> kMergedUsrDirs = {"bin",   "sbin",  "lib",
                                                                   "lib32", "lib64", "libx32"};

// True when `top` (a top-level directory name) is one of kMergedUsrDirs.
inline bool IsMergedUsrDir(std::string_view top) {
  return std::find(kMergedUsrDirs.begin(), kMergedUsrDirs.end(), top) != kMergedUsrDirs.end();
}

// The ones a merged-/usr root of Debian architecture `arch` has, as
// mmdebstrap's merged-usr hook and the usrmerge package make them.
inline std::vector<std::string> MergedUsrDirsFor(std::string_view arch) {
  std::vector<std::string> dirs = {"bin", "sbin", "lib"};
  if (arch == "amd64") dirs.insert(dirs.end(), {"lib32", "lib64", "libx32"});
  if (arch == "i386") dirs.insert(dirs.end(), {"lib64", "libx32"});
  if (arch == "ppc64el" || arch == "mips64el") dirs.push_back("lib64");
  if (arch == "s390x") dirs.push_back("lib32");
  return dirs;
}

}  // namespace fs
