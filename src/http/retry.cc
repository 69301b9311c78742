// Retries with capped exponential backoff and "equal jitter": the n-th retry
// waits d/2 + rand(0, d/2) with d = min(max_delay, base * 2^(n-1)), so that
// parallel downloads that failed together (a mirror restarting) do not come
// back together, while each still waits at least half the backoff. A
// Retry-After in seconds on 429 or 503 (RFC 9110 §10.2.3; distribution-spec
// TOOMANYREQUESTS, formats.md C5) replaces the computed wait; the HTTP-date
// form is rare from registries and mirrors and falls back to the backoff.
//
// The operation budget (RetryOptions::operation_seconds) bounds the whole
// loop: each attempt is told how long it may take (Request::timeout), and a
// retry whose wait would end past the budget is not started.
//
// Only idempotent methods are retried (RFC 9110 §9.2.2): a POST that timed
// out may have opened an upload session, and a repeated PATCH corrupts one.
#include "http/retry.h"

#include <charconv>
#include <random>
#include <thread>

namespace http {
namespace {

using base::Result;
using std::chrono::milliseconds;

// Forwards to the attempt's sink and remembers whether that sink failed, so
// a full disk is not mistaken for a flaky network.
class SinkWatch : public base::Sink {
 public:
  explicit SinkWatch(base::Sink* next) : next_(next) {}
  Result<void> Write(std::span<const uint8_t> bytes) override {
    if (next_ == nullptr) return {};
    Result<void> r = next_->Write(bytes);
    if (!r) failed_ = true;
    return r;
  }
  bool failed() const { return failed_; }

 private:
  base::Sink* next_;
  bool failed_ = false;
};

// One attempt's body held for RetryingClient::Do. It never holds more than
// the final sink accepts: past that, everything goes to that sink, whose
// error (a limit's) ends the transfer.
class AttemptBuffer : public base::Sink {
 public:
  explicit AttemptBuffer(base::Sink& sink) : sink_(sink) {}
  Result<void> Write(std::span<const uint8_t> bytes) override {
    if (bytes.size() > sink_.Capacity() - std::min(sink_.Capacity(), uint64_t{out_.size()})) {
      DISTILL_TRY(sink_.Write(out_));
      return sink_.Write(bytes);
    }
    out_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return {};
  }
  std::string& str() { return out_; }

 private:
  base::Sink& sink_;
  std::string out_;
};

double DefaultRandom() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

// Retry-After as delay-seconds, or -1 when absent or an HTTP-date.
int64_t RetryAfterSeconds(const Response& r) {
  if (r.status != 429 && r.status != 503) return -1;
  auto it = r.headers.find("retry-after");
  if (it == r.headers.end()) return -1;
  const std::string& v = it->second;
  int64_t secs = -1;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
  if (ec != std::errc() || end != v.data() + v.size() || secs < 0) return -1;
  return secs;
}

}  // namespace

bool IsIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
         method == "PUT" || method == "DELETE";
}

bool IsRetryableStatus(long status) {
  return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

RetryingClient::RetryingClient(HttpClient& inner, RetryOptions options)
    : inner_(inner), options_(std::move(options)) {
  if (!options_.sleep) options_.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
  if (!options_.random) options_.random = DefaultRandom;
  if (!options_.now) options_.now = [] { return std::chrono::steady_clock::now(); };
}

milliseconds RetryingClient::Delay(int retry, const Response* last) const {
  if (last != nullptr) {
    int64_t secs = RetryAfterSeconds(*last);
    // Compare in seconds first: a hostile header must not overflow.
    if (secs >= 0)
      return secs >= options_.max_retry_after.count() / 1000 ? options_.max_retry_after
                                                             : milliseconds(secs * 1000);
  }
  milliseconds d = options_.base_delay;
  for (int i = 1; i < retry && d < options_.max_delay; ++i) d *= 2;
  d = std::min(d, options_.max_delay);
  double jitter = options_.random();
  return d / 2 + milliseconds(static_cast<int64_t>(static_cast<double>(d.count() / 2) * jitter));
}

Result<Response> RetryingClient::DoRestartable(const Request& req, const SinkFactory& new_attempt) {
  int attempts = IsIdempotent(req.method) ? std::max(options_.max_attempts, 1) : 1;
  const auto start = options_.now();
  const milliseconds budget(std::min<uint64_t>(options_.operation_seconds, uint64_t{1} << 32) *
                            1000);
  auto left = [&] {
    return budget - std::chrono::duration_cast<milliseconds>(options_.now() - start);
  };
  Request attempt_req = req;
  for (int attempt = 1;; ++attempt) {
    Result<base::Sink*> sink = new_attempt();
    if (!sink) return base::Fail(sink.error());
    SinkWatch watch(*sink);
    if (budget.count() > 0) {
      attempt_req.timeout = left();
      if (req.timeout.count() > 0) attempt_req.timeout = std::min(attempt_req.timeout, req.timeout);
    }
    Result<Response> r = inner_.Do(attempt_req, *sink ? &watch : nullptr);
    if (watch.failed()) return r;
    if (budget.count() > 0 && left().count() <= 0 && (!r || IsRetryableStatus(r->status))) {
      base::Limits limits;
      limits.operation_seconds = options_.operation_seconds;
      return base::Fail(base::LimitError(limits, "operation-seconds",
                                         fmt::format("'{}': the request with its {} attempt{}",
                                                     req.url, attempt, attempt == 1 ? "" : "s")));
    }
    if (attempt >= attempts) return r;
    if (r && !IsRetryableStatus(r->status)) return r;
    milliseconds wait = Delay(attempt, r ? &*r : nullptr);
    if (budget.count() > 0 && wait >= left()) return r;
    options_.sleep(wait);
  }
}

Result<Response> RetryingClient::Do(const Request& req, base::Sink* body) {
  if (body == nullptr) return DoRestartable(req, [] { return Result<base::Sink*>(nullptr); });
  if (!IsIdempotent(req.method)) return inner_.Do(req, body);
  AttemptBuffer buffer(*body);
  Result<Response> r = DoRestartable(req, [&buffer] {
    buffer.str().clear();
    return Result<base::Sink*>(&buffer);
  });
  if (r && !buffer.str().empty()) DISTILL_TRY(body->Write(buffer.str()));
  return r;
}

}  // namespace http
