// The run-check over an ImageView (issue 5 item 3). For each command it
// finds the file the runtime would execve(2) — a path, or a bare name looked
// up in PATH as execvp(3) does, skipping non-executable hits — and then
// checks what the kernel and the loader need next:
//
// - a '#!' script: the kernel reads the first line (at most 256 bytes,
//   BINPRM_BUF_SIZE) and runs the interpreter named there with the rest of
//   the line as one argument; the interpreter is checked the same way, and
//   for /usr/bin/env the command it names is searched in PATH;
// - an ELF program: PT_INTERP must exist at that exact path, and the
//   DT_NEEDED libraries are found breadth first, as ld.so maps them, by
//   glibc's rules (formats.md G2; glibc elf/dl-load.c _dl_map_object):
//   a name with '/' is a path; otherwise the requester's DT_RPATH and those
//   of its loaders up to the executable, unless the requester has
//   DT_RUNPATH; then the requester's own DT_RUNPATH; then, unless it was
//   linked -z nodeflib, the default dirs /lib/<triplet>, /usr/lib/<triplet>,
//   /lib, /usr/lib. No ld.so.cache: ldconfig never runs in a built image
//   (formats.md G3). Each directory is tried with its glibc-hwcaps and legacy
//   subdirectories first. A candidate of another ELF class, byte order or
//   machine is skipped, as ld.so does. A name already loaded (a NEEDED name
//   or SONAME seen before) is not searched again, which is why RPATH reach
//   depends on which object loaded a library first.
#include "analyze/closure.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "analyze/elf.h"
#include "analyze/library_search.h"
#include "base/strings.h"

namespace analyze {
namespace {

// Linux reads this much of a file to find a '#!' line (BINPRM_BUF_SIZE).
constexpr uint64_t kShebangBytes = 256;
// Nested interpreters the kernel follows before giving up (ELOOP).
constexpr int kMaxInterpreterDepth = 4;

std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::string Mode(uint32_t mode) { return fmt::format("{:04o}", mode & 07777); }

// An absolute form of `path`: relative paths start at `dir`.
std::string Absolute(const std::string& dir, const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  return (dir.empty() || dir.back() != '/' ? dir + "/" : dir) + path;
}

// `path` with '.', '..' and repeated slashes dropped lexically, for messages
// only: resolution keeps them, since '..' after a symlink differs.
std::string Display(const std::string& path) {
  base::Result<std::string> normal = fs::NormalizePath(path);
  return normal ? "/" + *normal : path;
}

bool IsRegular(const ImageView::Resolved& r) {
  fs::NodeType t = r.entry.node->type;
  return t == fs::NodeType::kFile || t == fs::NodeType::kHardlink;
}

bool IsExecutable(const ImageView::Resolved& r) { return (r.entry.node->mode & 0111) != 0; }

// The interpreter and its optional argument from a script's first bytes.
struct Shebang {
  std::string interpreter;
  std::string argument;
};

std::optional<Shebang> ParseShebang(std::string_view head) {
  if (!base::StartsWith(head, "#!")) return std::nullopt;
  std::string_view line = head.substr(
      2, head.find('\n') == std::string_view::npos ? std::string_view::npos : head.find('\n') - 2);
  line = base::Trim(line);
  size_t space = line.find_first_of(" \t");
  Shebang s;
  s.interpreter = std::string(line.substr(0, space));
  if (space != std::string_view::npos) s.argument = std::string(base::Trim(line.substr(space)));
  return s;
}

// The command /usr/bin/env runs for a '#!' argument such as "python3" or
// "-S python3 -u": the first word that is neither an option nor NAME=VALUE.
std::string EnvCommand(const std::string& argument) {
  for (std::string_view word : base::Split(argument, ' ')) {
    if (word.empty() || word[0] == '-' || word.find('=') != std::string_view::npos) continue;
    return std::string(word);
  }
  return "";
}

class Checker {
 public:
  Checker(const ImageView& image, LoaderArch arch, std::string workdir,
          std::vector<std::string> path_dirs)
      : image_(image),
        arch_(std::move(arch)),
        workdir_(std::move(workdir)),
        path_dirs_(std::move(path_dirs)) {}

