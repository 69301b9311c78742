// Lowering a parsed Dockerfile onto the spec model: the walk over the
// instructions. They are replayed stage by stage with Docker's scoping rules
// (global ARGs only in FROM, ARG per stage, ENV inherited by FROM <stage>,
// WORKDIR relative to the previous one), building for each stage:
//   - its image config (what the target stage leaves is the Spec's config);
//   - its filesystem recipe as "parts": a StageSpec copies its files first
//     and runs its commands after, so a Dockerfile stage whose COPY follows
//     a RUN (or whose WORKDIR, ENV, ARG or USER changes between RUNs) is cut
//     into several StageSpecs, each built on the previous one ("NAME#1",
//     "NAME#2", ... then "NAME"), which keeps Docker's order exactly.
// This file has the walk, variable scoping and the instructions that set
// config or run commands; COPY and ADD are dockerfile_copy.cc, FROM and the
// final Spec dockerfile_stages.cc (dockerfile_lowerer.h lists the split).
#include "frontend/dockerfile_lower.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"
#include "frontend/dockerfile_lowerer.h"
#include "oci/descriptor.h"

namespace build::lowering {

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

namespace {

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

}  // namespace

base::Result<Spec> Lowerer::Run() {
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

std::optional<std::string> Lowerer::Automatic(const std::string& name) {
  const std::string* v = FindPair(automatic_, name);
  if (!v) return std::nullopt;
  if (base::StartsWith(name, "TARGET")) used_target_args_ = true;
  return *v;
}

VarLookup Lowerer::GlobalVars() {
  return [this](const std::string& name) -> std::optional<std::string> {
    if (const std::string* v = FindPair(global_args_, name)) return *v;
    return Automatic(name);
  };
}

VarLookup Lowerer::StageVars(const Stage& s) {
  return [this, &s](const std::string& name) -> std::optional<std::string> {
    if (const std::string* v = FindPair(s.env, name)) return *v;
    if (const std::string* v = FindPair(s.args, name)) return *v;
    if (name == "PATH" && s.root && s.root->kind != RootKind::kScratch) return DefaultPath(s);
    return std::nullopt;
  };
}

std::string Lowerer::DefaultPath(const Stage& s) {
  bool busybox = s.root && !s.root->shell.empty() && s.root->shell[0] == "/busybox/sh";
  return std::string(oci::kDefaultPath) + (busybox ? ":/busybox" : "");
}

base::Result<void> Lowerer::CheckFlags(const DockerInstruction& ins,
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

Pairs Lowerer::RunEnv(const Stage& s) const {
  Pairs env;
  bool busybox = s.root && !s.root->shell.empty() && s.root->shell[0] == "/busybox/sh";
  if (busybox) env.emplace_back("PATH", DefaultPath(s));
  for (const auto& [k, v] : s.args)
    if (!FindPair(s.env, k)) SetPair(env, k, v);
  for (const auto& [k, v] : s.env) SetPair(env, k, v);
  return env;
}

Part& Lowerer::RunPart(Stage& s, int line, bool network) {
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
      base::Result<std::string> d = ExpandWord(w.substr(eq + 1), vars, df_.escape, opts_.limits);
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
    base::Result<Pairs> pairs =
        ExpandPairs(ins.rest, vars, df_.escape, /*legacy=*/true, opts_.limits);
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
        ins.json ? ins.argv : ExpandWords(ins.rest, vars, df_.escape, opts_.limits);
    if (!vols) return At(ins.line, vols);
    for (const std::string& v : *vols) {
      if (v.empty()) return Fail(ins.line, "VOLUME with an empty path");
      s.config.volumes.push_back(AbsPath(s.workdir, v, false));
    }
    return {};
  }
  base::Result<std::string> word = ExpandWord(ins.rest, vars, df_.escape, opts_.limits);
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
  base::Result<std::vector<std::string>> words =
      ExpandWords(ins.rest, StageVars(s), df_.escape, opts_.limits);
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

}  // namespace build::lowering

namespace build {

base::Result<Spec> LowerDockerfile(const Dockerfile& df, const DockerfileOptions& options) {
  return lowering::Lowerer(df, options).Run();
}

}  // namespace build
