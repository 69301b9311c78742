// Client: the entry point for talking to registries. It owns the HTTP client,
// finds credentials for each host (credentials.h), and keeps one pinged
// Session per host for the life of a command.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/error.h"
#include "http/http_client.h"
#include "oci/reference.h"
#include "registry/repository.h"
#include "registry/session.h"

namespace registry {

// A docker:// name split into the API host and the repository path, with
// distribution/reference's defaults (formats.md C1): "app" and "team/app"
// live on Docker Hub ("library/app"); "docker.io" is served from
// "registry-1.docker.io".
struct RepoName {
  std::string host;
  std::string repository;
  bool operator==(const RepoName&) const = default;
};
RepoName SplitRepoName(const std::string& name);

class Client {
 public:
  // Talks through a CurlClient made from `options` (TLS verification, CA).
  explicit Client(Options options);
  // Talks through `http` (tests), which must outlive the client.
  Client(Options options, http::HttpClient& http);
  ~Client();

  // The Session for `host`, created on first use: credentials looked up
  // (an explicit `credential` wins) and GET /v2/ answered.
  base::Result<Session*> Connect(const std::string& host);
  // As Connect, always with `credential`, and not kept (distill login).
  base::Result<std::unique_ptr<Session>> ConnectWith(const std::string& host,
                                                     const Credential& credential);
  // The repository a docker:// reference names. Errors: the name is
  // blocked in registries.conf.
  base::Result<std::unique_ptr<Repository>> Open(const oci::ImageRef& ref, bool push,
                                                 const std::string& mount_from = "");
  const Options& options() const { return options_; }

 private:
  // registries.conf, read on first use.
  base::Result<const RegistriesConf*> Conf();
  // The options and HTTP client for `host`: its registries.conf `insecure`
  // and its certs.d material applied (callers hold mu_).
  base::Result<std::pair<Options, http::HttpClient*>> ForHost(const std::string& host);

  Options options_;
  std::unique_ptr<http::HttpClient> owned_;
  http::HttpClient* http_;
  std::mutex mu_;
  std::optional<RegistriesConf> conf_;
  std::map<std::string, std::unique_ptr<http::HttpClient>> host_http_;  // hosts with certs.d
  std::map<std::string, std::unique_ptr<Session>> sessions_;
};

// Checks that `credential` is accepted by `host`: the Basic or token
// challenge of GET /v2/ is answered with it. Errors say 'unauthorized' and
// name the host, never the secret.
base::Result<void> CheckLogin(Client& client, const std::string& host,
                              const Credential& credential);

}  // namespace registry
