// The run-check: will the image's entrypoint start? It must exist and be
// executable; a script's '#!' interpreter must be there too; an ELF
// program's loader (PT_INTERP) and every shared library it needs, directly
// or through other libraries, must resolve inside the image by glibc ld.so's
// search rules (formats.md G2). Missing pieces are collected, not fatal, so
// one build reports all of them (issue 5, items 3 and 4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyze/image_view.h"
#include "analyze/library_search.h"
#include "base/error.h"

namespace analyze {

enum class ProblemKind { kMissingEntrypoint, kNotExecutable, kMissingInterpreter, kMissingLibrary };

struct RunProblem {
  ProblemKind kind = ProblemKind::kMissingEntrypoint;
  // What is absent or unusable: an image path ('/usr/bin/python3'), a
  // command name searched in PATH ('python3'), or a DT_NEEDED name
  // ('libpq.so.5').
  std::string missing;
  // The file that needs it; empty for the entrypoint itself.
  std::string needed_by;
  // One line for the user, e.g. "'/app/server' needs 'libpq.so.5'".
  std::string message;
  friend bool operator==(const RunProblem&, const RunProblem&) = default;
};

// A file the check found would be executed or mapped: `path` as it is
// named (a PATH hit, a DT_NEEDED search hit), `real_path` with symlinks
// resolved. Minimize keeps both.
struct LoadedObject {
  std::string path;
  std::string real_path;
  friend bool operator==(const LoadedObject&, const LoadedObject&) = default;
};

struct RunCheck {
  std::vector<RunProblem> problems;   // in discovery order; none means runnable
  std::vector<LoadedObject> objects;  // in discovery order, each once
  bool ok() const { return problems.empty(); }
  // The DT_NEEDED names of the kMissingLibrary problems, sorted and unique:
  // what `packages: auto` looks up in the Contents index.
  std::vector<std::string> MissingLibraries() const;
};

// The PATH of the distroless images (and docker's default).
std::vector<std::string> DefaultPathDirs();

// Checks that each of `argv0_candidates` (normally one: Entrypoint[0], or
// Cmd[0] when there is no entrypoint) would run in the image. A command with
// a '/' is a path (relative ones start at `workdir`); a bare name is searched
// in `path_dirs` as execvp does. The problems found are returned, not failed
// on; the Result fails only for an unknown architecture, an unreadable file
// or a file whose ELF headers are malformed (which ld.so also refuses), with
// the file named: "checking '/app/server': string offset 90 is outside the
// string table". An empty candidate list yields no problems.
base::Result<RunCheck> CheckRunnable(const ImageView& image,
                                     const std::vector<std::string>& argv0_candidates,
                                     const std::string& workdir, std::string_view debian_arch,
                                     const std::vector<std::string>& path_dirs = DefaultPathDirs());

}  // namespace analyze
