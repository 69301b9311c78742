// Credential lookup (formats.md C6): the environment for CI, then podman's
// auth.json, then docker's config.json and its credential helpers. The auths
// format is shared: {"auths": {"<key>": {"auth": base64("user:password"),
// "identitytoken": ..., "registrytoken": ...}}}, keys matched on their host
// part because legacy keys carry a scheme and path. A helper prints
// {"ServerURL","Username","Secret"}; the Username "<token>" marks an identity
// token. Secrets go into Credential only, never into errors.
#include "registry/credentials.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/file_util.h"

extern char** environ;

namespace registry {
namespace {

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

// One auths entry as a Credential.
base::Result<Credential> FromAuthEntry(const nlohmann::json& e, const std::string& origin) {
  Credential c;
  c.origin = origin;
  if (!e.is_object()) return c;
  if (e.contains("auth") && e["auth"].is_string() && !e["auth"].get<std::string>().empty()) {
    base::Result<std::string> pair = Base64Decode(e["auth"].get<std::string>());
    size_t colon = pair ? pair->find(':') : std::string::npos;
    if (colon == std::string::npos) return base::Fail("'{}': invalid 'auth' entry", origin);
    c.username = pair->substr(0, colon);
    c.password = pair->substr(colon + 1);
  }
  if (e.contains("username") && e["username"].is_string()) c.username = e["username"];
  if (e.contains("password") && e["password"].is_string()) c.password = e["password"];
  if (e.contains("identitytoken") && e["identitytoken"].is_string())
    c.identity_token = e["identitytoken"];
  if (e.contains("registrytoken") && e["registrytoken"].is_string())
    c.registry_token = e["registrytoken"];
  return c;
}

base::Result<Credential> FromHelper(const std::string& helper, const std::string& host,
                                    const HelperRunner& run) {
  Credential c;
  c.origin = "docker-credential-" + helper;
  base::Result<std::string> out = run(helper, host);
  if (!out) return c;  // not logged in there
  nlohmann::json j = nlohmann::json::parse(*out, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("Secret") || !j["Secret"].is_string())
    return base::Fail("'{}': invalid output", c.origin);
  std::string user = j.value("Username", "");
  if (user == "<token>")
    c.identity_token = j["Secret"];
  else
    c.username = user, c.password = j["Secret"];
  return c;
}

// A helper's child process writes to `out` and reads `host` from `in`.
base::Result<std::string> Communicate(pid_t pid, int in, int out, const std::string& host) {
  std::string line = host + "\n";
  ssize_t w = write(in, line.data(), line.size());
  close(in);
  std::string result;
  char buf[4096];
  ssize_t n;
  while ((n = read(out, buf, sizeof buf)) > 0) result.append(buf, static_cast<size_t>(n));
  close(out);
  int status = 0;
  waitpid(pid, &status, 0);
  if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return base::Fail("credential helper failed");
  return result;
}

}  // namespace

base::Result<std::string> RunCredentialHelper(const std::string& helper,
                                              const std::string& server) {
  std::string program = "docker-credential-" + helper;
  int to_child[2], from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) return base::Fail("'{}': {}", program, base::ErrnoText());
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    close(to_child[0]);
    close(to_child[1]);
    return base::Fail("'{}': {}", program, base::ErrnoText());
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&fa, from_child[1], 1);
  char* argv[] = {program.data(), const_cast<char*>("get"), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, program.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(to_child[0]);
  close(from_child[1]);
  if (rc != 0) {
    close(to_child[1]);
    close(from_child[0]);
    return base::Fail("'{}': cannot run", program);
  }
  base::Result<std::string> out = Communicate(pid, to_child[1], from_child[0], server);
  if (!out) return base::Fail(out.error().Context("'{}'", program));
  return out;
}

std::string CredentialKey(std::string_view key) {
  size_t scheme = key.find("://");
  if (scheme != std::string_view::npos) key.remove_prefix(scheme + 3);
  key = key.substr(0, key.find('/'));
  std::string host(key);
  for (char& c : host) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (host == "index.docker.io" || host == "registry-1.docker.io") return "docker.io";
  return host;
}

