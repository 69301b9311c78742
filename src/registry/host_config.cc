// registries.conf and certs.d, read the way containers/image reads them
// (containers-registries.conf(5), containers-registries.conf.d(5),
// containers-certs.d(5)). What distill takes of registries.conf is what
// decides whether and how it may talk to a host: `insecure` and `blocked`.
// Name rewriting (`location` unlike `prefix`), mirrors and short-name
// search are not applied (docs/registry.md says so).
#include "registry/host_config.h"

#include <dirent.h>
#include <stdlib.h>
#include <toml++/toml.h>

#include <algorithm>

#include "base/file_util.h"

namespace registry {
namespace {

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

std::string Home(const ConfigPaths& p) { return p.home.empty() ? Env("HOME") : p.home; }

std::string SystemPath(const ConfigPaths& p, const std::string& abs) {
  if (p.system_root.empty() || p.system_root == "/") return abs;
  return p.system_root + abs;
}

// The entries of `dir` whose names end with `suffix`, sorted; none when
// `dir` cannot be read.
std::vector<std::string> ListFiles(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > suffix.size() && name.ends_with(suffix)) out.push_back(name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

void AddRule(RegistriesConf& out, RegistryRule rule) {
  auto it = std::find_if(out.rules.begin(), out.rules.end(),
                         [&](const RegistryRule& r) { return r.prefix == rule.prefix; });
  if (it != out.rules.end())
    *it = std::move(rule);
  else
    out.rules.push_back(std::move(rule));
}

base::Error At(const std::string& path, const toml::node& n, std::string_view what) {
  return base::Error("'{}': line {}: {}", path, n.source().begin.line, what);
}

// A v1 list: [registries.insecure] registries = ["host", ...].
base::Result<void> V1List(const toml::table& root, const std::string& path, const char* key,
                          bool insecure, RegistriesConf& out) {
  const toml::node* list = root.at_path(std::string("registries.") + key + ".registries").node();
  if (list == nullptr) return {};
  const toml::array* a = list->as_array();
  if (a == nullptr) return base::Fail(At(path, *list, "'registries' must be a list of hosts"));
  for (const toml::node& n : *a) {
    std::optional<std::string> host = n.value<std::string>();
    if (!host || host->empty()) return base::Fail(At(path, n, "a registry must be a host name"));
    RegistryRule rule;
    rule.prefix = *host;
    rule.insecure = insecure;
    rule.blocked = !insecure;
    rule.source = path;
    // A host in both lists is both.
    for (const RegistryRule& r : out.rules)
      if (r.prefix == rule.prefix) {
        rule.insecure |= r.insecure;
        rule.blocked |= r.blocked;
      }
    AddRule(out, std::move(rule));
  }
  return {};
}

base::Result<std::optional<bool>> Bool(const toml::table& t, const char* key,
                                       const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<bool>();
  // as_boolean, not value<bool>: toml++ would take 1 for true.
  const toml::value<bool>* v = n->as_boolean();
  if (v == nullptr) return base::Fail(At(path, *n, fmt::format("'{}' must be true or false", key)));
  return std::optional<bool>(v->get());
}

base::Result<std::string> String(const toml::table& t, const char* key, const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::string();
  std::optional<std::string> v = n->value<std::string>();
  if (!v) return base::Fail(At(path, *n, fmt::format("'{}' must be a string", key)));
  return *v;
}

// The host[:port] of a prefix or name.
std::string_view HostOf(std::string_view name) { return name.substr(0, name.find('/')); }

bool Matches(const std::string& prefix, const std::string& name) {
  if (prefix.starts_with("*.")) {
    std::string_view host = HostOf(name);
    return host.size() > prefix.size() - 1 && host.ends_with(std::string_view(prefix).substr(1));
  }
  return name == prefix || (name.starts_with(prefix) && name[prefix.size()] == '/');
}

}  // namespace

base::Result<void> ParseRegistriesConf(std::string_view text, const std::string& path,
                                       RegistriesConf& out) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return base::Fail("'{}': line {}: {}", path, e.source().begin.line, e.description());
  }
  out.files.push_back(path);
  DISTILL_TRY(V1List(root, path, "insecure", true, out));
  DISTILL_TRY(V1List(root, path, "block", false, out));
  const toml::node* regs = root.get("registry");
  if (regs == nullptr) return {};
  const toml::array* a = regs->as_array();
  if (a == nullptr) return base::Fail(At(path, *regs, "'registry' must be [[registry]] tables"));
  for (const toml::node& n : *a) {
    const toml::table* t = n.as_table();
    if (t == nullptr) return base::Fail(At(path, n, "'registry' must be [[registry]] tables"));
    base::Result<std::string> prefix = String(*t, "prefix", path);
    if (!prefix) return base::Fail(prefix.error());
    base::Result<std::string> location = String(*t, "location", path);
    if (!location) return base::Fail(location.error());
    base::Result<std::optional<bool>> insecure = Bool(*t, "insecure", path);
    if (!insecure) return base::Fail(insecure.error());
    base::Result<std::optional<bool>> blocked = Bool(*t, "blocked", path);
    if (!blocked) return base::Fail(blocked.error());
    RegistryRule rule;
    rule.prefix = prefix->empty() ? *location : *prefix;
    if (rule.prefix.empty())
      return base::Fail(At(path, n, "a [[registry]] needs a 'prefix' or a 'location'"));
    rule.insecure = insecure->value_or(false);
    rule.blocked = blocked->value_or(false);
    rule.source = path;
    // `insecure` is a property of the host the rule sends requests to.
    if (!location->empty() && *location != rule.prefix && rule.insecure) {
      RegistryRule at_location = rule;
      at_location.prefix = *location;
      at_location.blocked = false;
      AddRule(out, std::move(at_location));
    }
    AddRule(out, std::move(rule));
  }
  return {};
}

