// The loader's library search, replayed inside an image (formats.md G2;
// glibc elf/dl-load.c, _dl_map_object and open_path; glibc 2.36 as in
// bookworm). Objects are loaded breadth first in DT_NEEDED order, as
// _dl_map_object_deps does, and each remembers the object that loaded it,
// because DT_RPATH is searched up that chain. For one NEEDED name of a
// requesting object:
//
//   1. a name already loaded (as a NEEDED name or a SONAME) is reused;
//   2. a name with '/' is a path (relative to the working directory);
//   3. unless the requester has DT_RUNPATH: the DT_RPATH of the requester,
//      of its loader, and so on up to the executable (an object's RPATH is
//      ignored when it also has RUNPATH);
//   4. the requester's DT_RUNPATH (its own direct needs only);
//   5. unless the requester was linked -z nodeflib: /lib/<triplet>,
//      /usr/lib/<triplet>, /lib, /usr/lib. There is no ld.so.cache step: no
//      ldconfig runs in a built image (formats.md G3).
//
// $ORIGIN, $LIB and $PLATFORM (also in braces) are expanded in RPATH,
// RUNPATH and NEEDED. $ORIGIN is the directory of the executable's real path
// (the kernel's /proc/self/exe) and, for a library, of the path it was opened
// by, symlinks not resolved. Every directory is tried with its glibc-hwcaps
// subdirectories first, then glibc 2.36's legacy tls/ and platform ones
// ($LIB = lib/<triplet> and this order checked with LD_DEBUG=libs on bookworm). A
// candidate of another ELF class, byte order or machine is skipped.
#include "analyze/library_search.h"

#include <utility>

#include "base/strings.h"

namespace analyze {
namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// `name` under `dir`, unless `name` is absolute.
std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty() || (!name.empty() && name[0] == '/')) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

bool SameTarget(const ElfInfo& a, const ElfInfo& b) {
  return a.elf_class == b.elf_class && a.data == b.data && a.machine == b.machine;
}

// If `s` at `pos` (just after a '$') names `token` as "$TOKEN" followed by
// '/' or the end, or as "${TOKEN}", returns how many bytes it spans after
// the '$'; else 0.
size_t TokenLength(std::string_view s, size_t pos, std::string_view token) {
  std::string_view rest = s.substr(pos);
  if (base::StartsWith(rest, token) && (rest.size() == token.size() || rest[token.size()] == '/'))
    return token.size();
  if (rest.size() >= token.size() + 2 && rest[0] == '{' && rest.substr(1, token.size()) == token &&
      rest[token.size() + 1] == '}')
    return token.size() + 2;
  return 0;
}

}  // namespace

base::Result<LoaderArch> LoaderArchFor(std::string_view debian_arch) {
  if (debian_arch == "amd64")
    return LoaderArch{"x86_64-linux-gnu", "x86_64", {"x86-64-v4", "x86-64-v3", "x86-64-v2"}};
  if (debian_arch == "arm64") return LoaderArch{"aarch64-linux-gnu", "aarch64", {}};
  if (debian_arch == "armhf") return LoaderArch{"arm-linux-gnueabihf", "v7l", {}};
  if (debian_arch == "armel") return LoaderArch{"arm-linux-gnueabi", "v5l", {}};
  if (debian_arch == "i386") return LoaderArch{"i386-linux-gnu", "i686", {}};
  if (debian_arch == "ppc64el")
    return LoaderArch{"powerpc64le-linux-gnu", "power8", {"power10", "power9"}};
  if (debian_arch == "s390x")
    return LoaderArch{"s390x-linux-gnu", "z13", {"z16", "z15", "z14", "z13"}};
  if (debian_arch == "riscv64") return LoaderArch{"riscv64-linux-gnu", "riscv64", {}};
  if (debian_arch == "mips64el") return LoaderArch{"mips64el-linux-gnuabi64", "mips64", {}};
  return base::Fail("unknown architecture '{}'", debian_arch);
}

LibrarySearch::LibrarySearch(const ImageView& image, LoaderArch arch, std::string workdir)
    : image_(image), arch_(std::move(arch)), workdir_(std::move(workdir)) {}

base::Result<std::vector<LibraryProblem>> LibrarySearch::Run(LoadedElf program) {
  program.loader = -1;
  real_paths_.insert(program.real_path);
  loaded_.push_back(std::move(program));
  std::vector<LibraryProblem> problems;
  DISTILL_TRY(LoadInterpreter(problems));
  // loaded_ grows while it is walked: that is the breadth-first order.
  for (size_t i = 0; i < loaded_.size(); ++i) {
    const std::vector<std::string> needed = loaded_[i].info.needed;
    for (const std::string& name : needed) DISTILL_TRY(LoadNeeded(i, name, problems));
  }
  return problems;
}

