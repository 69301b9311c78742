// CurlClient: HTTP/1.1 and HTTP/2 over libcurl's easy interface, one easy
// handle per in-flight request, taken from a small mutex-guarded pool so that
// kept-alive connections are reused (each handle owns its connection cache).
//
// Redirects are followed here rather than with CURLOPT_FOLLOWLOCATION because
// the OCI distribution spec (v1.1.1 "Pulling blobs", formats.md C2) requires
// that the registry's Authorization header not reach another host: a blob GET
// usually 307s to pre-signed object storage, which rejects foreign
// credentials. The method rules follow RFC 9110 §15.4: 303 turns any method
// but HEAD into a body-less GET, 301/302 do so for POST, 307/308 repeat the
// request as is. Content-Encoding is never negotiated: callers hash the
// bytes exactly as served. Header values are never logged or put in errors.
//
// Deadlines (base/limits.h): libcurl's connect timeout covers connecting; a
// progress callback then fails a request whose answer has not begun within
// connect-seconds of the request being sent (a silent server), and any
// request older than request-seconds (or Request::timeout), so a body
// trickled just above the low-speed floor cannot hang a build. URLs are
// sent with their dot segments as is (CURLOPT_PATH_AS_IS): "/x/../y" must
// never quietly become another repository than the one policy checked.
#include "http/curl_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>

#include "base/file_util.h"

#ifndef DISTILL_VERSION
#define DISTILL_VERSION "dev"
#endif

namespace http {
namespace {

using base::Fail;
using base::Result;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string LowerFirst(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(tolower(static_cast<unsigned char>(s[0])));
  return s;
}

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool IsAuthorization(const std::string& name) { return Lower(name) == "authorization"; }

// What the libcurl callbacks see of one request/response exchange.
struct Exchange {
  base::Sink* sink = nullptr;
  bool follow_redirects = true;
  bool body_on_success_only = false;
  long status = 0;
  std::map<std::string, std::string> headers;
  std::optional<base::Error> sink_error;
  // Deadlines, checked by OnProgress.
  const base::Limits* limits = nullptr;
  const Request* request = nullptr;
  std::chrono::steady_clock::time_point start;
  std::chrono::steady_clock::time_point waiting_since;  // for the first byte
  std::optional<base::Error> limit_error;

  // Followed redirects carry a body (an HTML "moved" page) that is no part
  // of the response the caller asked for.
  bool Discarding() const {
    return follow_redirects && IsRedirect(status) && headers.contains("location");
  }
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line: an interim 100 response or a proxy CONNECT reply
    // came first, so its headers are not this response's.
    ex->headers.clear();
    size_t sp = line.find(' ');
    ex->status = sp == std::string_view::npos ? 0 : atol(std::string(line.substr(sp + 1)).c_str());
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  ex->headers[Lower(std::string(line.substr(0, colon)))] = std::string(value);
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  if (ex->Discarding() || ex->sink == nullptr) return size * n;
  if (ex->body_on_success_only && (ex->status < 200 || ex->status > 299)) return size * n;
  Result<void> r =
      ex->sink->Write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), size * n));
  if (!r) {
    ex->sink_error = std::move(r).error();
    return CURL_WRITEFUNC_ERROR;
  }
  return size * n;
}

// A limit in seconds as milliseconds, clamped so that no huge value overflows.
long Millis(uint64_t seconds) {
  return static_cast<long>(std::min<uint64_t>(seconds, uint64_t{1} << 32) * 1000);
}

// Ends a request past its deadlines: no status line within connect_seconds
// of the request being sent, or older than request_seconds / req.timeout.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t ultotal, curl_off_t ulnow) {
  auto* ex = static_cast<Exchange*>(user);
  auto now = std::chrono::steady_clock::now();
  // Still sending the body: the answer cannot have started.
  if (ultotal > 0 && ulnow < ultotal) ex->waiting_since = now;
  auto elapsed = now - ex->start;
  std::chrono::milliseconds deadline(Millis(ex->limits->request_seconds));
  bool by_operation = false;
  if (ex->request->timeout.count() > 0 && ex->request->timeout < deadline) {
    deadline = ex->request->timeout;
    by_operation = true;
  }
  if (elapsed >= deadline) {
    if (by_operation)
      ex->limit_error = base::Error("'{}': the operation's deadline was reached", ex->request->url);
    else
      ex->limit_error = base::LimitError(*ex->limits, "request-seconds",
                                         fmt::format("'{}': the request", ex->request->url));
    return 1;
  }
  if (ex->status == 0 &&
      now - ex->waiting_since >= std::chrono::milliseconds(Millis(ex->limits->connect_seconds))) {
    ex->limit_error =
        base::LimitError(*ex->limits, "connect-seconds",
                         fmt::format("'{}': waiting for the server to answer", ex->request->url));
    return 1;
  }
  return 0;
}

