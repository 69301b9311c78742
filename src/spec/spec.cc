// Spec parsing with yaml-cpp. yaml-cpp throws on syntax and conversion errors;
// they are caught here and turned into "<file>:<line>:<col>:" errors (STYLE:
// no exception crosses a module boundary). Every mapping is checked against
// the list of keys the contract defines; unknown keys get a suggestion.
#include "spec/spec.h"

#include <yaml-cpp/yaml.h>

#include <cctype>

#include "base/file_util.h"
#include "base/strings.h"
#include "fs/tree.h"

namespace build {

namespace {

Mark MarkOf(const YAML::Node& n) { return {n.Mark().line + 1, n.Mark().column + 1}; }

std::string Caret(const std::string& text, Mark mark) {
  std::vector<std::string> lines = base::Split(text, '\n');
  if (mark.line < 1 || mark.line > static_cast<int>(lines.size())) return "";
  const std::string& line = lines[mark.line - 1];
  return line + "\n" + std::string(std::max(0, mark.col - 1), ' ') + "^";
}

// Parser state: the spec being filled and the file's text for errors.
class Parser {
 public:
  explicit Parser(Spec& spec) : spec_(spec) {}

  base::Result<void> Top(const YAML::Node& root);

 private:
  base::Error At(const YAML::Node& n, const std::string& what) {
    return SpecError(spec_, MarkOf(n), what);
  }
  base::Result<void> CheckKeys(const YAML::Node& map, const std::vector<std::string>& known,
                               const std::string& where);
  base::Result<std::string> Scalar(const YAML::Node& n, const std::string& key);
  base::Result<std::vector<std::string>> List(const YAML::Node& n, const std::string& key);
  base::Result<std::map<std::string, std::string>> Map(const YAML::Node& n, const std::string& key);
  base::Result<bool> Bool(const YAML::Node& n, const std::string& key);
  // Reads `map[key]`, when present, into `out`; errors name the key.
  base::Result<void> Get(const YAML::Node& map, const char* key, std::string& out);
  base::Result<void> Get(const YAML::Node& map, const char* key, bool& out);
  base::Result<void> Get(const YAML::Node& map, const char* key, std::vector<std::string>& out);
  base::Result<void> Origin(const YAML::Node& root);
  base::Result<void> Contents(const YAML::Node& root);
  base::Result<void> RecipeKeys(const YAML::Node& root);
  base::Result<void> Output(const YAML::Node& root);
  base::Result<void> Excludes(const YAML::Node& n);
  base::Result<std::vector<FileSpec>> Files(const YAML::Node& n, bool stage);
  base::Result<void> Stages(const YAML::Node& n);
  base::Result<StageSpec> Stage(const std::string& name, const YAML::Node& n);
  base::Result<std::vector<RunSpec>> Runs(const YAML::Node& n);
  base::Result<void> Config(const YAML::Node& n);
  base::Result<void> Debian(const YAML::Node& n);
  base::Result<void> Accounts(const YAML::Node& n);
  base::Result<std::vector<LinkSpec>> Links(const YAML::Node& n);
  base::Result<void> Suites(const YAML::Node& n);
  base::Result<uint32_t> Id(const YAML::Node& n, const std::string& key);

  Spec& spec_;
};

base::Result<void> Parser::CheckKeys(const YAML::Node& map, const std::vector<std::string>& known,
                                     const std::string& where) {
  if (!map.IsMap()) return base::Fail(At(map, where + " must be a mapping"));
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = it->first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string close = base::ClosestMatch(key, known);
    std::string what =
        fmt::format("unknown key '{}'{}", key, where == "spec" ? "" : " in " + where);
    if (!close.empty()) what += fmt::format(" (did you mean '{}'?)", close);
    return base::Fail(At(it->first, what));
  }
  return {};
}

base::Result<std::string> Parser::Scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) return base::Fail(At(n, fmt::format("'{}' must be a string", key)));
  return n.Scalar();
}

base::Result<std::vector<std::string>> Parser::List(const YAML::Node& n, const std::string& key) {
  std::vector<std::string> out;
  if (n.IsScalar()) return std::vector<std::string>{n.Scalar()};
  if (!n.IsSequence()) return base::Fail(At(n, fmt::format("'{}' must be a list", key)));
  for (const YAML::Node& item : n) {
    if (!item.IsScalar())
      return base::Fail(At(item, fmt::format("'{}' items must be strings", key)));
    out.push_back(item.Scalar());
  }
  return out;
}

