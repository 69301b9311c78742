// Where registry credentials come from, in this order (first match wins):
//   1. DISTILL_REGISTRY_USER and DISTILL_REGISTRY_PASSWORD (for CI), used for
//      every registry, or only for DISTILL_REGISTRY_HOST when that is set;
//   2. podman's auth file: $REGISTRY_AUTH_FILE, else
//      $XDG_RUNTIME_DIR/containers/auth.json;
//   3. docker's: $DOCKER_CONFIG/config.json, else ~/.docker/config.json,
//      with `auths` entries and the `credHelpers`/`credsStore` helpers
//      (docker-credential-<name> get).
// No match means anonymous access. `distill login` writes docker's file.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "registry/auth.h"

namespace registry {

// Runs `docker-credential-<helper> get` with `server` on stdin and returns its
// stdout; an error when it cannot run or exits non-zero (not logged in).
using HelperRunner =
    std::function<base::Result<std::string>(const std::string& helper, const std::string& server)>;

// The real runner: spawns docker-credential-<helper> from PATH.
base::Result<std::string> RunCredentialHelper(const std::string& helper, const std::string& server);

// The host part of an auths key or registry name, with Docker Hub's aliases
// ("https://index.docker.io/v1/", "registry-1.docker.io") folded to
// "docker.io": what keys are matched on (formats.md C6).
std::string CredentialKey(std::string_view key_or_host);

// Looks `host` up in the text of a docker config.json or podman auth.json
// (read from `path`, named in errors). Returns an anonymous Credential when
// the file has nothing for `host`. A helper that fails counts as "nothing".
base::Result<Credential> CredentialFromConfig(std::string_view json_text, const std::string& path,
                                              const std::string& host,
                                              const HelperRunner& run_helper);

// Looks `host` up in the environment and files above.
base::Result<Credential> FindCredential(const std::string& host);

// docker's config file: $DOCKER_CONFIG/config.json or ~/.docker/config.json.
std::string DockerConfigPath();

// Returns `config_text` (may be empty: a new file) with auths[host] set to
// `c`'s username and password, other keys kept.
base::Result<std::string> WithLogin(std::string_view config_text, const std::string& path,
                                    const std::string& host, const Credential& c);

// Stores `c` for `host` in DockerConfigPath(), atomically and mode 0600.
base::Result<std::string> StoreCredential(const std::string& host, const Credential& c);

}  // namespace registry