// PT_INTERP must exist at exactly that path. The loader is then in the link
// map under its SONAME, which is how libc.so.6's NEEDED
// "ld-linux-x86-64.so.2" is satisfied although no search dir holds it.
base::Result<void> LibrarySearch::LoadInterpreter(std::vector<LibraryProblem>& problems) {
  if (!loaded_[0].info.interpreter) return {};
  const std::string path = JoinPath(workdir_, *loaded_[0].info.interpreter);
  base::Result<ImageView::Resolved> r = image_.Resolve(path);
  if (!r) {
    problems.push_back({*loaded_[0].info.interpreter, loaded_[0].path, true});
    return {};
  }
  base::Result<ByteSource> source = image_.Open(*r);
  if (!source) return base::Fail(source.error());
  base::Result<ElfInfo> info = ParseElf(*source);
  if (!info) return base::Fail(info.error().Context("'{}'", path));
  names_.insert(path.substr(path.rfind('/') + 1));
  if (info->soname) names_.insert(*info->soname);
  if (real_paths_.insert(r->path).second) loaded_.push_back({path, r->path, *info, 0});
  return {};
}

base::Result<void> LibrarySearch::LoadNeeded(size_t requester, const std::string& name,
                                             std::vector<LibraryProblem>& problems) {
  if (names_.contains(name)) return {};
  const std::string expanded = ExpandTokens(name, Origin(requester));
  std::vector<std::string> candidates;
  if (expanded.find('/') != std::string::npos) {
    candidates.push_back(JoinPath(workdir_, expanded));
  } else {
    std::vector<std::string> subdirs;
    for (const std::string& h : arch_.hwcaps) subdirs.push_back("glibc-hwcaps/" + h);
    // glibc 2.36's legacy subdirectories, in the order `LD_DEBUG=libs`
    // shows them on bookworm amd64.
    const std::string& p = arch_.platform;
    subdirs.insert(subdirs.end(), {"tls/" + p + "/" + p, "tls/" + p, "tls", p + "/" + p, p, ""});
    for (const std::string& dir : SearchDirs(requester))
      for (const std::string& sub : subdirs)
        candidates.push_back(JoinPath(JoinPath(dir, sub), expanded));
  }
  for (const std::string& candidate : candidates) {
    base::Result<bool> found = TryCandidate(requester, candidate);
    if (!found) return base::Fail(found.error());
    if (!*found) continue;
    names_.insert(name);
    return {};
  }
  problems.push_back({name, loaded_[requester].path, false});
  return {};
}

// Loads the library at `path` if it exists and suits the executable; a file
// that exists but is no valid ELF stops the search, as it stops ld.so.
base::Result<bool> LibrarySearch::TryCandidate(size_t requester, const std::string& path) {
  base::Result<ImageView::Resolved> r = image_.Resolve(path);
  if (!r) return false;
  fs::NodeType type = r->entry.node->type;
  if (type != fs::NodeType::kFile && type != fs::NodeType::kHardlink) return false;
  if (real_paths_.contains(r->path)) return true;
  base::Result<ByteSource> source = image_.Open(*r);
  if (!source) return base::Fail(source.error());
  base::Result<ElfInfo> info = ParseElf(*source);
  if (!info) return base::Fail(info.error().Context("'{}'", path));
  if (!SameTarget(*info, loaded_[0].info)) return false;
  if (info->soname) names_.insert(*info->soname);
  real_paths_.insert(r->path);
  loaded_.push_back({path, r->path, std::move(*info), static_cast<int>(requester)});
  return true;
}

std::vector<std::string> LibrarySearch::SearchDirs(size_t requester) const {
  const ElfInfo& info = loaded_[requester].info;
  std::vector<std::string> dirs;
  if (!info.runpath) {
    for (int i = static_cast<int>(requester); i >= 0; i = loaded_[i].loader) {
      const ElfInfo& up = loaded_[i].info;
      if (up.rpath && !up.runpath) AddPathList(*up.rpath, Origin(i), dirs);
    }
  } else {
    AddPathList(*info.runpath, Origin(requester), dirs);
  }
  if (!info.NoDefaultLib()) {
    dirs.insert(dirs.end(),
                {"/lib/" + arch_.triplet, "/usr/lib/" + arch_.triplet, "/lib", "/usr/lib"});
  }
  return dirs;
}

std::string LibrarySearch::Origin(size_t object) const {
  return DirOf(object == 0 ? loaded_[0].real_path : loaded_[object].path);
}

std::string LibrarySearch::ExpandTokens(std::string_view s, const std::string& origin) const {
  const std::pair<std::string_view, std::string> tokens[] = {
      {"ORIGIN", origin}, {"LIB", "lib/" + arch_.triplet}, {"PLATFORM", arch_.platform}};
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    size_t len = 0;
    if (s[i] == '$') {
      for (const auto& [token, value] : tokens) {
        if ((len = TokenLength(s, i + 1, token)) == 0) continue;
        out += value;
        break;
      }
    }
    if (len == 0) out += s[i];
    i += len;
  }
  return out;
}

// Appends the directories of a colon-separated RPATH or RUNPATH; an empty
// element means the working directory, as it does for ld.so.
void LibrarySearch::AddPathList(const std::string& list, const std::string& origin,
                                std::vector<std::string>& dirs) const {
  for (const std::string& element : base::Split(list, ':')) {
    std::string dir = ExpandTokens(element, origin);
    dirs.push_back(dir.empty() ? workdir_ : JoinPath(workdir_, dir));
  }
}

}  // namespace analyze
