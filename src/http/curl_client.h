// CurlClient: the HttpClient that talks to real servers, through libcurl.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/limits.h"
#include "http/http_client.h"

namespace http {

struct CurlOptions {
  // Verify the server's certificate and name (podman's --tls-verify).
  bool tls_verify = true;
  // PEM bundle of trusted CAs; empty means libcurl's default, which on Debian
  // is the system bundle /etc/ssl/certs/ca-certificates.crt.
  std::string ca_file;
  // More PEM CA files trusted besides those (a registry's certs.d *.crt).
  std::vector<std::string> extra_ca_files;
  // A client certificate and its key, PEM files (certs.d *.cert, *.key).
  std::string client_cert;
  std::string client_key;
  // connect_seconds bounds connecting and then waiting for the first byte
  // of the answer (a server that accepts and never answers fails fast);
  // request_seconds bounds each request from start to end, however fast
  // its bytes trickle in. Over either is an error naming the limit.
  base::Limits limits;
  // A transfer slower than low_speed_limit bytes/s for low_speed_time is
  // aborted ("timeout was reached") rather than left hanging.
  int64_t low_speed_limit = 1024;
  std::chrono::seconds low_speed_time{30};
  // Empty means "distill/<version>".
  std::string user_agent;
  int max_redirects = 10;
};

// Thread-safe: any number of threads may call Do() at once. Idle easy handles
// are pooled so that consecutive requests reuse their connections.
class CurlClient : public HttpClient {
 public:
  explicit CurlClient(CurlOptions options = {});
  ~CurlClient() override;
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  // Follows redirects by hand (at most max_redirects, else an error), sending
  // Authorization only while the scheme, host and port stay those of
  // req.url. Response bodies of followed redirects are discarded. A transport
  // error reads "'<req.url>': <libcurl's error text>" (a limit's error for
  // the deadlines of CurlOptions::limits); an error from `body`
  // aborts the transfer and is returned unchanged.
  base::Result<Response> Do(const Request& req, base::Sink* body) override;

 private:
  void* Acquire();
  void Release(void* handle);

  CurlOptions options_;
  // With extra_ca_files: the trusted CAs as one PEM text (libcurl takes a
  // single bundle), or why it could not be read.
  std::string ca_blob_;
  std::string ca_error_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* easy handles, reset before reuse
};

// "scheme://host:port" of an absolute URL, lowercased, with the scheme's
// default port filled in; "" when `url` does not parse.
std::string UrlOrigin(const std::string& url);

}  // namespace http