base::Result<RegistriesConf> LoadRegistriesConf(const ConfigPaths& paths) {
  RegistriesConf conf;
  std::vector<std::string> files;
  std::string home = Home(paths);
  std::string user_conf = home.empty() ? "" : home + "/.config/containers/registries.conf";
  std::string system_conf = SystemPath(paths, "/etc/containers/registries.conf");
  std::string main = !paths.registries_conf.empty() ? paths.registries_conf
                     : !Env("CONTAINERS_REGISTRIES_CONF").empty()
                         ? Env("CONTAINERS_REGISTRIES_CONF")
                     : !user_conf.empty() && base::PathExists(user_conf) ? user_conf
                                                                         : system_conf;
  files.push_back(main);
  bool named = !paths.registries_conf.empty() || !Env("CONTAINERS_REGISTRIES_CONF").empty();
  // A file named explicitly must exist; the default ones need not.
  if (named && !base::PathExists(main))
    return base::Fail("registries.conf '{}' (CONTAINERS_REGISTRIES_CONF) does not exist", main);
  // Drop-ins apply unless a file was named explicitly (podman does the same
  // for CONTAINERS_REGISTRIES_CONF).
  if (!named) {
    for (const std::string& dir : {system_conf + ".d", user_conf.empty() ? "" : user_conf + ".d"}) {
      if (dir.empty()) continue;
      for (const std::string& name : ListFiles(dir, ".conf")) files.push_back(dir + "/" + name);
    }
  }
  for (const std::string& f : files) {
    if (!base::PathExists(f)) continue;
    base::Result<std::string> text = base::ReadFile(f);
    if (!text) return base::Fail(text.error());
    DISTILL_TRY(ParseRegistriesConf(*text, f, conf));
  }
  return conf;
}

const RegistryRule* FindRule(const RegistriesConf& conf, const std::string& name) {
  const RegistryRule* best = nullptr;
  for (const RegistryRule& r : conf.rules)
    if (Matches(r.prefix, name) && (best == nullptr || r.prefix.size() > best->prefix.size()))
      best = &r;
  return best;
}

bool InsecureHost(const RegistriesConf& conf, const std::string& host, std::string* source) {
  for (const RegistryRule& r : conf.rules) {
    if (!r.insecure) continue;
    bool same = r.prefix.starts_with("*.") ? Matches(r.prefix, host) : HostOf(r.prefix) == host;
    if (!same) continue;
    if (source) *source = r.source;
    return true;
  }
  return false;
}

base::Result<HostCerts> FindHostCerts(const ConfigPaths& paths, const std::string& host) {
  HostCerts out;
  if (!paths.cert_dir.empty()) {
    if (!base::IsDirectory(paths.cert_dir))
      return base::Fail("--cert-dir '{}' is not a directory", paths.cert_dir);
    out.dir = paths.cert_dir;
  } else {
    std::string home = Home(paths);
    std::vector<std::string> roots;
    if (!home.empty()) roots.push_back(home + "/.config/containers/certs.d");
    roots.push_back(SystemPath(paths, "/etc/containers/certs.d"));
    roots.push_back(SystemPath(paths, "/etc/docker/certs.d"));
    for (const std::string& r : roots)
      if (base::IsDirectory(r + "/" + host)) {
        out.dir = r + "/" + host;
        break;
      }
  }
  if (out.dir.empty()) return out;
  for (const std::string& name : ListFiles(out.dir, ".crt"))
    out.ca_files.push_back(out.dir + "/" + name);
  std::vector<std::string> certs = ListFiles(out.dir, ".cert");
  for (const std::string& name : certs) {
    std::string key = name.substr(0, name.size() - 5) + ".key";
    if (!base::PathExists(out.dir + "/" + key))
      return base::Fail("'{}/{}': client certificate without its key '{}'", out.dir, name, key);
    if (out.client_cert.empty()) {
      out.client_cert = out.dir + "/" + name;
      out.client_key = out.dir + "/" + key;
    }
  }
  for (const std::string& name : ListFiles(out.dir, ".key")) {
    std::string cert = name.substr(0, name.size() - 4) + ".cert";
    if (!base::PathExists(out.dir + "/" + cert))
      return base::Fail("'{}/{}': key without its client certificate '{}'", out.dir, name, cert);
  }
  return out;
}

}  // namespace registry