base::Result<std::map<std::string, std::string>> Parser::Map(const YAML::Node& n,
                                                             const std::string& key) {
  if (!n.IsMap()) return base::Fail(At(n, fmt::format("'{}' must be a mapping", key)));
  std::map<std::string, std::string> out;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->second.IsScalar())
      return base::Fail(At(it->second, fmt::format("'{}' values must be strings", key)));
    out[it->first.Scalar()] = it->second.Scalar();
  }
  return out;
}

base::Result<bool> Parser::Bool(const YAML::Node& n, const std::string& key) {
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
    return base::Fail(At(n, fmt::format("'{}' must be true or false", key)));
  return v;
}

base::Result<void> Parser::Get(const YAML::Node& map, const char* key, std::string& out) {
  if (!map[key]) return {};
  base::Result<std::string> v = Scalar(map[key], key);
  if (!v) return base::Fail(v.error());
  out = *v;
  return {};
}

base::Result<void> Parser::Get(const YAML::Node& map, const char* key, bool& out) {
  if (!map[key]) return {};
  base::Result<bool> v = Bool(map[key], key);
  if (!v) return base::Fail(v.error());
  out = *v;
  return {};
}

base::Result<void> Parser::Get(const YAML::Node& map, const char* key,
                               std::vector<std::string>& out) {
  if (!map[key]) return {};
  base::Result<std::vector<std::string>> v = List(map[key], key);
  if (!v) return base::Fail(v.error());
  out = *v;
  return {};
}

base::Result<uint32_t> ParseMode(const std::string& s) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("01234567") != std::string::npos)
    return base::Fail("invalid mode '{}' (expected octal such as \"0644\")", s);
  uint32_t mode = static_cast<uint32_t>(std::stoul(s, nullptr, 8));
  if (mode > 07777) return base::Fail("invalid mode '{}' (expected octal such as \"0644\")", s);
  return mode;
}

// `stage`: a stage's files (no `layer:`, which only groups image layers).
base::Result<std::vector<FileSpec>> Parser::Files(const YAML::Node& n, bool stage) {
  std::vector<FileSpec> out;
  if (!n.IsSequence()) return base::Fail(At(n, "'files' must be a list"));
  std::vector<std::string> keys = {"src", "from", "dst", "mode", "owner", "exclude"};
  if (!stage) keys.push_back("layer");
  for (const YAML::Node& item : n) {
    DISTILL_TRY(CheckKeys(item, keys, "files entry"));
    FileSpec f;
    f.mark = MarkOf(item);
    if (!item["src"]) return base::Fail(At(item, "files entry has no 'src'"));
    if (!item["dst"]) return base::Fail(At(item, "files entry has no 'dst'"));
    base::Result<std::string> src = Scalar(item["src"], "src");
    if (!src) return base::Fail(src.error());
    f.src = *src;
    base::Result<std::string> dst = Scalar(item["dst"], "dst");
    if (!dst) return base::Fail(dst.error());
    f.dst = *dst;
    f.src_mark = MarkOf(item["src"]);
    f.dst_mark = MarkOf(item["dst"]);
    if (f.dst.empty() || f.dst[0] != '/')
      return base::Fail(
          At(item["dst"], fmt::format("'dst' must be an absolute path, got '{}'", f.dst)));
    if (base::Result<std::string> norm = fs::NormalizePath(f.dst); !norm)
      return base::Fail(At(item["dst"], norm.error().message()));
    DISTILL_TRY(Get(item, "from", f.from));
    if (item["mode"]) {
      base::Result<std::string> m = Scalar(item["mode"], "mode");
      if (!m) return base::Fail(m.error());
      base::Result<uint32_t> mode = ParseMode(*m);
      if (!mode) return base::Fail(At(item["mode"], mode.error().message()));
      f.mode = *mode;
    }
    DISTILL_TRY(Get(item, "owner", f.owner));
    DISTILL_TRY(Get(item, "exclude", f.exclude));
    DISTILL_TRY(Get(item, "layer", f.layer));
    out.push_back(std::move(f));
  }
  return out;
}

// A stage name is also a `from:` value and a directory-safe cache label.
bool ValidStageName(const std::string& name) {
  if (name.empty() || name.size() > 64 || !std::islower(static_cast<unsigned char>(name[0])))
    return false;
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
}