  base::Result<void> CheckEntrypoint(const std::string& argv0) {
    std::string missing;
    std::optional<Found> found = FindCommand(argv0, true, &missing);
    if (!found) {
      AddProblem(ProblemKind::kMissingEntrypoint, missing, "",
                 fmt::format("entrypoint '{}' does not exist in the image", missing));
      return {};
    }
    if (!Usable(*found, fmt::format("entrypoint '{}'", found->shown), "")) return {};
    return CheckProgram(found->shown, found->resolved, 0);
  }

  RunCheck Take() { return std::move(result_); }

 private:
  struct Found {
    std::string shown;  // the absolute path as named
    ImageView::Resolved resolved;
  };

  void AddProblem(ProblemKind kind, std::string missing, std::string needed_by,
                  std::string message) {
    RunProblem p{kind, std::move(missing), std::move(needed_by), std::move(message)};
    if (std::find(result_.problems.begin(), result_.problems.end(), p) == result_.problems.end())
      result_.problems.push_back(std::move(p));
  }

  void AddObject(const std::string& path, const std::string& real_path) {
    LoadedObject o{path, real_path};
    if (std::find(result_.objects.begin(), result_.objects.end(), o) == result_.objects.end())
      result_.objects.push_back(std::move(o));
  }

  // Finds `command` as execve (a path; relative ones start at the working
  // directory) or, when `search_path` is set and it has no '/', as execvp
  // (in PATH). When there is none, sets `missing` to what was looked for.
  std::optional<Found> FindCommand(const std::string& command, bool search_path,
                                   std::string* missing) {
    if (!search_path || command.find('/') != std::string::npos) {
      std::string path = Absolute(workdir_, command);
      base::Result<ImageView::Resolved> r = image_.Resolve(path);
      if (r) return Found{Display(path), *r};
      *missing = Display(path);
      return std::nullopt;
    }
    std::optional<Found> not_executable;
    for (const std::string& dir : path_dirs_) {
      std::string path = Absolute(Absolute(workdir_, dir), command);
      base::Result<ImageView::Resolved> r = image_.Resolve(path);
      if (!r || !IsRegular(*r)) continue;
      if (IsExecutable(*r)) return Found{Display(path), *r};
      if (!not_executable) not_executable = Found{Display(path), *r};
    }
    // execvp reports EACCES when it met only non-executable files.
    if (not_executable) return not_executable;
    *missing = command;
    return std::nullopt;
  }

  // Records why `found` cannot be executed, if it cannot; `what` names it in
  // the message ("entrypoint '/app/run.sh'").
  bool Usable(const Found& found, const std::string& what, const std::string& needed_by) {
    if (!IsRegular(found.resolved)) {
      AddProblem(ProblemKind::kNotExecutable, found.shown, needed_by,
                 fmt::format("{} is not a regular file", what));
      return false;
    }
    if (!IsExecutable(found.resolved)) {
      AddProblem(ProblemKind::kNotExecutable, found.shown, needed_by,
                 fmt::format("{} is not executable (mode {})", what,
                             Mode(found.resolved.entry.node->mode)));
      return false;
    }
    return true;
  }

  base::Result<void> CheckProgram(const std::string& shown, const ImageView::Resolved& file,
                                  int depth) {
    AddObject(shown, file.path);
    base::Result<std::string> head = image_.ReadPrefix(file, kShebangBytes);
    if (!head) return base::Fail(head.error());
    if (HasElfMagic(*head)) return CheckElf(shown, file);
    std::optional<Shebang> shebang = ParseShebang(*head);
    // Anything else is left to the runtime (binfmt_misc may know it).
    if (!shebang || depth >= kMaxInterpreterDepth) return {};
    return CheckScript(shown, *shebang, depth);
  }