// Streams Request::body_file: what CURLOPT_READFUNCTION reads from.
struct FileBody {
  FILE* file = nullptr;
  uint64_t left = 0;
  ~FileBody() {
    if (file) fclose(file);
  }
};

size_t OnRead(char* data, size_t size, size_t n, void* user) {
  auto* fb = static_cast<FileBody*>(user);
  size_t want = static_cast<size_t>(std::min<uint64_t>(fb->left, size * n));
  if (want == 0) return 0;
  size_t got = fread(data, 1, want, fb->file);
  // A file shorter than promised would make the server wait for bytes that
  // never come: abort instead.
  if (got == 0) return CURL_READFUNC_ABORT;
  fb->left -= got;
  return got;
}

// Opens the byte range a streamed body comes from.
Result<void> OpenFileBody(const Request::FileRange& range, FileBody& fb) {
  fb.file = fopen(range.path.c_str(), "rb");
  if (fb.file == nullptr) return Fail("'{}': cannot open", range.path);
  if (fseeko(fb.file, static_cast<off_t>(range.offset), SEEK_SET) != 0)
    return Fail("'{}': cannot seek", range.path);
  fb.left = range.length;
  return {};
}

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistFree>;

bool HasHeader(const Request& req, std::string_view name) {
  for (const auto& [k, v] : req.headers)
    if (Lower(k) == name) return true;
  return false;
}

Slist BuildHeaders(const Request& req, bool send_auth) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : req.headers) {
    if (!send_auth && IsAuthorization(name)) continue;
    // libcurl drops "Name:" (it means "remove"); "Name;" sends it empty.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  // No "Expect: 100-continue" round trip before PUT bodies, and no invented
  // form Content-Type when the caller sends a body without naming its type.
  list = curl_slist_append(list, "Expect:");
  if ((!req.body.empty() || req.body_file) && !HasHeader(req, "content-type"))
    list = curl_slist_append(list, "Content-Type:");
  return Slist(list);
}

void SetMethod(CURL* h, const Request& req, FileBody& fb) {
  if (req.body_file) {
    // CURLOPT_UPLOAD makes a PUT; the custom method turns it into PATCH or POST
    // while keeping the streamed, length-declared body.
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(h, CURLOPT_READDATA, &fb);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body_file->length));
    if (req.method != "PUT") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (req.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
             !req.body.empty()) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    if (req.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
}

void SetTransportOptions(CURL* h, const CurlOptions& o, const std::string& user_agent,
                         const std::string& ca_blob) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required with threads
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, Millis(o.limits.connect_seconds));
  // A backstop behind OnProgress's request deadline, which names the limit.
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, Millis(o.limits.request_seconds) + 5000);
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o.low_speed_limit));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o.tls_verify ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o.tls_verify ? 2L : 0L);
  if (!ca_blob.empty()) {
    curl_blob blob{const_cast<char*>(ca_blob.data()), ca_blob.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
  } else if (!o.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_file.c_str());
  }
  if (!o.client_cert.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, o.client_cert.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, o.client_key.c_str());
  }
}

// The bundle to trust: `ca_file` (else libcurl's default, the system's)
// followed by each of `extra`.
Result<std::string> CaBundle(const std::string& ca_file, const std::vector<std::string>& extra) {
  std::string system = ca_file;
  if (system.empty()) {
    CURL* h = curl_easy_init();
    char* path = nullptr;
    if (h && curl_easy_getinfo(h, CURLINFO_CAINFO, &path) == CURLE_OK && path) system = path;
    if (h) curl_easy_cleanup(h);
  }
  std::string out;
  for (const std::string& f : extra) {
    base::Result<std::string> text = base::ReadFile(f);
    if (!text) return Fail(text.error().Context("reading the CA certificate '{}'", f));
    out += *text;
    if (!out.empty() && out.back() != '\n') out += '\n';
  }
  if (!system.empty()) {
    base::Result<std::string> text = base::ReadFile(system);
    if (!text) return Fail(text.error().Context("reading the CA bundle '{}'", system));
    out += *text;
  }
  return out;
}

