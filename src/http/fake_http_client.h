// FakeHttpClient: a scripted HttpClient for tests (no sockets, no clock).
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_client.h"

namespace http {

class FakeHttpClient : public HttpClient {
 public:
  struct Outcome {
    long status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
    // Set: after writing `body`, fail with "'<url>': <transport_error>".
    std::optional<std::string> transport_error;
  };

  static Outcome Ok(std::string body) {
    Outcome o;
    o.body = std::move(body);
    return o;
  }
  static Outcome Status(long status, std::map<std::string, std::string> headers = {}) {
    Outcome o;
    o.status = status;
    o.body = "error page";
    o.headers = std::move(headers);
    return o;
  }
  static Outcome Broken(std::string partial_body, std::string error) {
    Outcome o;
    o.body = std::move(partial_body);
    o.transport_error = std::move(error);
    return o;
  }

  // Requests for `url` get these outcomes in order; the last one repeats.
  void Script(const std::string& url, std::vector<Outcome> outcomes) {
    std::lock_guard lock(mu_);
    scripts_[url] = {std::move(outcomes), 0};
  }

  // Thread-safe. An unscripted URL fails as a DNS error would.
  base::Result<Response> Do(const Request& req, base::Sink* body) override {
    Outcome o;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
      auto it = scripts_.find(req.url);
      if (it == scripts_.end()) return base::Fail("'{}': couldn't resolve host name", req.url);
      auto& [outcomes, next] = it->second;
      o = outcomes[std::min(next++, outcomes.size() - 1)];
    }
    bool drop = req.body_on_success_only && (o.status < 200 || o.status > 299);
    // In chunks, as a socket delivers: a sink that fails stops the rest.
    if (body != nullptr && !drop) {
      for (size_t off = 0; off < o.body.size(); off += kChunk) {
        std::string_view chunk = std::string_view(o.body).substr(off, kChunk);
        DISTILL_TRY(body->Write(chunk));
        delivered_ += chunk.size();
      }
    }
    if (o.transport_error) return base::Fail("'{}': {}", req.url, *o.transport_error);
    Response r;
    r.status = o.status;
    r.headers = o.headers;
    r.effective_url = req.url;
    return r;
  }

  // Body bytes the sinks accepted, over all requests.
  uint64_t delivered() const { return delivered_; }
  static constexpr size_t kChunk = 16 << 10;

  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::pair<std::vector<Outcome>, size_t>> scripts_;
  std::vector<Request> requests_;
  std::atomic<uint64_t> delivered_{0};
};

}  // namespace http