  // The '#!' path is opened as written (relative to the working directory
  // if relative); for /usr/bin/env, the command it names is searched in PATH.
  base::Result<void> CheckScript(const std::string& shown, const Shebang& shebang, int depth) {
    std::optional<Found> interp = FindInterpreter(shebang.interpreter, false, shown);
    if (!interp) return {};
    DISTILL_TRY(CheckProgram(interp->shown, interp->resolved, depth + 1));
    std::string command = EnvCommand(shebang.argument);
    if (BaseName(interp->shown) != "env" || command.empty()) return {};
    std::optional<Found> target = FindInterpreter(command, true, shown);
    if (!target) return {};
    return CheckProgram(target->shown, target->resolved, depth + 1);
  }

  // Finds the interpreter `name` of `script` and checks it is executable,
  // recording a problem and returning nothing otherwise.
  std::optional<Found> FindInterpreter(const std::string& name, bool search_path,
                                       const std::string& script) {
    std::string missing;
    std::optional<Found> found = FindCommand(name, search_path, &missing);
    if (!found) {
      AddProblem(
          ProblemKind::kMissingInterpreter, missing, script,
          fmt::format("'{}' needs interpreter '{}', which is not in the image", script, missing));
      return std::nullopt;
    }
    std::string what = fmt::format("interpreter '{}' of '{}'", found->shown, script);
    if (!Usable(*found, what, script)) return std::nullopt;
    return found;
  }

  base::Result<void> CheckElf(const std::string& shown, const ImageView::Resolved& file) {
    base::Result<ByteSource> source = image_.Open(file);
    if (!source) return base::Fail(source.error());
    base::Result<ElfInfo> info = ParseElf(*source);
    if (!info) return base::Fail(info.error().Context("'{}'", shown));
    LibrarySearch search(image_, arch_, workdir_);
    base::Result<std::vector<LibraryProblem>> missing =
        search.Run(LoadedElf{shown, file.path, *info, -1});
    if (!missing) return base::Fail(missing.error());
    for (const LoadedElf& o : search.loaded()) AddObject(o.path, o.real_path);
    for (const LibraryProblem& p : *missing) {
      if (p.interpreter) {
        AddProblem(ProblemKind::kMissingInterpreter, p.name, p.needed_by,
                   fmt::format("'{}' needs interpreter '{}', which is not in the image",
                               p.needed_by, p.name));
      } else {
        AddProblem(ProblemKind::kMissingLibrary, p.name, p.needed_by,
                   fmt::format("'{}' needs '{}'", p.needed_by, p.name));
      }
    }
    return {};
  }

  const ImageView& image_;
  LoaderArch arch_;
  std::string workdir_;
  std::vector<std::string> path_dirs_;
  RunCheck result_;
};

}  // namespace

std::vector<std::string> RunCheck::MissingLibraries() const {
  std::set<std::string> names;
  for (const RunProblem& p : problems)
    if (p.kind == ProblemKind::kMissingLibrary) names.insert(p.missing);
  return {names.begin(), names.end()};
}

std::vector<std::string> DefaultPathDirs() {
  return {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"};
}

base::Result<RunCheck> CheckRunnable(const ImageView& image,
                                     const std::vector<std::string>& argv0_candidates,
                                     const std::string& workdir, std::string_view debian_arch,
                                     const std::vector<std::string>& path_dirs) {
  base::Result<LoaderArch> arch = LoaderArchFor(debian_arch);
  if (!arch) return base::Fail(arch.error());
  Checker checker(image, *arch, workdir.empty() ? "/" : workdir, path_dirs);
  for (const std::string& argv0 : argv0_candidates) {
    base::Result<void> r = checker.CheckEntrypoint(argv0);
    if (!r) return base::Fail(r.error().Context("checking '{}'", argv0));
  }
  return checker.Take();
}

}  // namespace analyze
