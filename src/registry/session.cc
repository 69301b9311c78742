// A registry host: scheme discovery, authorization and resending.
//
// Authentication follows the Docker token protocol (formats.md C6): GET /v2/
// answers 401 with a challenge. "Basic" means every request carries the
// user's credentials; "Bearer" names a token service (realm, service) that
// issues short-lived tokens for scopes ("repository:NAME:pull,push"). Tokens
// are cached per scope until shortly before `expires_in` runs out, and a 401
// on any later request (an expired or too narrow token; its challenge may
// carry error="insufficient_scope" and the scope wanted) drops the cached
// token and fetches a new one before resending once.
//
// Plain HTTP (formats.md C7): like podman and skopeo, HTTPS is tried first
// and HTTP only when --tls-verify=false and the TLS connection fails.
// Credentials are never sent over plain HTTP except to loopback hosts.
#include "registry/session.h"

#include <nlohmann/json.hpp>
#include <thread>

#include "base/strings.h"

namespace registry {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

// "host" of "scheme://host:port/path".
std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  return std::string(url.substr(0, url.find('/')));
}

void SetHeader(http::Request& req, const std::string& name, const std::string& value) {
  std::erase_if(req.headers, [&](const auto& h) { return Lower(h.first) == Lower(name); });
  if (!value.empty()) req.headers.emplace_back(name, value);
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  std::string h(host);
  if (base::StartsWith(h, "["))
    h = h.substr(1, h.find(']') - 1);
  else
    h = h.substr(0, h.rfind(':') == std::string::npos ? h.size() : h.rfind(':'));
  return h == "localhost" || h == "::1" || base::StartsWith(h, "127.");
}

std::string ReplyErrorText(const Reply& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("errors") && j["errors"].is_array() && !j["errors"].empty() &&
      j["errors"][0].is_object()) {
    const nlohmann::json& e = j["errors"][0];
    std::string code = Lower(e.value("code", ""));
    std::replace(code.begin(), code.end(), '_', ' ');
    std::string message = e.contains("message") && e["message"].is_string() ? e["message"] : "";
    if (code.empty()) code = fmt::format("http {}", r.status());
    return message.empty() || message == code ? code : code + ": " + message;
  }
  return fmt::format("http {}", r.status());
}

// The retry options with the operation budget of `o.limits`.
static http::RetryOptions RetryWithBudget(const Options& o) {
  http::RetryOptions r = o.retry;
  if (r.operation_seconds == 0) r.operation_seconds = o.limits.operation_seconds;
  return r;
}

Session::Session(http::HttpClient& http, std::string host, Credential credential, Options options)
    : http_(http),
      retrying_(http, RetryWithBudget(options)),
      host_(std::move(host)),
      credential_(std::move(credential)),
      options_(std::move(options)) {}

std::string Session::Url(std::string_view p) const {
  if (base::StartsWith(p, "http://") || base::StartsWith(p, "https://")) return std::string(p);
  if (base::StartsWith(p, "/")) return BaseUrl() + std::string(p);
  return BaseUrl() + "/" + std::string(p);
}

void Session::Backoff(int attempt) const {
  std::chrono::milliseconds d = retrying_.Delay(attempt, nullptr);
  if (options_.retry.sleep)
    options_.retry.sleep(d);
  else
    std::this_thread::sleep_for(d);
}