base::Result<void> Parser::Stages(const YAML::Node& n) {
  if (!n.IsMap()) return base::Fail(At(n, "'stages' must be a mapping of stage names"));
  for (auto it = n.begin(); it != n.end(); ++it) {
    YAML::Node key = it->first;  // copies: it->second dies with the iterator proxy
    YAML::Node value = it->second;
    std::string name = key.Scalar();
    if (!ValidStageName(name))
      return base::Fail(At(key, fmt::format("invalid stage name '{}' (lowercase letters, digits, "
                                            "'.', '_' and '-', starting with a letter)",
                                            name)));
    for (const StageSpec& s : spec_.stages)
      if (s.name == name) return base::Fail(At(key, fmt::format("duplicate stage '{}'", name)));
    base::Result<StageSpec> stage = Stage(name, value);
    if (!stage) return base::Fail(stage.error());
    stage->mark = MarkOf(key);
    spec_.stages.push_back(std::move(*stage));
  }
  return {};
}

base::Result<std::vector<RunSpec>> Parser::Runs(const YAML::Node& n) {
  std::vector<RunSpec> out;
  if (n.IsScalar()) return std::vector<RunSpec>{{n.Scalar(), {}, MarkOf(n)}};
  if (!n.IsSequence()) return base::Fail(At(n, "'run' must be a list of commands"));
  for (const YAML::Node& item : n) {
    RunSpec r{"", {}, MarkOf(item)};
    if (item.IsScalar()) {
      r.shell = item.Scalar();
      if (r.shell.empty()) return base::Fail(At(item, "empty 'run' command"));
    } else if (item.IsMap()) {
      // `- make: all` or `- grep -x 'a: b'` read as YAML mappings.
      return base::Fail(At(item,
                           "a 'run' command must be a string or a list (quote a command that "
                           "contains ': ')"));
    } else {
      base::Result<std::vector<std::string>> argv = List(item, "run");
      if (!argv) return base::Fail(argv.error());
      if (argv->empty()) return base::Fail(At(item, "empty 'run' command"));
      r.argv = std::move(*argv);
    }
    out.push_back(std::move(r));
  }
  return out;
}

base::Result<StageSpec> Parser::Stage(const std::string& name, const YAML::Node& n) {
  DISTILL_TRY(CheckKeys(
      n, {"base", "packages", "files", "workdir", "env", "user", "run", "network"}, "stage"));
  StageSpec st;
  st.name = name;
  DISTILL_TRY(Get(n, "base", st.base));
  DISTILL_TRY(Get(n, "workdir", st.workdir));
  DISTILL_TRY(Get(n, "user", st.user));
  if (n["base"]) st.base_mark = MarkOf(n["base"]);
  if (!st.workdir.empty()) {
    base::Result<std::string> norm = fs::NormalizePath(st.workdir);
    if (!norm)
      return base::Fail(At(n["workdir"], st.workdir[0] == '/'
                                             ? norm.error().message()
                                             : fmt::format("'workdir' must be an absolute path, "
                                                           "got '{}'",
                                                           st.workdir)));
  }
  DISTILL_TRY(Get(n, "packages", st.packages));
  if (n["files"]) {
    base::Result<std::vector<FileSpec>> v = Files(n["files"], true);
    if (!v) return base::Fail(v.error());
    st.files = std::move(*v);
  }
  if (n["env"]) {
    if (!n["env"].IsMap()) return base::Fail(At(n["env"], "'env' must be a mapping"));
    for (auto it = n["env"].begin(); it != n["env"].end(); ++it) {
      YAML::Node k = it->first;
      YAML::Node v = it->second;
      if (!v.IsScalar()) return base::Fail(At(v, "'env' values must be strings"));
      if (k.Scalar().empty() || k.Scalar().find('=') != std::string::npos)
        return base::Fail(At(k, fmt::format("invalid environment variable name '{}'", k.Scalar())));
      st.env.emplace_back(k.Scalar(), v.Scalar());
    }
  }
  if (n["run"]) {
    base::Result<std::vector<RunSpec>> v = Runs(n["run"]);
    if (!v) return base::Fail(v.error());
    st.run = std::move(*v);
  }
  DISTILL_TRY(Get(n, "network", st.network));
  return st;
}

