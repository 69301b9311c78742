// The stages of a lowered Dockerfile: FROM opens one, and once every
// instruction is replayed, the target stage (the last one, or --target) and
// the stages it reaches become the Spec. When neither the target nor the
// stages it is FROM run anything, their COPYs are the Spec's `files:` over
// the mapped base, one layer per instruction. Otherwise the filesystem after
// its last RUN is a stage copied whole (`from: STAGE, src: /, dst: /`) onto
// the base (scratch for a Debian root), and the COPYs after that RUN are
// layers on top. Every part those files need, directly or through a part's
// base, becomes a StageSpec; unreachable stages are skipped, as BuildKit does.
#include <cctype>
#include <map>
#include <set>

#include "base/strings.h"
#include "frontend/dockerfile_lowerer.h"

namespace build::lowering {

base::Result<void> Lowerer::From(const DockerInstruction& ins) {
  DISTILL_TRY(CheckFlags(ins, {"platform"}));
  if (const std::string* p = Flag(ins, "platform")) {
    // Every stage is built for the platform being built; a stage pinned to
    // another one (cross-compiling from $BUILDPLATFORM) cannot be honoured.
    static const std::set<std::string> kOwn = {"$BUILDPLATFORM", "${BUILDPLATFORM}",
                                               "$TARGETPLATFORM", "${TARGETPLATFORM}"};
    if (!kOwn.contains(*p)) {
      base::Result<std::string> v = ExpandWord(*p, GlobalVars(), df_.escape, opts_.limits);
      if (!v) return At(ins.line, v);
      if (*v != target_platform_)
        return Fail(ins.line, fmt::format("FROM --platform '{}' differs from the platform being "
                                          "built ('{}'); distill builds every stage for it",
                                          *v, target_platform_));
    }
  }
  base::Result<std::vector<std::string>> words =
      ExpandWords(ins.rest, GlobalVars(), df_.escape, opts_.limits);
  if (!words) return At(ins.line, words);
  Stage s;
  s.index = static_cast<int>(stages_.size());
  s.line = ins.line;
  s.name = std::to_string(s.index);
  if (words->size() == 3 && Lower((*words)[1]) == "as") {
    std::string name = Lower((*words)[2]);
    bool valid = isalpha(static_cast<unsigned char>(name[0]));
    for (char c : name)
      valid &= isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!valid)
      return Fail(ins.line, fmt::format("invalid stage name '{}' (a letter, then letters, digits, "
                                        "'-', '_' or '.')",
                                        (*words)[2]));
    for (const Stage& other : stages_)
      if (other.name == name)
        return Fail(ins.line,
                    fmt::format("duplicate stage name '{}' (also at line {})", name, other.line));
    s.name = name;
  } else if (words->size() != 1) {
    return Fail(ins.line, "FROM takes an image and an optional 'AS name'");
  }
  const std::string& image = (*words)[0];
  if (Stage* parent = Find(Lower(image)); parent && parent->index >= 0) {
    s.parent = parent->name;
    s.root = parent->root;
    s.shell = parent->shell;
    s.env = parent->env;
    s.workdir = parent->workdir;
    s.user = parent->user;
    s.config = parent->config;
    s.entrypoint_error = parent->entrypoint_error;
    s.cmd_error = parent->cmd_error;
  } else {
    s.root = ResolveFromImage(image, opts_.base_map);
    s.shell = s.root ? s.root->shell : kShell;
    if (s.root) s.workdir = s.root->workdir;
    if (s.root && s.root->kind == RootKind::kDebian) {
      // What the debian images' config holds.
      s.config.env.emplace_back("PATH", oci::kDefaultPath);
      s.config.cmd = std::vector<std::string>{"bash"};
    }
  }
  OpenPart(s, ins.line);
  stages_.push_back(std::move(s));
  return {};
}

// The stage --target names; the last stage without one.
base::Result<Stage*> Lowerer::Target() {
  if (opts_.target.empty()) return &stages_.back();
  Stage* target = Find(Lower(opts_.target));
  if (target && target->index >= 0) return target;
  std::vector<std::string> names;
  for (const Stage& s : stages_) names.push_back(s.name);
  std::string close = base::ClosestMatch(Lower(opts_.target), names);
  return base::Fail("{}: no stage named '{}' for --target{}", df_.path, opts_.target,
                    close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close));
}

// The stages `target` reaches (FROM <stage>, COPY --from): image stages
// first, then the Dockerfile's, in order.
std::vector<const Stage*> Lowerer::Reachable(const Stage& target) {
  std::set<std::string> seen;
  std::vector<std::string> todo = {target.name};
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    if (!seen.insert(name).second) continue;
    Stage* st = Find(name);
    if (!st->parent.empty() && st->index >= 0) todo.push_back(st->parent);
    for (const std::string& d : st->deps) todo.push_back(d);
  }
  std::vector<const Stage*> reachable;
  for (const Stage& s : images_)
    if (seen.contains(s.name)) reachable.push_back(&s);
  for (const Stage& s : stages_)
    if (seen.contains(s.name)) reachable.push_back(&s);
  return reachable;
}

