// Lowering a parsed Dockerfile onto the spec model. Instructions are
// replayed stage by stage with Docker's scoping rules (global ARGs only in
// FROM, ARG per stage, ENV inherited by FROM <stage>, WORKDIR relative to
// the previous one), building for each stage:
//   - its image config (what the target stage leaves is the Spec's config);
//   - its filesystem recipe as "parts": a StageSpec copies its files first
//     and runs its commands after, so a Dockerfile stage whose COPY follows
//     a RUN (or whose WORKDIR, ENV, ARG or USER changes between RUNs) is cut
//     into several StageSpecs, each built on the previous one ("NAME#1",
//     "NAME#2", ... then "NAME"), which keeps Docker's order exactly.
// The target stage becomes the Spec: when neither it nor the stages it is
// FROM run anything, their COPYs are the Spec's `files:` over the mapped
// base, one layer per instruction. Otherwise the filesystem after its last
// RUN is a stage copied whole (`from: STAGE, src: /, dst: /`) onto the base
// (scratch for a Debian root), and the COPYs after that RUN are layers on top.
#include "frontend/dockerfile_lower.h"

#include <cctype>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "base/strings.h"
#include "frontend/dockerfile_words.h"
#include "oci/descriptor.h"

namespace build {

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const std::vector<std::string> kShell = {"/bin/sh", "-c"};

using Pairs = std::vector<std::pair<std::string, std::string>>;

void SetPair(Pairs& pairs, const std::string& key, const std::string& value) {
  for (auto& [k, v] : pairs)
    if (k == key) {
      v = value;
      return;
    }
  pairs.emplace_back(key, value);
}

const std::string* FindPair(const Pairs& pairs, const std::string& key) {
  for (const auto& [k, v] : pairs)
    if (k == key) return &v;
  return nullptr;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

// `path` made absolute against `dir` and normalized lexically (".." stops
// at the root, as in Docker); `keep_slash` keeps a trailing '/' that says
// "into this directory".
std::string AbsPath(const std::string& dir, const std::string& path, bool keep_slash) {
  std::string joined = !path.empty() && path[0] == '/' ? path : dir + "/" + path;
  std::vector<std::string> parts;
  for (const std::string& p : base::Split(joined, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  std::string out;
  for (const std::string& p : parts) out += "/" + p;
  if (out.empty()) return "/";
  bool dir_like = base::EndsWith(path, "/") || path == "." || base::EndsWith(path, "/.") ||
                  path == ".." || base::EndsWith(path, "/..");
  return keep_slash && dir_like ? out + "/" : out;
}

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
  bool Runs() const {
    for (const Part& p : parts)
      if (!p.runs.empty()) return true;
    return false;
  }
};

std::vector<std::string> PlatformArgs(const oci::Platform& target, const oci::Platform& host) {
  auto args = [](const std::string& prefix, const oci::Platform& p) {
    return std::vector<std::string>{prefix + "PLATFORM=" + p.ToString(), prefix + "OS=" + p.os,
                                    prefix + "ARCH=" + p.architecture,
                                    prefix + "VARIANT=" + p.variant};
  };
  std::vector<std::string> out = args("TARGET", target);
  for (const std::string& s : args("BUILD", host)) out.push_back(s);
  return out;
}

class Lowerer {
 public:
  Lowerer(const Dockerfile& df, const DockerfileOptions& o) : df_(df), opts_(o) {}

  base::Result<Spec> Run() {
    oci::Platform host = oci::HostPlatform();
    oci::Platform target = host;
    if (!opts_.platform.empty()) {
      base::Result<oci::Platform> p = oci::ParsePlatform(opts_.platform);
      if (!p) return base::Fail(p.error());
      target = *p;
    }
    target_platform_ = target.ToString();
    for (const std::string& kv : PlatformArgs(target, host)) {
      size_t eq = kv.find('=');
      automatic_.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    // Stage names up front, so that COPY --from a later stage says so.
    for (const DockerInstruction& ins : df_.instructions) {
      if (ins.keyword != "FROM") continue;
      base::Result<std::vector<std::string>> w = SplitWords(ins.rest, df_.escape);
      if (w && w->size() == 3 && Lower((*w)[1]) == "as") all_names_.insert(Lower((*w)[2]));
    }
    for (const DockerInstruction& ins : df_.instructions) {
      if (ins.keyword == "FROM") {
        DISTILL_TRY(From(ins));
      } else if (stages_.empty()) {
        if (ins.keyword != "ARG")
          return Fail(ins.line, fmt::format("{} before the first FROM (only ARG may come before "
                                            "FROM)",
                                            ins.keyword));
        DISTILL_TRY(Arg(ins, nullptr));
      } else {
        DISTILL_TRY(Instruction(stages_.back(), ins));
      }
    }
    if (stages_.empty()) return base::Fail("{}: no FROM instruction", df_.path);
    return Finish();
  }

 private:
  std::unexpected<base::Error> Fail(int line, const std::string& what) const {
    return base::Fail(DockerfileError(df_, line, what));
  }

  // Wraps an error from a helper (words, references) with the line.
  template <typename T>
  std::unexpected<base::Error> At(int line, const base::Result<T>& r) const {
    return Fail(line, r.error().message());
  }

  std::optional<std::string> Automatic(const std::string& name) {
    const std::string* v = FindPair(automatic_, name);
    if (!v) return std::nullopt;
    if (base::StartsWith(name, "TARGET")) used_target_args_ = true;
    return *v;
  }

  VarLookup GlobalVars() {
    return [this](const std::string& name) -> std::optional<std::string> {
      if (const std::string* v = FindPair(global_args_, name)) return *v;
      return Automatic(name);
    };
  }

  VarLookup StageVars(const Stage& s) {
    return [this, &s](const std::string& name) -> std::optional<std::string> {
      if (const std::string* v = FindPair(s.env, name)) return *v;
      if (const std::string* v = FindPair(s.args, name)) return *v;
      if (name == "PATH" && s.root && s.root->kind != RootKind::kScratch) return DefaultPath(s);
      return std::nullopt;
    };
  }

  static std::string DefaultPath(const Stage& s) {
    bool busybox = s.root && !s.root->shell.empty() && s.root->shell[0] == "/busybox/sh";
    return std::string(kDefaultPath) + (busybox ? ":/busybox" : "");
  }

  base::Result<void> CheckFlags(const DockerInstruction& ins,
                                const std::vector<std::string>& allowed) {
    for (const auto& [name, value] : ins.flags) {
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      std::string close = base::ClosestMatch(name, allowed);
      return Fail(ins.line,
                  fmt::format("unknown flag '--{}' for {}{}", name, ins.keyword,
                              close.empty() ? "" : fmt::format(" (did you mean '--{}'?)", close)));
    }
    return {};
  }

  static const std::string* Flag(const DockerInstruction& ins, const std::string& name) {
    const std::string* found = nullptr;
    for (const auto& [k, v] : ins.flags)
      if (k == name) found = &v;
    return found;
  }

  base::Result<void> From(const DockerInstruction& ins);
  base::Result<void> Arg(const DockerInstruction& ins, Stage* stage);
  base::Result<void> Instruction(Stage& s, const DockerInstruction& ins);
  base::Result<void> Copy(Stage& s, const DockerInstruction& ins);
  base::Result<void> RunInstruction(Stage& s, const DockerInstruction& ins);
  base::Result<void> Command(Stage& s, const DockerInstruction& ins);
  base::Result<void> Expose(Stage& s, const DockerInstruction& ins);
  base::Result<std::string> StageRef(const Stage& s, const std::string& ref, int line);
  base::Result<Spec> Finish();
  base::Result<void> CheckReachable(const std::vector<const Stage*>& stages, Spec& spec);
  base::Result<void> EmitStages(Spec& spec);

  Part& FilesPart(Stage& s, int line) {
    if (!s.parts.back().runs.empty()) OpenPart(s, line);
    return s.parts.back();
  }

  Pairs RunEnv(const Stage& s) const {
    Pairs env;
    bool busybox = s.root && !s.root->shell.empty() && s.root->shell[0] == "/busybox/sh";
    if (busybox) env.emplace_back("PATH", DefaultPath(s));
    for (const auto& [k, v] : s.args)
      if (!FindPair(s.env, k)) SetPair(env, k, v);
    for (const auto& [k, v] : s.env) SetPair(env, k, v);
    return env;
  }

  Part& RunPart(Stage& s, int line, bool network) {
    Pairs env = RunEnv(s);
    Part* p = &s.parts.back();
    if (!p->runs.empty() &&
        (p->workdir != s.workdir || p->env != env || p->user != s.user || p->network != network)) {
      OpenPart(s, line);
      p = &s.parts.back();
    }
    p->workdir = s.workdir;
    p->env = env;
    p->user = s.user;
    p->network = network;
    return *p;
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

base::Result<void> Lowerer::From(const DockerInstruction& ins) {
  DISTILL_TRY(CheckFlags(ins, {"platform"}));
  if (const std::string* p = Flag(ins, "platform")) {
    // Every stage is built for the platform being built; a stage pinned to
    // another one (cross-compiling from $BUILDPLATFORM) cannot be honoured.
    static const std::set<std::string> kOwn = {"$BUILDPLATFORM", "${BUILDPLATFORM}",
                                               "$TARGETPLATFORM", "${TARGETPLATFORM}"};
    if (!kOwn.contains(*p)) {
      base::Result<std::string> v = ExpandWord(*p, GlobalVars(), df_.escape);
      if (!v) return At(ins.line, v);
      if (*v != target_platform_)
        return Fail(ins.line, fmt::format("FROM --platform '{}' differs from the platform being "
                                          "built ('{}'); distill builds every stage for it",
                                          *v, target_platform_));
    }
  }
  base::Result<std::vector<std::string>> words = ExpandWords(ins.rest, GlobalVars(), df_.escape);
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
      s.config.env.emplace_back("PATH", kDefaultPath);
      s.config.cmd = std::vector<std::string>{"bash"};
    }
  }
  OpenPart(s, ins.line);
  stages_.push_back(std::move(s));
  return {};
}

base::Result<void> Lowerer::Arg(const DockerInstruction& ins, Stage* stage) {
  base::Result<std::vector<std::string>> words = SplitWords(ins.rest, df_.escape);
  if (!words) return At(ins.line, words);
  VarLookup vars = stage ? StageVars(*stage) : GlobalVars();
  for (const std::string& w : *words) {
    size_t eq = w.find('=');
    std::string name = w.substr(0, eq);
    if (name.empty()) return Fail(ins.line, fmt::format("ARG '{}' has no name", w));
    std::optional<std::string> value;
    for (const auto& [k, v] : opts_.build_args)
      if (k == name) value = v;
    if (!value && eq != std::string::npos) {
      base::Result<std::string> d = ExpandWord(w.substr(eq + 1), vars, df_.escape);
      if (!d) return At(ins.line, d);
      value = *d;
    }
    // A stage's `ARG NAME` brings in the global ARG's value, or the
    // automatic platform ARG's.
    if (!value && stage) {
      if (const std::string* g = FindPair(global_args_, name)) value = *g;
    }
    if (!value) value = Automatic(name);
    if (!value) continue;
    SetPair(stage ? stage->args : global_args_, name, *value);
  }
  return {};
}

base::Result<void> Lowerer::Instruction(Stage& s, const DockerInstruction& ins) {
  const std::string& k = ins.keyword;
  if (k == "COPY" || k == "ADD") return Copy(s, ins);
  if (k == "RUN") return RunInstruction(s, ins);
  if (k == "CMD" || k == "ENTRYPOINT") return Command(s, ins);
  if (k == "EXPOSE") return Expose(s, ins);
  if (k == "ARG") return Arg(ins, &s);
  DISTILL_TRY(CheckFlags(ins, {}));
  VarLookup vars = StageVars(s);
  if (k == "ENV" || k == "LABEL") {
    base::Result<Pairs> pairs = ExpandPairs(ins.rest, vars, df_.escape, /*legacy=*/true);
    if (!pairs) return At(ins.line, pairs);
    for (const auto& [key, value] : *pairs) {
      if (k == "LABEL") {
        s.config.labels[key] = value;
        continue;
      }
      SetPair(s.env, key, value);
      SetPair(s.config.env, key, value);
    }
    return {};
  }
  if (k == "MAINTAINER") {
    s.config.labels["maintainer"] = ins.rest;
    return {};
  }
  if (k == "SHELL") {
    if (ins.argv.empty())
      return Fail(ins.line, "SHELL needs a program, e.g. [\"/bin/sh\", \"-c\"]");
    s.shell = ins.argv;
    return {};
  }
  if (k == "VOLUME") {
    base::Result<std::vector<std::string>> vols =
        ins.json ? ins.argv : ExpandWords(ins.rest, vars, df_.escape);
    if (!vols) return At(ins.line, vols);
    for (const std::string& v : *vols) {
      if (v.empty()) return Fail(ins.line, "VOLUME with an empty path");
      s.config.volumes.push_back(AbsPath(s.workdir, v, false));
    }
    return {};
  }
  base::Result<std::string> word = ExpandWord(ins.rest, vars, df_.escape);
  if (!word) return At(ins.line, word);
  if (k == "WORKDIR") {
    s.workdir = AbsPath(s.workdir, *word, false);
    s.config.workdir = s.workdir;
  } else if (k == "USER") {
    s.user = *word;
    s.config.user = *word;
  } else if (k == "STOPSIGNAL") {
    s.config.stop_signal = *word;
  }
  return {};
}

base::Result<void> Lowerer::Copy(Stage& s, const DockerInstruction& ins) {
  bool add = ins.keyword == "ADD";
  DISTILL_TRY(
      CheckFlags(ins, add ? std::vector<std::string>{"chown", "chmod", "link"}
                          : std::vector<std::string>{"from", "chown", "chmod", "link", "exclude"}));
  VarLookup vars = StageVars(s);
  std::vector<std::string> words;
  for (const std::string& w : ins.argv) {
    base::Result<std::string> e = ExpandWord(w, vars, df_.escape);
    if (!e) return At(ins.line, e);
    words.push_back(*e);
  }
  if (!ins.json) {
    base::Result<std::vector<std::string>> e = ExpandWords(ins.rest, vars, df_.escape);
    if (!e) return At(ins.line, e);
    words = *e;
  }
  if (words.size() < 2)
    return Fail(ins.line, fmt::format("{} needs a source and a destination", ins.keyword));
  std::string dest = words.back();
  words.pop_back();
  if (words.size() > 1 && !base::EndsWith(dest, "/"))
    return Fail(ins.line, fmt::format("{} with several sources needs a directory destination "
                                      "ending in '/', got '{}'",
                                      ins.keyword, dest));
  FileSpec f;
  f.mark = f.src_mark = f.dst_mark = {ins.line, 1};
  f.dst = AbsPath(s.workdir, dest, true);
  if (words.size() > 1) f.layer = fmt::format("{}:{}", df_.path, ins.line);
  for (const auto& [name, raw] : ins.flags) {
    if (name == "link") continue;  // every layer is independent already
    base::Result<std::string> v = ExpandWord(raw, vars, df_.escape);
    if (!v) return At(ins.line, v);
    if (name == "chown") f.owner = *v;
    if (name == "exclude") f.exclude.push_back(*v);
    if (name == "chmod") {
      if (v->empty() || v->size() > 4 || v->find_first_not_of("01234567") != std::string::npos)
        return Fail(ins.line, fmt::format("invalid --chmod '{}' (expected octal such as 755)", *v));
      f.mode = static_cast<uint32_t>(std::stoul(*v, nullptr, 8));
    }
    if (name == "from") {
      base::Result<std::string> stage = StageRef(s, *v, ins.line);
      if (!stage) return base::Fail(stage.error());
      f.from = *stage;
      s.deps.push_back(*stage);
    }
  }
  Part& part = FilesPart(s, ins.line);
  for (const std::string& src : words) {
    if (add && (base::StartsWith(src, "http://") || base::StartsWith(src, "https://") ||
                base::StartsWith(src, "git@")))
      return Fail(ins.line, fmt::format("ADD from a URL is not supported ('{}'); download it in a "
                                        "build stage",
                                        src));
    FileSpec one = f;
    one.extract = add;
    if (f.from.empty()) {
      // Context paths are relative to the context even when written absolute.
      size_t start = src.find_first_not_of('/');
      one.src = start == std::string::npos ? "." : src.substr(start);
    } else {
      one.src = src[0] == '/' ? src : "/" + src;
    }
    part.files.push_back(std::move(one));
  }
  return {};
}

// COPY --from=X: an earlier stage by name or index, or an image (which gets
// a stage of its own). A bare word that is neither is a misspelt stage.
base::Result<std::string> Lowerer::StageRef(const Stage& s, const std::string& ref, int line) {
  std::string lower = Lower(ref);
  std::vector<std::string> earlier;
  bool numeric = !ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos;
  for (const Stage& other : stages_) {
    if (other.index >= s.index) break;
    if (other.name == lower || (numeric && std::to_string(other.index) == ref)) return other.name;
    if (other.name != std::to_string(other.index)) earlier.push_back(other.name);
  }
  if (lower == s.name)
    return Fail(line, fmt::format("COPY --from='{}' names the stage it is in", ref));
  if (numeric)
    return Fail(line, fmt::format("COPY --from={}: no stage {} before this one", ref, ref));
  if (all_names_.contains(lower))
    return Fail(line, fmt::format("COPY --from='{}': that stage is defined after this one", ref));
  bool mapped = false;
  for (const auto& [from, to] : opts_.base_map) mapped |= from == ref;
  if (!mapped && ref.find_first_of("/:.@") == std::string::npos) {
    std::string close = base::ClosestMatch(lower, earlier);
    return Fail(line,
                fmt::format("COPY --from: no stage named '{}'{}", ref,
                            close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close)));
  }
  for (const Stage& img : images_)
    if (img.parent == ref) return img.name;
  Stage img;
  img.name = fmt::format("image#{}", images_.size() + 1);
  img.parent = ref;  // for images, the reference as written
  img.line = line;
  img.root = ResolveFromImage(ref, opts_.base_map);
  OpenPart(img, line);
  images_.push_back(std::move(img));
  return images_.back().name;
}

base::Result<void> Lowerer::RunInstruction(Stage& s, const DockerInstruction& ins) {
  DISTILL_TRY(CheckFlags(ins, {"network", "mount", "security"}));
  bool network = false;
  for (const auto& [name, value] : ins.flags) {
    if (name != "network") return Fail(ins.line, fmt::format("RUN --{} is not supported", name));
    if (value != "host" && value != "none" && value != "default")
      return Fail(ins.line, fmt::format("unknown RUN --network '{}' (expected default, none or "
                                        "host)",
                                        value));
    network = value == "host";
  }
  RunSpec run;
  run.mark = {ins.line, 1};
  if (ins.json) {
    if (ins.argv.empty()) return Fail(ins.line, "RUN [] has no command");
    run.argv = ins.argv;
  } else if (s.shell.empty()) {
    return Fail(ins.line, fmt::format("RUN needs /bin/sh, and base '{}' has no shell (use a :debug "
                                      "base or a build stage)",
                                      s.root ? s.root->label : "?"));
  } else if (s.shell == kShell) {
    run.shell = ins.rest;
  } else {
    run.argv = s.shell;
    run.argv.push_back(ins.rest);
  }
  RunPart(s, ins.line, network).runs.push_back(std::move(run));
  return {};
}

// CMD and ENTRYPOINT: the exec form as written; the shell form through the
// stage's shell, as Docker does.
base::Result<void> Lowerer::Command(Stage& s, const DockerInstruction& ins) {
  DISTILL_TRY(CheckFlags(ins, {}));
  std::vector<std::string> argv = ins.argv;
  std::optional<ShellFormError> error;
  if (!ins.json) {
    argv = s.shell.empty() ? kShell : s.shell;
    argv.push_back(ins.rest);
    if (s.shell.empty()) error = ShellFormError{ins.line, ins.keyword};
  }
  if (ins.keyword == "CMD") {
    s.config.cmd = argv;
    s.cmd_error = error;
    s.cmd_set = true;
    return {};
  }
  s.config.entrypoint = argv;
  s.entrypoint_error = error;
  // A new ENTRYPOINT drops the CMD it inherited, not one set in this stage.
  if (!s.cmd_set) {
    s.config.cmd.reset();
    s.cmd_error.reset();
  }
  return {};
}

base::Result<void> Lowerer::Expose(Stage& s, const DockerInstruction& ins) {
  DISTILL_TRY(CheckFlags(ins, {}));
  base::Result<std::vector<std::string>> words = ExpandWords(ins.rest, StageVars(s), df_.escape);
  if (!words) return At(ins.line, words);
  for (const std::string& w : *words) {
    size_t slash = w.find('/');
    std::string ports = w.substr(0, slash);
    std::string proto = slash == std::string::npos ? "tcp" : Lower(w.substr(slash + 1));
    std::vector<std::string> range = base::Split(ports, '-');
    auto number = [](const std::string& p) -> long {
      if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
        return -1;
      long v = std::stol(p);
      return v >= 1 && v <= 65535 ? v : -1;
    };
    long first = number(range[0]);
    long last = range.size() == 2 ? number(range[1]) : first;
    if (range.size() > 2 || first < 0 || last < first ||
        (proto != "tcp" && proto != "udp" && proto != "sctp"))
      return Fail(ins.line, fmt::format("invalid port '{}' (expected PORT[/tcp|udp|sctp] or "
                                        "FIRST-LAST)",
                                        w));
    for (long p = first; p <= last; ++p) {
      std::string port = fmt::format("{}/{}", p, proto);
      if (std::find(s.config.ports.begin(), s.config.ports.end(), port) == s.config.ports.end())
        s.config.ports.push_back(port);
    }
  }
  return {};
}

base::Result<Spec> Lowerer::Finish() {
  Stage* target = &stages_.back();
  if (!opts_.target.empty()) {
    target = Find(Lower(opts_.target));
    if (!target || target->index < 0) {
      std::vector<std::string> names;
      for (const Stage& s : stages_) names.push_back(s.name);
      std::string close = base::ClosestMatch(Lower(opts_.target), names);
      return base::Fail("{}: no stage named '{}' for --target{}", df_.path, opts_.target,
                        close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close));
    }
  }
  // The stages the target reaches (FROM <stage>, COPY --from), in order.
  std::set<std::string> seen;
  std::vector<std::string> todo = {target->name};
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

  Spec spec;
  spec.from_dockerfile = true;
  spec.path = df_.path;
  spec.source_text = df_.text;
  DISTILL_TRY(CheckReachable(reachable, spec));
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
  const ResolvedBase& root = *chain.front()->root;
  spec.base_mark = {chain.front()->line, 1};
  spec.config = target->config;
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
  DISTILL_TRY(EmitStages(spec));
  return spec;
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

}  // namespace

base::Result<Spec> LowerDockerfile(const Dockerfile& df, const DockerfileOptions& options) {
  return Lowerer(df, options).Run();
}

}  // namespace build
