// Registry clients and name splitting. Sessions are pinged once and shared by
// every repository and thread of a command, so a push of many blobs fetches
// one token per scope (formats.md C6) and reuses kept-alive connections.
#include "registry/client.h"

#include <algorithm>
#include <cctype>

#include "http/curl_client.h"
#include "registry/credentials.h"

namespace registry {

RepoName SplitRepoName(const std::string& name) {
  size_t slash = name.find('/');
  std::string first = slash == std::string::npos ? "" : name.substr(0, slash);
  bool is_host = !first.empty() &&
                 (first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
                  first == "localhost" || std::any_of(first.begin(), first.end(), ::isupper));
  RepoName r;
  if (is_host) {
    r.host = first;
    r.repository = name.substr(slash + 1);
  } else {
    r.host = "docker.io";
    r.repository = slash == std::string::npos ? "library/" + name : name;
  }
  if (r.host == "docker.io" || r.host == "index.docker.io") r.host = "registry-1.docker.io";
  return r;
}

static http::CurlOptions CurlOptionsFor(const Options& o) {
  http::CurlOptions c;
  c.tls_verify = o.tls_verify;
  c.ca_file = o.ca_file;
  return c;
}

Client::Client(Options options)
    : options_(std::move(options)),
      owned_(std::make_unique<http::CurlClient>(CurlOptionsFor(options_))),
      http_(owned_.get()) {}

Client::Client(Options options, http::HttpClient& http)
    : options_(std::move(options)), http_(&http) {}

Client::~Client() = default;

base::Result<Session*> Client::Connect(const std::string& host) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(host);
  if (it != sessions_.end()) return it->second.get();
  base::Result<Credential> cred = FindCredential(host);
  if (!cred) return base::Fail(cred.error().Context("credentials for '{}'", host));
  auto s = std::make_unique<Session>(*http_, host, *cred, options_);
  DISTILL_TRY(s->Ping());
  return sessions_.emplace(host, std::move(s)).first->second.get();
}

base::Result<std::unique_ptr<Session>> Client::ConnectWith(const std::string& host,
                                                           const Credential& credential) {
  auto s = std::make_unique<Session>(*http_, host, credential, options_);
  DISTILL_TRY(s->Ping());
  return s;
}

base::Result<std::unique_ptr<Repository>> Client::Open(const oci::ImageRef& ref, bool push,
                                                       const std::string& mount_from) {
  RepoName name = SplitRepoName(ref.name);
  base::Result<Session*> s = Connect(name.host);
  if (!s) return base::Fail(s.error());
  return std::make_unique<Repository>(**s, name.repository, push, mount_from);
}

base::Result<void> CheckLogin(Client& client, const std::string& host,
                              const Credential& credential) {
  base::Result<std::unique_ptr<Session>> s = client.ConnectWith(host, credential);
  if (!s) return base::Fail(s.error());
  // An empty scope: a token service still checks the credentials (docker
  // login does the same), and a Basic registry checks them on /v2/.
  http::Request req;
  req.url = "/v2/";
  base::Result<Reply> r = (*s)->Send(req, "");
  if (!r) return base::Fail(r.error());
  if (r->status() == 401 || r->status() == 403) return base::Fail((*s)->Unauthorized(*r));
  if (r->status() != 200) return base::Fail("'{}': /v2/ answered {}", host, ReplyErrorText(*r));
  return {};
}

}  // namespace registry
