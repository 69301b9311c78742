// Per-registry settings from the containers configuration that podman,
// skopeo and buildah read, so a registry set up for them works with distill
// unchanged:
//   registries.conf (containers-registries.conf(5)): `insecure` (plain HTTP
//     or an unverified certificate) and `blocked`, from the v2 `[[registry]]`
//     tables or the v1 `[registries.insecure]` / `[registries.block]` lists,
//     with drop-ins from registries.conf.d/*.conf;
//   certs.d (containers-certs.d(5)): HOST[:PORT]/*.crt are CAs trusted
//     besides the system's, *.cert with the *.key of the same name a client
//     certificate.
// The files are optional; a file that does not parse is an error naming it.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace registry {

// Where the files are. Empty fields take the defaults podman uses.
struct ConfigPaths {
  // registries.conf: $CONTAINERS_REGISTRIES_CONF, else
  // $HOME/.config/containers/registries.conf if it exists, else
  // /etc/containers/registries.conf; drop-ins from the registries.conf.d
  // beside the system file and beside the user's.
  std::string registries_conf;
  // --cert-dir: this directory for every host instead of the certs.d
  // lookup ($HOME/.config/containers/certs.d/HOST, then
  // /etc/containers/certs.d/HOST, then /etc/docker/certs.d/HOST; the first
  // that exists).
  std::string cert_dir;
  // Defaults to $HOME; the root of the system paths defaults to "/" (tests
  // point both elsewhere).
  std::string home;
  std::string system_root;
};

// The [[registry]] tables (and v1 lists) that matter here.
struct RegistryRule {
  std::string prefix;  // host[:port][/namespace...]; "*.example.com" wildcards a host
  bool insecure = false;
  bool blocked = false;
  std::string source;  // the file that holds the rule
};

struct RegistriesConf {
  std::vector<RegistryRule> rules;
  std::vector<std::string> files;  // the files read, in order
};

// Parses one registries.conf text into `out`, later rules for the same
// prefix replacing earlier ones (as drop-ins replace the main file's).
// Errors name `path` and the line: "'/etc/containers/registries.conf': line 3: ...".
base::Result<void> ParseRegistriesConf(std::string_view text, const std::string& path,
                                       RegistriesConf& out);

// Reads the registries.conf files `paths` selects (none is fine).
base::Result<RegistriesConf> LoadRegistriesConf(const ConfigPaths& paths);

// The rule for `name` (HOST[:PORT]/REPOSITORY): the longest matching prefix,
// or null.
const RegistryRule* FindRule(const RegistriesConf& conf, const std::string& name);

// True when some rule for `host` (a prefix of exactly that host, with or
// without a namespace) says insecure, and the file that says so.
bool InsecureHost(const RegistriesConf& conf, const std::string& host, std::string* source);

// TLS material for one host from certs.d.
struct HostCerts {
  std::string dir;                    // the directory used; "" when none applies
  std::vector<std::string> ca_files;  // *.crt, sorted
  std::string client_cert;            // *.cert
  std::string client_key;             // its *.key
};

// Errors: a *.cert without its *.key (or the reverse), naming both.
base::Result<HostCerts> FindHostCerts(const ConfigPaths& paths, const std::string& host);

}  // namespace registry