base::Result<void> Parser::Config(const YAML::Node& n) {
  DISTILL_TRY(CheckKeys(
      n,
      {"user", "workdir", "entrypoint", "cmd", "env", "ports", "labels", "volumes", "stop_signal"},
      "config"));
  ConfigSpec& c = spec_.config;
  for (const char* key : {"user", "workdir"}) {
    if (!n[key]) continue;
    base::Result<std::string> v = Scalar(n[key], key);
    if (!v) return base::Fail(v.error());
    (std::string(key) == "user" ? c.user : c.workdir) = *v;
  }
  if (c.workdir && (c.workdir->empty() || (*c.workdir)[0] != '/'))
    return base::Fail(
        At(n["workdir"], fmt::format("'workdir' must be an absolute path, got '{}'", *c.workdir)));
  for (const char* key : {"entrypoint", "cmd"}) {
    if (!n[key]) continue;
    base::Result<std::vector<std::string>> v = List(n[key], key);
    if (!v) return base::Fail(v.error());
    (std::string(key) == "cmd" ? c.cmd : c.entrypoint) = *v;
    (std::string(key) == "cmd" ? c.cmd_mark : c.entrypoint_mark) = MarkOf(n[key]);
  }
  if (n["env"]) {
    if (!n["env"].IsMap()) return base::Fail(At(n["env"], "'env' must be a mapping"));
    for (auto it = n["env"].begin(); it != n["env"].end(); ++it) {
      if (!it->second.IsScalar()) return base::Fail(At(it->second, "'env' values must be strings"));
      c.env.emplace_back(it->first.Scalar(), it->second.Scalar());
    }
  }
  for (const char* key : {"ports", "volumes"}) {
    if (!n[key]) continue;
    base::Result<std::vector<std::string>> v = List(n[key], key);
    if (!v) return base::Fail(v.error());
    (std::string(key) == "ports" ? c.ports : c.volumes) = *v;
  }
  for (std::string& p : c.ports)
    if (p.find('/') == std::string::npos) p += "/tcp";
  if (n["labels"]) {
    base::Result<std::map<std::string, std::string>> v = Map(n["labels"], "labels");
    if (!v) return base::Fail(v.error());
    c.labels = *v;
  }
  DISTILL_TRY(Get(n, "stop_signal", c.stop_signal));
  return {};
}

base::Result<uint32_t> Parser::Id(const YAML::Node& n, const std::string& key) {
  uint32_t v = 0;
  if (!n.IsScalar() || !YAML::convert<uint32_t>::decode(n, v))
    return base::Fail(At(n, fmt::format("'{}' must be a number", key)));
  return v;
}

base::Result<void> Parser::Accounts(const YAML::Node& n) {
  DISTILL_TRY(CheckKeys(n, {"users", "groups"}, "accounts"));
  spec_.accounts_mark = MarkOf(n);
  if (n["users"]) {
    if (!n["users"].IsSequence()) return base::Fail(At(n["users"], "'users' must be a list"));
    for (const YAML::Node& u : n["users"]) {
      DISTILL_TRY(CheckKeys(u, {"name", "uid", "gid", "home", "shell"}, "accounts user"));
      if (!u["name"] || !u["uid"]) return base::Fail(At(u, "a user needs 'name' and 'uid'"));
      UserSpec user;
      base::Result<std::string> name = Scalar(u["name"], "name");
      if (!name) return base::Fail(name.error());
      user.name = *name;
      base::Result<uint32_t> uid = Id(u["uid"], "uid");
      if (!uid) return base::Fail(uid.error());
      user.uid = *uid;
      user.gid = *uid;
      if (u["gid"]) {
        base::Result<uint32_t> gid = Id(u["gid"], "gid");
        if (!gid) return base::Fail(gid.error());
        user.gid = *gid;
      }
      user.home = u["home"] ? u["home"].Scalar() : "/home/" + user.name;
      user.shell = u["shell"] ? u["shell"].Scalar() : "/sbin/nologin";
      spec_.users.push_back(user);
    }
  }
  if (n["groups"]) {
    if (!n["groups"].IsSequence()) return base::Fail(At(n["groups"], "'groups' must be a list"));
    for (const YAML::Node& g : n["groups"]) {
      DISTILL_TRY(CheckKeys(g, {"name", "gid"}, "accounts group"));
      if (!g["name"] || !g["gid"]) return base::Fail(At(g, "a group needs 'name' and 'gid'"));
      base::Result<uint32_t> gid = Id(g["gid"], "gid");
      if (!gid) return base::Fail(gid.error());
      spec_.groups.push_back({g["name"].Scalar(), *gid});
    }
  }
  return {};
}

