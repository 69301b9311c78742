// Session: one registry host as seen by the distribution API (formats.md C):
// its scheme, how it authenticates, the tokens it issued, and requests sent
// to it with retries and authorization. Repositories on the host share it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/limits.h"
#include "base/reporter.h"
#include "http/http_client.h"
#include "http/retry.h"
#include "registry/auth.h"
#include "registry/host_config.h"

namespace registry {

struct Options {
  // Verify certificates (podman's --tls-verify). false also allows falling
  // back to plain HTTP when the host does not speak TLS.
  bool tls_verify = true;
  // PEM CA bundle to trust instead of the system's ($SSL_CERT_FILE).
  std::string ca_file;
  // registries.conf and certs.d (host_config.h): per-host `insecure`,
  // `blocked`, CAs and client certificates.
  ConfigPaths config;
  // Blobs transferred at once.
  int jobs = 4;
  // Blobs larger than this are uploaded in PATCH chunks of this size.
  uint64_t chunk_size = 64ull << 20;
  http::RetryOptions retry;
  // Bounds on what registries send (base/limits.h): body sizes, deadlines.
  // retry.operation_seconds is taken from limits when unset.
  base::Limits limits;
  // Status lines ("pushing 3 blobs"); null for none.
  base::Reporter* reporter = nullptr;
};

// A response and its (small) body.
struct Reply {
  http::Response response;
  std::string body;
  long status() const { return response.status; }
  std::string Header(const std::string& name) const {
    auto it = response.headers.find(name);
    return it == response.headers.end() ? "" : it->second;
  }
};

// True for 127.0.0.0/8, ::1 and localhost (with or without a port).
bool IsLoopbackHost(std::string_view host);

// The one-line text of a registry error reply: the first error of a
// distribution-spec error body ("manifest unknown: ..."), else "http <n>".
std::string ReplyErrorText(const Reply& r);

class Session {
 public:
  // `http` is the raw client; retries are added here. `host` is HOST[:PORT].
  Session(http::HttpClient& http, std::string host, Credential credential, Options options);

  // GET /v2/: picks the scheme (https; http only when tls_verify is off and
  // TLS fails) and records the authentication challenge. Errors name the host.
  base::Result<void> Ping();

  // Sends `req` (a path such as "/v2/..." or an absolute URL) authorized for
  // `scope` (space-separated token scopes), capturing the body. Idempotent
  // requests are retried on transport errors, 5xx and 429 when `retry`. A 401
  // renews the token (or learns the challenge) and resends once; a second 401
  // is returned as is. The body, whatever the status, is capped while it
  // streams at the limit named `body_limit` (base/limits.h): a larger one
  // aborts the transfer with that limit's error.
  base::Result<Reply> Send(http::Request req, const std::string& scope, bool retry = true,
                           std::string_view body_limit = "error-body-bytes");

  // As Send, but streams a 2xx body into `sink` (nothing else reaches it) and
  // never retries: the caller restarts whole transfers.
  base::Result<http::Response> Stream(http::Request req, const std::string& scope,
                                      base::Sink* sink);

  // Sleeps as the HTTP retries do before retry number `attempt`.
  void Backoff(int attempt) const;

  // "https://HOST" (after Ping, the scheme that worked).
  std::string BaseUrl() const { return scheme_ + "://" + host_; }
  // Resolves a path or Location header against BaseUrl().
  std::string Url(std::string_view path_or_url) const;
  const std::string& host() const { return host_; }
  const Options& options() const { return options_; }
  const Credential& credential() const { return credential_; }
  // An error saying that `host` refused the credentials, naming their origin.
  base::Error Unauthorized(const Reply& r) const;

 private:
  base::Result<std::string> Authorization(const std::string& scope);
  base::Result<Token> FetchToken(const std::string& scope);
  base::Result<Token> FetchOAuthToken(const std::string& scope);
  // A sink capped at limit `name` for the body of `req` (into `out`).
  base::CappedSink Capped(base::Sink* out, std::string_view name, const http::Request& req) const;
  // Records the challenge of a 401 and drops the token `sent` for `scope`.
  void Learn(const http::Response& r, const std::string& scope, const std::string& sent);
  base::Result<http::Response> DoAuthorized(
      http::Request& req, const std::string& scope,
      const std::function<base::Result<http::Response>(const http::Request&)>& perform);

  http::HttpClient& http_;
  http::RetryingClient retrying_;
  std::string host_;
  std::string scheme_ = "https";
  Credential credential_;
  Options options_;
  std::mutex mu_;
  std::optional<Challenge> challenge_;
  std::map<std::string, Token> tokens_;  // by scope
};

}  // namespace registry
