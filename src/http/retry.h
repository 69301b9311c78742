// RetryingClient: retries idempotent requests that failed for reasons that
// may pass (transport errors, 5xx, 429), with capped exponential backoff.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "base/limits.h"
#include "http/http_client.h"

namespace http {

struct RetryOptions {
  // Attempts in all, the first included; 1 disables retrying.
  int max_attempts = 4;
  // The n-th retry waits about base_delay * 2^(n-1), at most max_delay.
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10'000};
  // A server's Retry-After (429, 503) is obeyed up to this long.
  std::chrono::milliseconds max_retry_after{60'000};
  // Non-zero: one request with all its attempts and waits ends within this
  // many seconds (the limit operation-seconds): each attempt gets what is
  // left as its Request::timeout, no retry starts past it, and running out
  // is an error naming the limit.
  uint64_t operation_seconds = 0;
  // The clock; empty means std::chrono::steady_clock. Tests advance it.
  std::function<std::chrono::steady_clock::time_point()> now;
  // How to wait; empty means std::this_thread::sleep_for. Tests record.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Uniform in [0, 1); empty means a per-thread PRNG. Tests pin it.
  std::function<double()> random;
};

// Starts the body of a new attempt: returns where its bytes go (null drops
// them). Each call means "start over": the caller discards whatever the
// previous attempt wrote (e.g. destroys an uncommitted cache writer) and the
// sink of the last call holds the body of the returned Response.
using SinkFactory = std::function<base::Result<base::Sink*>()>;

// Wraps another client; thread-safe if it is and if `options`' functions are.
//
// A retried request must not leave half a body behind, so there are two ways
// in. Do() (the HttpClient interface) buffers each attempt's body in memory
// and writes only the final one into `body`: fine for indexes, manifests and
// tokens. DoRestartable() streams each attempt into a sink from a factory,
// for large bodies such as .debs and blobs going to the cache.
class RetryingClient : public HttpClient {
 public:
  RetryingClient(HttpClient& inner, RetryOptions options = {});

  // Returns the final attempt's Response or transport error. Requests with a
  // non-idempotent method (POST, PATCH) are sent once and streamed directly.
  base::Result<Response> Do(const Request& req, base::Sink* body) override;

  // As Do(), but each attempt writes into a new sink from `new_attempt`. An
  // error from that sink or from the factory ends the retries and is
  // returned unchanged: the network did not cause it.
  base::Result<Response> DoRestartable(const Request& req, const SinkFactory& new_attempt);

  // The wait before retry number `retry` (1 for the first) after `last`,
  // which is the failed Response or null after a transport error.
  std::chrono::milliseconds Delay(int retry, const Response* last) const;

 private:
  HttpClient& inner_;
  RetryOptions options_;
};

// RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT and DELETE.
bool IsIdempotent(std::string_view method);
// 429 and 5xx other than 501 (not implemented) and 505 (version).
bool IsRetryableStatus(long status);

}  // namespace http