base::Result<void> Parser::Suites(const YAML::Node& n) {
  if (!n.IsMap()) return base::Fail(At(n, "'suites' must be a mapping of suite names"));
  for (auto it = n.begin(); it != n.end(); ++it) {
    YAML::Node o = it->second;  // a copy: it->second dies with the iterator proxy
    DISTILL_TRY(CheckKeys(o, {"packages", "links", "entrypoint", "env"}, "suites"));
    SuiteOverlay overlay;
    if (o["packages"]) {
      base::Result<std::vector<std::string>> v = List(o["packages"], "packages");
      if (!v) return base::Fail(v.error());
      overlay.packages = *v;
    }
    if (o["entrypoint"]) {
      base::Result<std::vector<std::string>> v = List(o["entrypoint"], "entrypoint");
      if (!v) return base::Fail(v.error());
      overlay.entrypoint = *v;
    }
    if (o["links"]) {
      base::Result<std::vector<LinkSpec>> v = Links(o["links"]);
      if (!v) return base::Fail(v.error());
      overlay.links = *v;
    }
    if (o["env"]) {
      base::Result<std::map<std::string, std::string>> v = Map(o["env"], "env");
      if (!v) return base::Fail(v.error());
      overlay.env.assign(v->begin(), v->end());
    }
    spec_.suites[it->first.Scalar()] = overlay;
  }
  return {};
}

base::Result<std::vector<LinkSpec>> Parser::Links(const YAML::Node& n) {
  std::vector<LinkSpec> out;
  if (!n.IsSequence()) return base::Fail(At(n, "'links' must be a list"));
  for (const YAML::Node& l : n) {
    DISTILL_TRY(CheckKeys(l, {"path", "target"}, "links entry"));
    if (!l["path"] || !l["target"]) return base::Fail(At(l, "a link needs 'path' and 'target'"));
    LinkSpec link{l["path"].Scalar(), l["target"].Scalar(), MarkOf(l)};
    if (link.path.empty() || link.path[0] != '/')
      return base::Fail(
          At(l["path"], fmt::format("'path' must be an absolute path, got '{}'", link.path)));
    out.push_back(link);
  }
  return out;
}

base::Result<void> Parser::Debian(const YAML::Node& n) {
  DISTILL_TRY(CheckKeys(n, {"mirror", "suite", "components", "keyring"}, "debian"));
  DebianSpec& d = spec_.debian;
  d.mark = MarkOf(n);
  spec_.has_debian = true;
  DISTILL_TRY(Get(n, "mirror", d.mirror));
  DISTILL_TRY(Get(n, "suite", d.suite));
  DISTILL_TRY(Get(n, "keyring", d.keyring));
  return Get(n, "components", d.components);
}

// The top-level keys, parsed per group: what the image is built from, what
// goes in, the recipe keys, and how it is made and written.
base::Result<void> Parser::Top(const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull()) return {};  // an empty spec is scratch with nothing
  DISTILL_TRY(CheckKeys(
      root, {"base",           "debian",   "platforms", "packages",     "files",    "stages",
             "config",         "accounts", "exclude",   "slim",         "minimize", "compression",
             "description",    "skeleton", "cacerts",   "java_cacerts", "locale",   "links",
             "ignore_depends", "suites",   "check"},
      "spec"));
  DISTILL_TRY(Origin(root));
  DISTILL_TRY(Contents(root));
  DISTILL_TRY(RecipeKeys(root));
  return Output(root);
}

// base, debian, platforms, packages: what the image is built from.
base::Result<void> Parser::Origin(const YAML::Node& root) {
  DISTILL_TRY(Get(root, "base", spec_.base));
  if (root["base"]) spec_.base_mark = MarkOf(root["base"]);
  if (root["debian"]) DISTILL_TRY(Debian(root["debian"]));
  DISTILL_TRY(Get(root, "platforms", spec_.platforms));
  if (!root["packages"]) return {};
  std::vector<std::string> packages;
  DISTILL_TRY(Get(root, "packages", packages));
  spec_.packages_mark = MarkOf(root["packages"]);
  // `auto` is a request for the run-check's missing libraries, not a name.
  for (std::string& p : packages)
    if (p == "auto")
      spec_.auto_packages = true;
    else
      spec_.packages.push_back(std::move(p));
  return {};
}