base::Result<Spec> Lowerer::Finish() {
  base::Result<Stage*> found = Target();
  if (!found) return base::Fail(found.error());
  Stage* target = *found;
  Spec spec;
  spec.from_dockerfile = true;
  spec.path = df_.path;
  spec.source_text = df_.text;
  DISTILL_TRY(CheckReachable(Reachable(*target), spec));
  if (target->entrypoint_error || target->cmd_error) {
    const ShellFormError& e =
        target->entrypoint_error ? *target->entrypoint_error : *target->cmd_error;
    return Fail(e.line, fmt::format("{} in shell form needs /bin/sh, and base '{}' has no shell "
                                    "(use the JSON form: {} [\"...\"])",
                                    e.keyword, target->root->label, e.keyword));
  }
  // The chain of FROM <stage> from the mapped base up to the target.
  std::vector<Stage*> chain = {target};
  while (!chain.front()->parent.empty()) chain.insert(chain.begin(), Find(chain.front()->parent));
  spec.base_mark = {chain.front()->line, 1};
  spec.config = target->config;
  BaseAndFiles(chain, spec);
  DISTILL_TRY(EmitStages(spec));
  return spec;
}

// The Spec's base and `files:` for the FROM <stage> chain `chain`.
void Lowerer::BaseAndFiles(const std::vector<Stage*>& chain, Spec& spec) {
  const ResolvedBase& root = *chain.front()->root;
  // The last part (in chain order) that runs something: everything up to it
  // is a stage; the files after it are the image's own layers.
  const Stage* run_stage = nullptr;
  size_t run_part = 0;
  for (const Stage* st : chain)
    for (size_t i = 0; i < st->parts.size(); ++i)
      if (!st->parts[i].runs.empty()) run_stage = st, run_part = i;
  if (!run_stage && root.kind == RootKind::kDebian) run_stage = chain.front();
  bool keeps_base = root.kind == RootKind::kBuiltin || root.kind == RootKind::kSpecFile ||
                    root.kind == RootKind::kRegistry;
  spec.base = !run_stage || keeps_base ? root.base : "scratch";
  if (run_stage) {
    FileSpec all;
    all.from = run_stage->PartName(run_part);
    all.src = "/";
    all.dst = "/";
    all.mark = all.src_mark = all.dst_mark = {run_stage->parts[run_part].line, 1};
    spec.files.push_back(all);
  }
  bool after = !run_stage;
  for (const Stage* st : chain)
    for (size_t i = 0; i < st->parts.size(); ++i) {
      if (after)
        for (const FileSpec& f : st->parts[i].files) spec.files.push_back(f);
      if (st == run_stage && i == run_part) after = true;
    }
}

// Errors deferred until a stage is known to be needed (BuildKit never looks
// at unreachable stages), and the one Debian suite of the image.
base::Result<void> Lowerer::CheckReachable(const std::vector<const Stage*>& stages, Spec& spec) {
  const Stage* suite_from = nullptr;
  for (const Stage* st : stages) {
    if (!st->root) return Fail(st->line, st->root.error().message());
    if (!st->parent.empty() && st->index >= 0) continue;  // the parent's base
    const std::string& suite = st->root->suite;
    if (suite.empty()) continue;
    if (suite_from && suite_from->root->suite != suite)
      return Fail(st->line, fmt::format("this stage is Debian '{}' and the one at line {} is '{}'; "
                                        "an image is built from one Debian release",
                                        suite, suite_from->line, suite_from->root->suite));
    suite_from = st;
  }
  if (suite_from) {
    spec.has_debian = true;
    spec.debian.suite = suite_from->root->suite;
    spec.debian.mark = {suite_from->line, 1};
  }
  if (used_target_args_ && opts_.several_platforms)
    return base::Fail(
        "{}: $TARGET* variables take one value per platform; build one --platform "
        "at a time from this Dockerfile",
        df_.path);
  return {};
}

// The StageSpecs the image needs: every part that the Spec's files, or a
// needed part's base and files, name. Image stages first (they need
// nothing), then the Dockerfile's stages in order.
base::Result<void> Lowerer::EmitStages(Spec& spec) {
  std::map<std::string, StageSpec> parts;
  std::vector<std::string> order;
  auto add = [&](const Stage& st) {
    for (size_t i = 0; i < st.parts.size(); ++i) {
      const Part& p = st.parts[i];
      StageSpec out;
      out.name = st.PartName(i);
      if (i > 0)
        out.base = st.PartName(i - 1);
      else if (!st.parent.empty() && st.index >= 0)
        out.base = st.parent;
      else if (st.root) {
        out.base = st.root->base;
        out.packages = st.root->packages;
      }
      out.files = p.files;
      out.workdir = p.workdir;
      out.env = p.env;
      out.user = p.user;
      out.run = p.runs;
      out.network = p.network;
      out.mark = {p.line, 1};
      out.base_mark = {st.line, 1};
      order.push_back(out.name);
      parts[out.name] = std::move(out);
    }
  };
  for (const Stage& st : images_) add(st);
  for (const Stage& st : stages_) add(st);
  std::set<std::string> needed;
  std::vector<std::string> todo;
  for (const FileSpec& f : spec.files)
    if (!f.from.empty()) todo.push_back(f.from);
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    auto it = parts.find(name);
    if (it == parts.end() || !needed.insert(name).second) continue;
    todo.push_back(it->second.base);
    for (const FileSpec& f : it->second.files)
      if (!f.from.empty()) todo.push_back(f.from);
  }
  for (const std::string& name : order) {
    if (!needed.contains(name)) continue;
    spec.stages.push_back(parts[name]);
  }
  spec.has_stages = !spec.stages.empty();
  if (spec.has_stages) spec.stages_mark = spec.stages.front().base_mark;
  return {};
}

}  // namespace build::lowering
