// The Dockerfile lowerer's state, shared by its files (internal to the
// frontend; the interface is dockerfile_lower.h): the Stage and Part records
// a Dockerfile stage is replayed into, and the Lowerer that replays it.
//   dockerfile_lower.cc    the walk over the instructions, variable scoping,
//                          ARG, ENV, LABEL, WORKDIR, USER, RUN, CMD, EXPOSE...
//   dockerfile_copy.cc     COPY and ADD, and the stage or image COPY --from names
//   dockerfile_stages.cc   FROM, and the reachable stages turned into the Spec
//                          and its StageSpecs
#pragma once

#include <deque>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "frontend/dockerfile.h"
#include "frontend/dockerfile_lower.h"
#include "frontend/dockerfile_words.h"
#include "oci/image.h"
#include "spec/spec.h"

namespace build::lowering {

inline const std::vector<std::string> kShell = {"/bin/sh", "-c"};

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Sets `key` in `pairs`, in place when present, else appended.
void SetPair(Pairs& pairs, const std::string& key, const std::string& value);
// The value of `key`, or null.
const std::string* FindPair(const Pairs& pairs, const std::string& key);
std::string Lower(std::string s);
// `path` made absolute against `dir` and normalized lexically (".." stops
// at the root, as in Docker); `keep_slash` keeps a trailing '/' that says
// "into this directory".
std::string AbsPath(const std::string& dir, const std::string& path, bool keep_slash);

// A CMD or ENTRYPOINT in shell form on a base without a shell: an error
// only if it ends up in the image's config.
struct ShellFormError {
  int line = 0;
  std::string keyword;
};

// A piece of a stage's filesystem recipe: files copied, then commands run,
// all with one workdir, environment and user.
struct Part {
  std::vector<FileSpec> files;
  std::vector<RunSpec> runs;
  std::string workdir = "/";
  Pairs env;
  std::string user;
  bool network = false;
  int line = 0;
};

struct Stage {
  std::string name;    // StageSpec name: the AS name, the stage index, or "image#N"
  int index = -1;      // position among the Dockerfile's stages; -1 for COPY --from=IMAGE
  int line = 0;        // the FROM line
  std::string parent;  // FROM <stage>: its name
  base::Result<ResolvedBase> root;  // the mapped base (the parent's, through FROM <stage>)
  std::vector<std::string> shell;
  Pairs args;  // ARGs of this stage that have a value
  Pairs env;   // ENV, in order (inherited through FROM <stage>)
  std::string workdir = "/";
  std::string user;
  ConfigSpec config;  // the image config so far (inherited through FROM <stage>)
  std::optional<ShellFormError> entrypoint_error, cmd_error;
  bool cmd_set = false;  // a CMD in this stage (ENTRYPOINT keeps it)
  std::vector<Part> parts;
  std::vector<std::string> deps;  // stages used by COPY --from

  std::string PartName(size_t i) const {
    return i + 1 == parts.size() ? name : fmt::format("{}#{}", name, i + 1);
  }
};

class Lowerer {
 public:
  Lowerer(const Dockerfile& df, const DockerfileOptions& o) : df_(df), opts_(o) {}

  base::Result<Spec> Run();

 private:
  std::unexpected<base::Error> Fail(int line, const std::string& what) const {
    return base::Fail(DockerfileError(df_, line, what));
  }

  // Wraps an error from a helper (words, references) with the line.
  template <typename T>
  std::unexpected<base::Error> At(int line, const base::Result<T>& r) const {
    return Fail(line, r.error().message());
  }

  std::optional<std::string> Automatic(const std::string& name);
  VarLookup GlobalVars();
  VarLookup StageVars(const Stage& s);
  static std::string DefaultPath(const Stage& s);
  base::Result<void> CheckFlags(const DockerInstruction& ins,
                                const std::vector<std::string>& allowed);

  static const std::string* Flag(const DockerInstruction& ins, const std::string& name) {
    const std::string* found = nullptr;
    for (const auto& [k, v] : ins.flags)
      if (k == name) found = &v;
    return found;
  }

  // dockerfile_lower.cc
  base::Result<void> Arg(const DockerInstruction& ins, Stage* stage);
  base::Result<void> Instruction(Stage& s, const DockerInstruction& ins);
  base::Result<void> RunInstruction(Stage& s, const DockerInstruction& ins);
  base::Result<void> Command(Stage& s, const DockerInstruction& ins);
  base::Result<void> Expose(Stage& s, const DockerInstruction& ins);
  Pairs RunEnv(const Stage& s) const;
  Part& RunPart(Stage& s, int line, bool network);
  // dockerfile_copy.cc
  base::Result<void> Copy(Stage& s, const DockerInstruction& ins);
  base::Result<std::string> StageRef(const Stage& s, const std::string& ref, int line);
  // dockerfile_stages.cc
  base::Result<void> From(const DockerInstruction& ins);
  base::Result<Stage*> Target();
  std::vector<const Stage*> Reachable(const Stage& target);
  base::Result<Spec> Finish();
  base::Result<void> CheckReachable(const std::vector<const Stage*>& stages, Spec& spec);
  void BaseAndFiles(const std::vector<Stage*>& chain, Spec& spec);
  base::Result<void> EmitStages(Spec& spec);

  Part& FilesPart(Stage& s, int line) {
    if (!s.parts.back().runs.empty()) OpenPart(s, line);
    return s.parts.back();
  }

  void OpenPart(Stage& s, int line) {
    Part p;
    p.workdir = s.workdir;
    p.user = s.user;
    p.line = line;
    s.parts.push_back(std::move(p));
  }

  Stage* Find(const std::string& name) {
    for (Stage& s : stages_)
      if (s.name == name) return &s;
    for (Stage& s : images_)
      if (s.name == name) return &s;
    return nullptr;
  }

  const Dockerfile& df_;
  const DockerfileOptions& opts_;
  std::string target_platform_;
  Pairs automatic_;    // TARGETPLATFORM, BUILDARCH, ...
  Pairs global_args_;  // ARGs before the first FROM that have a value
  bool used_target_args_ = false;
  std::set<std::string> all_names_;  // every stage's AS name, lower case
  std::deque<Stage> stages_;         // the Dockerfile's stages, in order
  std::deque<Stage> images_;         // stages made for COPY --from=IMAGE
};

}  // namespace build::lowering