base::Result<Credential> CredentialFromConfig(std::string_view json_text, const std::string& path,
                                              const std::string& host,
                                              const HelperRunner& run_helper) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::Fail("'{}': not valid JSON", path);
  std::string want = CredentialKey(host);
  if (j.contains("credHelpers") && j["credHelpers"].is_object())
    for (const auto& [key, helper] : j["credHelpers"].items())
      if (CredentialKey(key) == want && helper.is_string())
        return FromHelper(helper.get<std::string>(), host, run_helper);
  if (j.contains("auths") && j["auths"].is_object())
    for (const auto& [key, entry] : j["auths"].items())
      if (CredentialKey(key) == want) {
        base::Result<Credential> c = FromAuthEntry(entry, path);
        if (!c || !c->Anonymous()) return c;
      }
  if (j.contains("credsStore") && j["credsStore"].is_string())
    return FromHelper(j["credsStore"].get<std::string>(), host, run_helper);
  Credential none;
  return none;
}

std::string DockerConfigPath() {
  std::string dir = Env("DOCKER_CONFIG");
  if (dir.empty()) dir = base::JoinPath(Env("HOME"), ".docker");
  return base::JoinPath(dir, "config.json");
}

// The auth files to try, podman's first.
static std::vector<std::string> AuthFiles() {
  std::vector<std::string> files;
  if (!Env("REGISTRY_AUTH_FILE").empty())
    files.push_back(Env("REGISTRY_AUTH_FILE"));
  else if (!Env("XDG_RUNTIME_DIR").empty())
    files.push_back(Env("XDG_RUNTIME_DIR") + "/containers/auth.json");
  files.push_back(DockerConfigPath());
  return files;
}

base::Result<Credential> FindCredential(const std::string& host) {
  std::string only = Env("DISTILL_REGISTRY_HOST");
  if (!Env("DISTILL_REGISTRY_USER").empty() && (only.empty() || only == host)) {
    Credential c;
    c.username = Env("DISTILL_REGISTRY_USER");
    c.password = Env("DISTILL_REGISTRY_PASSWORD");
    c.origin = "DISTILL_REGISTRY_USER";
    return c;
  }
  for (const std::string& path : AuthFiles()) {
    if (!base::PathExists(path)) continue;
    base::Result<std::string> text = base::ReadFile(path);
    if (!text) return base::Fail(text.error());
    base::Result<Credential> c = CredentialFromConfig(*text, path, host, RunCredentialHelper);
    if (!c || !c->Anonymous()) return c;
  }
  return Credential{};
}

base::Result<std::string> WithLogin(std::string_view config_text, const std::string& path,
                                    const std::string& host, const Credential& c) {
  nlohmann::json j = nlohmann::json::object();
  if (!config_text.empty()) j = nlohmann::json::parse(config_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::Fail("'{}': not valid JSON", path);
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = nlohmann::json::object();
  // Replace any legacy spelling of the same host so that one entry remains.
  std::vector<std::string> stale;
  for (const auto& [key, entry] : j["auths"].items())
    if (CredentialKey(key) == CredentialKey(host)) stale.push_back(key);
  for (const std::string& key : stale) j["auths"].erase(key);
  j["auths"][host] = {{"auth", Base64Encode(c.username + ":" + c.password)}};
  return j.dump(1, '\t') + "\n";
}

base::Result<std::string> StoreCredential(const std::string& host, const Credential& c) {
  std::string path = DockerConfigPath();
  std::string dir = base::DirName(path);
  // docker makes its config directory private; do the same when creating it.
  if (!base::IsDirectory(dir) && mkdir(dir.c_str(), 0700) != 0)
    return base::Fail("creating directory '{}': {}", dir, base::ErrnoText());
  std::string old;
  if (base::PathExists(path)) {
    base::Result<std::string> text = base::ReadFile(path);
    if (!text) return base::Fail(text.error());
    old = std::move(*text);
  }
  base::Result<std::string> text = WithLogin(old, path, host, c);
  if (!text) return base::Fail(text.error());
  base::Result<base::AtomicFile> f = base::AtomicFile::Create(path);
  if (!f) return base::Fail(f.error());
  if (fchmod(fileno(f->file()), 0600) != 0)
    return base::Fail("'{}': {}", f->path(), base::ErrnoText());
  DISTILL_TRY(f->Write(*text));
  DISTILL_TRY(f->Commit());
  return path;
}

}  // namespace registry