// files, config, exclude, stages, accounts, links, ignore_depends, suites.
base::Result<void> Parser::Contents(const YAML::Node& root) {
  if (root["files"]) {
    base::Result<std::vector<FileSpec>> v = Files(root["files"], false);
    if (!v) return base::Fail(v.error());
    spec_.files = std::move(*v);
  }
  if (root["config"]) DISTILL_TRY(Config(root["config"]));
  if (root["exclude"]) DISTILL_TRY(Excludes(root["exclude"]));
  if (root["stages"]) {
    spec_.has_stages = true;
    spec_.stages_mark = MarkOf(root["stages"]);
    DISTILL_TRY(Stages(root["stages"]));
  }
  if (root["accounts"]) DISTILL_TRY(Accounts(root["accounts"]));
  if (root["links"]) {
    base::Result<std::vector<LinkSpec>> v = Links(root["links"]);
    if (!v) return base::Fail(v.error());
    spec_.links = *v;
  }
  DISTILL_TRY(Get(root, "ignore_depends", spec_.ignore_depends));
  if (root["suites"]) DISTILL_TRY(Suites(root["suites"]));
  return {};
}

// `exclude:`: absolute image paths (a leading '!' re-includes), each kept
// with its position for the error when it matches nothing.
base::Result<void> Parser::Excludes(const YAML::Node& n) {
  std::vector<YAML::Node> items;
  if (n.IsSequence())
    for (const YAML::Node& item : n) items.push_back(item);
  else if (n.IsScalar())
    items.push_back(n);
  else
    return base::Fail(At(n, "'exclude' must be a list"));
  for (const YAML::Node& item : items) {
    if (!item.IsScalar()) return base::Fail(At(item, "'exclude' items must be strings"));
    const std::string& pattern = item.Scalar();
    std::string_view path = pattern;
    if (path.starts_with('!')) path.remove_prefix(1);
    if (!path.starts_with('/'))
      return base::Fail(
          At(item, fmt::format("'exclude' patterns are absolute image paths, got '{}'", pattern)));
    if (path.find_first_not_of('/') == std::string_view::npos)
      return base::Fail(At(item, fmt::format("exclude '{}' names the image root", pattern)));
    spec_.exclude.push_back({pattern, MarkOf(item)});
  }
  return {};
}

// The base-image keys of recipes/*.yaml: skeleton, cacerts, java_cacerts,
// description, locale.
base::Result<void> Parser::RecipeKeys(const YAML::Node& root) {
  DISTILL_TRY(Get(root, "skeleton", spec_.skeleton));
  DISTILL_TRY(Get(root, "cacerts", spec_.cacerts));
  DISTILL_TRY(Get(root, "java_cacerts", spec_.java_cacerts));
  DISTILL_TRY(Get(root, "description", spec_.description));
  DISTILL_TRY(Get(root, "locale", spec_.locale));
  if (!spec_.locale.empty() && spec_.locale != "C.utf8")
    return base::Fail(
        At(root["locale"], fmt::format("unsupported locale '{}' (only 'C.utf8')", spec_.locale)));
  return {};
}

// slim, check, minimize, compression: how the image is made and written.
base::Result<void> Parser::Output(const YAML::Node& root) {
  DISTILL_TRY(Get(root, "slim", spec_.slim));
  DISTILL_TRY(Get(root, "check", spec_.check));
  DISTILL_TRY(Get(root, "minimize", spec_.minimize));
  if (root["minimize"]) spec_.minimize_mark = MarkOf(root["minimize"]);
  if (!root["compression"]) return {};
  DISTILL_TRY(Get(root, "compression", spec_.compression));
  if (spec_.compression != "gzip" && spec_.compression != "zstd")
    return base::Fail(
        At(root["compression"],
           fmt::format("unknown compression '{}' (expected gzip or zstd)", spec_.compression)));
  return {};
}

}  // namespace

base::Error SpecError(const Spec& spec, Mark mark, const std::string& what) {
  return base::Error("{}:{}:{}: {}", spec.path, mark.line, mark.col, what)
      .WithDetail(Caret(spec.source_text, mark))
      .AtPosition(spec.path);
}

base::Result<Spec> ParseSpec(const std::string& text, const std::string& path) {
  Spec spec;
  spec.path = path;
  spec.source_text = text;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return base::Fail(
        SpecError(spec, {e.mark.line + 1, e.mark.column + 1}, "yaml syntax error: " + e.msg));
  }
  try {
    Parser parser(spec);
    DISTILL_TRY(parser.Top(root));
  } catch (const YAML::Exception& e) {
    return base::Fail(SpecError(spec, {e.mark.line + 1, e.mark.column + 1}, e.msg));
  }
  return spec;
}

base::Result<Spec> LoadSpec(const std::string& path) {
  base::Result<std::string> text = base::ReadFile(path);
  if (!text) return base::Fail(text.error());
  return ParseSpec(*text, path);
}

}  // namespace build
