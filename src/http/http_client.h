// HttpClient: the seam between distill and the network. The libcurl
// implementation (curl_client.h) is the only one that touches sockets; tests
// substitute a fake. Everything fetched over HTTP is verified by its caller
// (Release signature, SHA256 from a signed index, OCI digests), so this layer
// moves bytes and reports status; it never decides trust.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/sink.h"

namespace http {

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent as is for POST/PUT/PATCH
  // Set: the body is instead `length` bytes of the file at `path` from
  // `offset`, read while sending, so large blobs never sit in memory. Each
  // attempt (retry, redirect) reads the range afresh.
  struct FileRange {
    std::string path;
    uint64_t offset = 0;
    uint64_t length = 0;
  };
  std::optional<FileRange> body_file;
  // Follow redirects. The client drops the Authorization header when a
  // redirect leaves the original host (distribution-spec: blob 307s).
  bool follow_redirects = true;
  // Stream the body into the sink only for a 2xx response and drop other
  // bodies (error pages), for sinks that must hold nothing else, such as a
  // cache writer with a size limit.
  bool body_on_success_only = false;
  // Non-zero: end the request after this long even when the client's own
  // deadline is later (what is left of an operation's budget, retry.h).
  std::chrono::milliseconds timeout{0};
};

struct Response {
  long status = 0;
  // Header names lowercased; a repeated header keeps its last value.
  std::map<std::string, std::string> headers;
  std::string effective_url;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Performs `req`, streaming the response body into `body` (may be null to
  // drop it). Fails only for transport errors (DNS, refused, reset, timeout,
  // TLS); any HTTP status, 404 and 500 included, is a successful Response.
  virtual base::Result<Response> Do(const Request& req, base::Sink* body) = 0;
};

}  // namespace http