base::CappedSink Session::Capped(base::Sink* out, std::string_view name,
                                 const http::Request& req) const {
  uint64_t cap = 0;
  for (const base::LimitInfo& info : base::LimitTable())
    if (info.name == name) cap = options_.limits.*(info.field);
  std::string_view path = req.url;
  if (size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  return base::CappedSink(
      out, cap,
      base::LimitError(options_.limits, name,
                       fmt::format("'{}': the response to {} '{}'", host_, req.method, path)));
}

base::Error Session::Unauthorized(const Reply& r) const {
  std::string why = ReplyErrorText(r);
  if (why.rfind("unauthorized", 0) != 0) why = "unauthorized: " + why;
  if (credential_.Anonymous())
    return base::Error("'{}': {} (no credentials; run 'distill login {}')", host_, why, host_);
  return base::Error("'{}': {} (credentials from '{}')", host_, why, credential_.origin);
}

base::Result<void> Session::Ping() {
  http::Request req;
  req.url = "https://" + host_ + "/v2/";
  // Without verification a failed TLS handshake means "try plain http" at
  // once: retrying it would only delay every push to such a registry.
  base::Result<http::Response> r =
      options_.tls_verify ? retrying_.Do(req, nullptr) : http_.Do(req, nullptr);
  if (!r && !options_.tls_verify) {
    req.url = "http://" + host_ + "/v2/";
    r = retrying_.Do(req, nullptr);
    if (r) scheme_ = "http";
  }
  if (!r) return base::Fail(r.error().Context("'{}'", host_));
  if (r->status == 401) {
    Learn(*r, "", "");
    return {};
  }
  if (r->status < 200 || r->status > 299)
    return base::Fail("'{}' does not serve the registry API (/v2/ answered http {})", host_,
                      r->status);
  return {};
}

void Session::Learn(const http::Response& r, const std::string& scope, const std::string& sent) {
  auto it = r.headers.find("www-authenticate");
  std::lock_guard lock(mu_);
  // Parallel requests refused with the same token renew it once: only the
  // token that was sent is dropped, not one another thread just fetched.
  auto token = tokens_.find(scope);
  if (token != tokens_.end() && "Bearer " + token->second.value == sent) tokens_.erase(token);
  if (it == r.headers.end()) return;
  base::Result<std::vector<Challenge>> cs = ParseWwwAuthenticate(it->second);
  if (!cs) return;
  for (const Challenge& c : *cs)
    if (c.scheme == "bearer" || (c.scheme == "basic" && !challenge_)) challenge_ = c;
}

base::Result<std::string> Session::Authorization(const std::string& scope) {
  std::lock_guard lock(mu_);
  if (!challenge_) return std::string();
  std::string header;
  if (!credential_.registry_token.empty()) {
    header = "Bearer " + credential_.registry_token;
  } else if (challenge_->scheme == "basic") {
    if (credential_.Anonymous()) return std::string();
    header = BasicAuthorization(credential_);
  } else if (challenge_->scheme == "bearer") {
    auto it = tokens_.find(scope);
    if (it == tokens_.end() || it->second.expires <= std::chrono::steady_clock::now()) {
      base::Result<Token> t =
          credential_.identity_token.empty() ? FetchToken(scope) : FetchOAuthToken(scope);
      if (!t) return base::Fail(t.error());
      it = tokens_.insert_or_assign(scope, *t).first;
    }
    header = "Bearer " + it->second.value;
  }
  if (scheme_ == "http" && !IsLoopbackHost(host_))
    return base::Fail("'{}': refusing to send credentials over plain http", host_);
  return header;
}

// GET <realm>?service=<service>&scope=<s1>&scope=<s2>, Basic credentials when
// there are any. Called with mu_ held.
base::Result<Token> Session::FetchToken(const std::string& scope) {
  std::string realm = challenge_->params["realm"];
  if (realm.empty()) return base::Fail("'{}': bearer challenge without realm", host_);
  http::Request req;
  req.url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
  req.url += "service=" + UrlEncode(challenge_->params["service"]);
  for (const std::string& s : base::Split(scope, ' '))
    if (!s.empty()) req.url += "&scope=" + UrlEncode(s);
  if (!credential_.Anonymous()) {
    if (base::StartsWith(realm, "http://") && !IsLoopbackHost(UrlHost(realm)))
      return base::Fail("'{}': refusing to send credentials over plain http", UrlHost(realm));
    req.headers.emplace_back("Authorization", BasicAuthorization(credential_));
  }
  base::StringSink body;
  base::CappedSink capped = Capped(&body, "token-bytes", req);
  base::Result<http::Response> r = retrying_.Do(req, &capped);
  if (!r) return base::Fail(r.error().Context("'{}': token service", host_));
  if (r->status == 401 || r->status == 403)
    return base::Fail(Unauthorized(Reply{*r, body.str()}).Context("token service"));
  if (r->status != 200) return base::Fail("'{}': token service answered http {}", host_, r->status);
  base::Result<Token> t = ParseTokenResponse(body.str(), std::chrono::steady_clock::now());
  if (!t) return base::Fail(t.error().Context("'{}'", host_));
  return t;
}

// OAuth2 refresh-token grant (docker's identitytoken), POSTed to the realm.
base::Result<Token> Session::FetchOAuthToken(const std::string& scope) {
  http::Request req;
  req.method = "POST";
  req.url = challenge_->params["realm"];
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body = "grant_type=refresh_token&client_id=distill&service=" +
             UrlEncode(challenge_->params["service"]) +
             "&refresh_token=" + UrlEncode(credential_.identity_token) +
             "&scope=" + UrlEncode(scope);
  base::StringSink body;
  base::CappedSink capped = Capped(&body, "token-bytes", req);
  base::Result<http::Response> r = http_.Do(req, &capped);
  if (!r) return base::Fail(r.error().Context("'{}': token service", host_));
  if (r->status != 200)
    return base::Fail(Unauthorized(Reply{*r, body.str()}).Context("token service"));
  return ParseTokenResponse(body.str(), std::chrono::steady_clock::now());
}

base::Result<http::Response> Session::DoAuthorized(
    http::Request& req, const std::string& scope,
    const std::function<base::Result<http::Response>(const http::Request&)>& perform) {
  req.url = Url(req.url);
  for (int attempt = 0;; ++attempt) {
    base::Result<std::string> auth = Authorization(scope);
    if (!auth) return base::Fail(auth.error());
    SetHeader(req, "Authorization", *auth);
    base::Result<http::Response> r = perform(req);
    if (!r || r->status != 401 || attempt == 1) return r;
    Learn(*r, scope, *auth);
  }
}

base::Result<Reply> Session::Send(http::Request req, const std::string& scope, bool retry,
                                  std::string_view body_limit) {
  Reply reply;
  base::Result<http::Response> r = DoAuthorized(req, scope, [&](const http::Request& q) {
    base::StringSink body;
    base::CappedSink capped = Capped(&body, body_limit, q);
    base::Result<http::Response> resp = retry ? retrying_.Do(q, &capped) : http_.Do(q, &capped);
    reply.body = std::move(body.str());
    return resp;
  });
  if (!r) return base::Fail(r.error());
  reply.response = std::move(*r);
  return reply;
}

base::Result<http::Response> Session::Stream(http::Request req, const std::string& scope,
                                             base::Sink* sink) {
  req.body_on_success_only = true;
  return DoAuthorized(req, scope, [&](const http::Request& q) { return http_.Do(q, sink); });
}

}  // namespace registry
