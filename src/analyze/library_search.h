// LibrarySearch: the shared-library closure of one ELF program inside an
// image, found the way glibc's ld.so would find it at run time (formats.md
// G2, G4). The run-check uses it; minimize can keep exactly what it loads.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/elf.h"
#include "analyze/image_view.h"
#include "base/error.h"

namespace analyze {

// Multiarch facts about one Debian architecture that the loader uses.
struct LoaderArch {
  std::string triplet;              // "x86_64-linux-gnu": the default dirs and $LIB
  std::string platform;             // $PLATFORM and glibc 2.36's legacy platform subdir
  std::vector<std::string> hwcaps;  // glibc-hwcaps subdirs, best first
};
// The facts for `debian_arch` ("amd64"); "unknown architecture 'x'" otherwise.
base::Result<LoaderArch> LoaderArchFor(std::string_view debian_arch);

// One object in the link map.
struct LoadedElf {
  std::string path;       // as ld.so opened it (unresolved; $ORIGIN comes from it)
  std::string real_path;  // symlinks resolved
  ElfInfo info;
  int loader = -1;  // index in LibrarySearch::loaded() of the object that loaded it
};

// A name that could not be found, and who needed it.
struct LibraryProblem {
  std::string name;          // the DT_NEEDED name, or the PT_INTERP path
  std::string needed_by;     // the requesting object's path
  bool interpreter = false;  // true: PT_INTERP is missing
  friend bool operator==(const LibraryProblem&, const LibraryProblem&) = default;
};

class LibrarySearch {
 public:
  // The view must outlive the search; `workdir` is the process's working
  // directory, where relative RPATH entries and NEEDED paths start.
  LibrarySearch(const ImageView& image, LoaderArch arch, std::string workdir);

  // Loads `program` (its loader index is ignored), its interpreter, and
  // breadth first every DT_NEEDED library, each real file once. Returns the
  // names that did not resolve. Fails only when a file cannot be read or a
  // candidate library is not a valid ELF file (ld.so stops there too):
  // "'/usr/lib/libfoo.so.1': not an elf file".
  base::Result<std::vector<LibraryProblem>> Run(LoadedElf program);

  // The program first, then its interpreter and libraries in load order.
  const std::vector<LoadedElf>& loaded() const { return loaded_; }

 private:
  base::Result<void> LoadInterpreter(std::vector<LibraryProblem>& problems);
  base::Result<void> LoadNeeded(size_t requester, const std::string& name,
                                std::vector<LibraryProblem>& problems);
  base::Result<bool> TryCandidate(size_t requester, const std::string& path);
  std::vector<std::string> SearchDirs(size_t requester) const;
  std::string Origin(size_t object) const;
  std::string ExpandTokens(std::string_view s, const std::string& origin) const;
  void AddPathList(const std::string& list, const std::string& origin,
                   std::vector<std::string>& dirs) const;

  const ImageView& image_;
  LoaderArch arch_;
  std::string workdir_;
  std::vector<LoadedElf> loaded_;
  std::set<std::string> names_;       // NEEDED names and SONAMEs already loaded
  std::set<std::string> real_paths_;  // files already loaded
};

}  // namespace analyze