// The one-line text of a failed transfer. TLS failures get libcurl's detail
// ("ssl certificate problem: ..."), which says what to fix; elsewhere the
// detail repeats addresses and timings that make messages unstable.
std::string TransportErrorText(CURLcode code, const char* detail) {
  std::string text = LowerFirst(curl_easy_strerror(code));
  bool tls = code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION ||
             code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM;
  if (tls && detail[0] != '\0') text += ": " + LowerFirst(detail);
  return text;
}

// The request to send after a redirect response to `prev`.
Request NextHop(const Request& prev, long status, std::string location) {
  Request next = prev;
  next.url = std::move(location);
  bool to_get = (status == 303 && prev.method != "HEAD") ||
                ((status == 301 || status == 302) && prev.method == "POST");
  if (to_get) {
    next.method = "GET";
    next.body.clear();
    next.body_file.reset();
  }
  return next;
}

}  // namespace

std::string UrlOrigin(const std::string& url) {
  CURLU* u = curl_url();
  std::string origin;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
      origin = Lower(std::string(scheme) + "://" + host + ":" + port);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(u);
  return origin;
}

CurlClient::CurlClient(CurlOptions options) : options_(std::move(options)) {
  // Thread-safe since libcurl 7.84 and reference counted, so several clients
  // may come and go; Debian 12 ships 7.88.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (options_.user_agent.empty()) options_.user_agent = "distill/" DISTILL_VERSION;
  if (!options_.extra_ca_files.empty()) {
    Result<std::string> bundle = CaBundle(options_.ca_file, options_.extra_ca_files);
    if (bundle)
      ca_blob_ = std::move(*bundle);
    else
      ca_error_ = bundle.error().message();
  }
}

CurlClient::~CurlClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_global_cleanup();
}

void* CurlClient::Acquire() {
  std::lock_guard lock(mu_);
  if (idle_.empty()) return curl_easy_init();
  void* h = idle_.back();
  idle_.pop_back();
  return h;
}

void CurlClient::Release(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));
  std::lock_guard lock(mu_);
  // A pool as large as the busiest moment's parallelism; 16 bounds the
  // sockets kept open by a burst.
  if (idle_.size() < 16) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

Result<Response> CurlClient::Do(const Request& req, base::Sink* body) {
  if (!ca_error_.empty()) return Fail("'{}': {}", req.url, ca_error_);
  const std::string origin = UrlOrigin(req.url);
  Request hop = req;
  for (int redirects = 0;; ++redirects) {
    CURL* h = static_cast<CURL*>(Acquire());
    if (h == nullptr) return Fail("'{}': out of memory", req.url);
    Exchange ex;
    ex.sink = body;
    ex.follow_redirects = req.follow_redirects;
    ex.body_on_success_only = req.body_on_success_only;
    ex.limits = &options_.limits;
    ex.request = &hop;
    ex.start = ex.waiting_since = std::chrono::steady_clock::now();
    char detail[CURL_ERROR_SIZE] = "";
    Slist headers = BuildHeaders(hop, UrlOrigin(hop.url) == origin);
    FileBody file_body;
    if (hop.body_file) {
      Result<void> opened = OpenFileBody(*hop.body_file, file_body);
      if (!opened) {
        Release(h);
        return Fail(opened.error());
      }
    }
    SetTransportOptions(h, options_, options_.user_agent, ca_blob_);
    SetMethod(h, hop, file_body);
    curl_easy_setopt(h, CURLOPT_URL, hop.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &ex);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    CURLcode code = curl_easy_perform(h);
    char* next_url = nullptr;
    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next_url);
    std::string location = next_url ? next_url : "";
    Release(h);
    if (ex.sink_error) return Fail(*std::move(ex.sink_error));
    if (ex.limit_error) return Fail(*std::move(ex.limit_error));
    if (code != CURLE_OK) return Fail("'{}': {}", req.url, TransportErrorText(code, detail));
    if (!ex.Discarding() || location.empty()) {
      Response response;
      response.status = ex.status;
      response.headers = std::move(ex.headers);
      response.effective_url = hop.url;
      return response;
    }
    if (redirects == options_.max_redirects)
      return Fail("'{}': more than {} redirects", req.url, options_.max_redirects);
    hop = NextHop(hop, ex.status, std::move(location));
  }
}

}  // namespace http
