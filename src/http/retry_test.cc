#include "http/retry.h"

#include <gtest/gtest.h>

#include "http/fake_http_client.h"

namespace http {
namespace {

using std::chrono::milliseconds;
using Fake = FakeHttpClient;

const char kUrl[] = "https://mirror.test/pool/a.deb";

Request Get(std::string method = "GET") {
  Request r;
  r.method = std::move(method);
  r.url = kUrl;
  return r;
}

// Retry options whose sleeps are recorded and whose jitter is pinned at the
// middle of its range (3/4 of the backoff).
struct Recorded {
  std::vector<milliseconds> sleeps;
  RetryOptions Options(int max_attempts = 4) {
    RetryOptions o;
    o.max_attempts = max_attempts;
    o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    o.random = [] { return 0.5; };
    return o;
  }
};

TEST(RetryTest, RetriesTransportErrorsWithBackoff) {
  Fake fake;
  fake.Script(kUrl, {Fake::Broken("", "couldn't connect to server"),
                     Fake::Broken("half", "transferred a partial file"), Fake::Ok("whole")});
  Recorded rec;
  RetryingClient client(fake, rec.Options());
  base::StringSink body;
  auto r = client.Do(Get(), &body);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body.str(), "whole");  // nothing of the broken attempt
  EXPECT_EQ(rec.sleeps, (std::vector<milliseconds>{milliseconds(150), milliseconds(300)}));
}

TEST(RetryTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  Fake fake;
  fake.Script(kUrl, {Fake::Broken("", "couldn't connect to server")});
  Recorded rec;
  RetryingClient client(fake, rec.Options(3));
  auto r = client.Do(Get(), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'https://mirror.test/pool/a.deb': couldn't connect to server");
  EXPECT_EQ(fake.requests().size(), 3u);
  EXPECT_EQ(rec.sleeps.size(), 2u);
}

TEST(RetryTest, ServerErrorsAreRetriedAndTheirBodiesDropped) {
  Fake fake;
  fake.Script(kUrl, {Fake::Status(500), Fake::Status(502), Fake::Ok("good")});
  Recorded rec;
  RetryingClient client(fake, rec.Options());
  base::StringSink body;
  auto r = client.Do(Get(), &body);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body.str(), "good");
}

TEST(RetryTest, ExhaustedServerErrorIsReturnedAsAResponse) {
  Fake fake;
  fake.Script(kUrl, {Fake::Status(503)});
  Recorded rec;
  RetryingClient client(fake, rec.Options(2));
  base::StringSink body;
  auto r = client.Do(Get(), &body);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(body.str(), "error page");
}

TEST(RetryTest, HonoursRetryAfterSecondsAndCapsIt) {
  Fake fake;
  fake.Script(
      kUrl, {Fake::Status(429, {{"retry-after", "3"}}),
             Fake::Status(503, {{"retry-after", "99999999999999999"}}),
             Fake::Status(503, {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}), Fake::Ok("x")});
  Recorded rec;
  RetryingClient client(fake, rec.Options());
  auto r = client.Do(Get(), nullptr);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(rec.sleeps, (std::vector<milliseconds>{milliseconds(3000), milliseconds(60'000),
                                                   milliseconds(600)}));
}

TEST(RetryTest, BackoffDoublesUpToTheCap) {
  Fake fake;
  RetryOptions o;
  o.random = [] { return 0.999; };
  RetryingClient client(fake, o);
  std::vector<int64_t> got;
  for (int retry = 1; retry <= 9; ++retry) got.push_back(client.Delay(retry, nullptr).count());
  EXPECT_EQ(got, (std::vector<int64_t>{199, 399, 799, 1599, 3198, 6396, 9995, 9995, 9995}));
  o.random = [] { return 0.0; };
  RetryingClient low(fake, o);
  EXPECT_EQ(low.Delay(1, nullptr), milliseconds(100));
  EXPECT_EQ(low.Delay(1000, nullptr), milliseconds(5000));
}

TEST(RetryTest, ClientErrorsAreNotRetried) {
  Fake fake;
  fake.Script(kUrl, {Fake::Status(404), Fake::Ok("never")});
  Recorded rec;
  RetryingClient client(fake, rec.Options());
  auto r = client.Do(Get(), nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(fake.requests().size(), 1u);
  EXPECT_TRUE(rec.sleeps.empty());
}

TEST(RetryTest, NonIdempotentMethodsAreSentOnce) {
  Fake fake;
  fake.Script(kUrl, {Fake::Status(503), Fake::Ok("never")});
  Recorded rec;
  RetryingClient client(fake, rec.Options());
  base::StringSink body;
  auto r = client.Do(Get("POST"), &body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(IsIdempotent("PATCH"), false);
  EXPECT_EQ(IsIdempotent("PUT"), true);
}

TEST(RetryTest, RestartableGivesEachAttemptAFreshSink) {
  Fake fake;
  fake.Script(kUrl, {Fake::Broken("par", "transferred a partial file"), Fake::Ok("full")});
  Recorded rec;
  RetryingClient client(fake, rec.Options());
  std::vector<std::unique_ptr<base::StringSink>> sinks;
  auto r = client.DoRestartable(Get(), [&]() -> base::Result<base::Sink*> {
    sinks.push_back(std::make_unique<base::StringSink>());
    return sinks.back().get();
  });
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(sinks.size(), 2u);
  EXPECT_EQ(sinks[0]->str(), "par");
  EXPECT_EQ(sinks[1]->str(), "full");
}

class FullDisk : public base::Sink {
 public:
  base::Result<void> Write(std::span<const uint8_t>) override {
    return base::Fail("writing 'blob': no space left on device");
  }
};

TEST(RetryTest, SinkAndFactoryErrorsEndRetrying) {
  Fake fake;
  fake.Script(kUrl, {Fake::Ok("data")});
  Recorded rec;
  RetryingClient client(fake, rec.Options());
  FullDisk disk;
  auto r = client.DoRestartable(Get(), [&] { return base::Result<base::Sink*>(&disk); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "writing 'blob': no space left on device");
  EXPECT_EQ(fake.requests().size(), 1u);
  auto f = client.DoRestartable(
      Get(), []() -> base::Result<base::Sink*> { return base::Fail("cache: read-only"); });
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message(), "cache: read-only");
}

}  // namespace
// A clock that only sleeps and requests advance.
struct FakeClock {
  std::chrono::steady_clock::time_point t{};
};

// Wraps a fake: each request takes `cost` on the fake clock and records the
// timeout it was given.
class SlowClient : public HttpClient {
 public:
  SlowClient(Fake& fake, FakeClock& clock, milliseconds cost)
      : fake_(fake), clock_(clock), cost_(cost) {}
  base::Result<Response> Do(const Request& req, base::Sink* body) override {
    timeouts.push_back(req.timeout);
    clock_.t += std::min(cost_, req.timeout.count() > 0 ? req.timeout : cost_);
    return fake_.Do(req, body);
  }
  std::vector<milliseconds> timeouts;

 private:
  Fake& fake_;
  FakeClock& clock_;
  milliseconds cost_;
};

TEST(RetryTest, OperationBudgetBoundsAllAttempts) {
  Fake fake;
  fake.Script(kUrl, {Fake::Broken("", "timeout was reached")});
  FakeClock clock;
  SlowClient slow(fake, clock, milliseconds(30'000));
  RetryOptions o;
  o.max_attempts = 100;
  o.operation_seconds = 70;
  o.random = [] { return 0.5; };
  o.now = [&clock] { return clock.t; };
  o.sleep = [&clock](milliseconds d) { clock.t += d; };
  RetryingClient client(slow, o);
  base::Result<Response> r = client.Do(Get(), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), std::string("'") + kUrl +
                                     "': the request with its 3 attempts exceeds the limit "
                                     "operation-seconds (70 s); raise it with --limit "
                                     "operation-seconds=...");
  ASSERT_EQ(slow.timeouts.size(), 3u);
  EXPECT_EQ(slow.timeouts[0], milliseconds(70'000));
  // Each later attempt gets what is left, not a fresh 70 s.
  EXPECT_LT(slow.timeouts[1], milliseconds(40'000));
  EXPECT_LT(slow.timeouts[2], slow.timeouts[1]);
  EXPECT_LE(clock.t - std::chrono::steady_clock::time_point{}, milliseconds(70'000));
}

TEST(RetryTest, NoBudgetMeansNoTimeout) {
  Fake fake;
  fake.Script(kUrl, {Fake::Ok("x")});
  FakeClock clock;
  SlowClient slow(fake, clock, milliseconds(1));
  Recorded rec;
  RetryingClient client(slow, rec.Options());
  ASSERT_TRUE(client.Do(Get(), nullptr));
  EXPECT_EQ(slow.timeouts, std::vector<milliseconds>{milliseconds(0)});
}

TEST(RetryTest, BufferedAttemptStopsAtTheSinksCapacity) {
  Fake fake;
  fake.Script(kUrl, {Fake::Ok(std::string(4 << 20, 'm'))});
  Recorded rec;
  RetryingClient client(fake, rec.Options());
  base::StringSink out;
  base::CappedSink capped(&out, 100 << 10, base::Error("body over the cap"));
  base::Result<Response> r = client.Do(Get(), &capped);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "body over the cap");
  EXPECT_TRUE(rec.sleeps.empty());  // a limit is not retried
  EXPECT_LE(fake.delivered(), uint64_t{100} << 10);
}

}  // namespace http
