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
  c.limits = o.limits;
  return c;
}

Client::Client(Options options)
    : options_(std::move(options)),
      owned_(std::make_unique<http::CurlClient>(CurlOptionsFor(options_))),
      http_(owned_.get()) {}

Client::Client(Options options, http::HttpClient& http)
    : options_(std::move(options)), http_(&http) {}

Client::~Client() = default;

base::Result<const RegistriesConf*> Client::Conf() {
  if (!conf_) {
    base::Result<RegistriesConf> c = LoadRegistriesConf(options_.config);
    if (!c) return base::Fail(c.error());
    conf_ = std::move(*c);
  }
  return &*conf_;
}

base::Result<std::pair<Options, http::HttpClient*>> Client::ForHost(const std::string& host) {
  base::Result<const RegistriesConf*> conf = Conf();
  if (!conf) return base::Fail(conf.error());
  Options o = options_;
  // registries.conf `insecure = true` is --tls-verify=false for that host.
  if (InsecureHost(**conf, host, nullptr)) o.tls_verify = false;
  http::HttpClient* http = http_;
  // certs.d applies to the libcurl client only (a test's client has no TLS).
  if (owned_) {
    base::Result<HostCerts> certs = FindHostCerts(options_.config, host);
    if (!certs) return base::Fail(certs.error());
    if (!certs->ca_files.empty() || !certs->client_cert.empty() ||
        o.tls_verify != options_.tls_verify) {
      auto& client = host_http_[host];
      if (!client) {
        http::CurlOptions c = CurlOptionsFor(o);
        c.extra_ca_files = certs->ca_files;
        c.client_cert = certs->client_cert;
        c.client_key = certs->client_key;
        client = std::make_unique<http::CurlClient>(std::move(c));
      }
      http = client.get();
    }
  }
  return std::make_pair(std::move(o), http);
}

base::Result<Session*> Client::Connect(const std::string& host) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(host);
  if (it != sessions_.end()) return it->second.get();
  base::Result<Credential> cred = FindCredential(host);
  if (!cred) return base::Fail(cred.error().Context("credentials for '{}'", host));
  base::Result<std::pair<Options, http::HttpClient*>> h = ForHost(host);
  if (!h) return base::Fail(h.error());
  auto s = std::make_unique<Session>(*h->second, host, *cred, h->first);
  DISTILL_TRY(s->Ping());
  return sessions_.emplace(host, std::move(s)).first->second.get();
}

base::Result<std::unique_ptr<Session>> Client::ConnectWith(const std::string& host,
                                                           const Credential& credential) {
  std::lock_guard lock(mu_);
  base::Result<std::pair<Options, http::HttpClient*>> h = ForHost(host);
  if (!h) return base::Fail(h.error());
  auto s = std::make_unique<Session>(*h->second, host, credential, h->first);
  DISTILL_TRY(s->Ping());
  return s;
}

base::Result<std::unique_ptr<Repository>> Client::Open(const oci::ImageRef& ref, bool push,
                                                       const std::string& mount_from) {
  RepoName name = SplitRepoName(ref.name);
  {
    std::lock_guard lock(mu_);
    base::Result<const RegistriesConf*> conf = Conf();
    if (!conf) return base::Fail(conf.error());
    const RegistryRule* rule = FindRule(**conf, name.host + "/" + name.repository);
    if (rule && rule->blocked)
      return base::Fail("registry '{}' is blocked by '{}'", name.host + "/" + name.repository,
                        rule->source);
  }
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
