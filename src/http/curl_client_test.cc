#include "http/curl_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace http {
namespace {

// What the test server saw of one request.
struct SeenRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

SeenRequest ParseRequest(const std::string& head, std::string body) {
  SeenRequest r;
  r.body = std::move(body);
  size_t pos = 0;
  for (bool first = true;; first = false) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string::npos || eol == pos) break;
    std::string line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (first) {
      size_t sp = line.find(' ');
      r.method = line.substr(0, sp);
      r.path = line.substr(sp + 1, line.rfind(' ') - sp - 1);
      continue;
    }
    size_t colon = line.find(':');
    r.headers[Lower(line.substr(0, colon))] = line.substr(line.find_first_not_of(' ', colon + 1));
  }
  return r;
}

// A one-request-per-connection HTTP/1.1 server on 127.0.0.1 and an ephemeral
// port, serving whatever raw bytes `handler` returns, from its own thread.
// The connection is closed after each response, so a response shorter than
// its Content-Length simulates a server that dies mid-body.
class TestServer {
 public:
  using Handler = std::function<std::string(const SeenRequest&)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(listen(listen_fd_, 16), 0);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<SeenRequest> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{.fd = listen_fd_, .events = POLLIN, .revents = 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      HandleConnection(fd);
      close(fd);
    }
  }

  bool ReadMore(int fd, std::string& buf) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 1000) <= 0) return false;
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  void HandleConnection(int fd) {
    std::string buf;
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos)
      if (!ReadMore(fd, buf)) return;
    SeenRequest req = ParseRequest(buf.substr(0, end + 2), "");
    size_t want =
        req.headers.contains("content-length") ? std::stoul(req.headers["content-length"]) : 0;
    while (buf.size() < end + 4 + want)
      if (!ReadMore(fd, buf)) return;
    req.body = buf.substr(end + 4, want);
    std::string response = handler_(req);
    {
      std::lock_guard lock(mu_);
      seen_.push_back(std::move(req));
    }
    send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<SeenRequest> seen_;
  std::thread thread_;
};

// Designated initializers that skip members warn under g++ 12's -Wextra.
Request Req(std::string method, std::string url,
            std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = "") {
  Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

std::string Reply(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra + "\r\n" + body;
}

TEST(CurlClientTest, GetStreamsBodyAndLowercasesHeaders) {
  TestServer server(
      [](const SeenRequest&) { return Reply(200, "hello", "X-Thing: Some Value\r\n"); });
  CurlClient client;
  base::StringSink body;
  auto r = client.Do(Req("GET", server.Url("/ok")), &body);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body.str(), "hello");
  EXPECT_EQ(r->headers["x-thing"], "Some Value");
  EXPECT_EQ(r->headers["content-length"], "5");
  EXPECT_EQ(r->effective_url, server.Url("/ok"));
  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen()[0].method, "GET");
  EXPECT_EQ(server.seen()[0].headers["user-agent"].substr(0, 8), "distill/");
}

TEST(CurlClientTest, HttpErrorStatusesAreResponses) {
  TestServer server([](const SeenRequest& req) {
    return req.path == "/missing" ? Reply(404, "no") : Reply(500, "boom");
  });
  CurlClient client;
  base::StringSink body;
  auto r404 = client.Do(Req("GET", server.Url("/missing")), &body);
  ASSERT_TRUE(r404) << r404.error().message();
  EXPECT_EQ(r404->status, 404);
  auto r500 = client.Do(Req("GET", server.Url("/error")), nullptr);
  ASSERT_TRUE(r500) << r500.error().message();
  EXPECT_EQ(r500->status, 500);
  EXPECT_EQ(body.str(), "no");
}

TEST(CurlClientTest, BodyOnSuccessOnlyDropsErrorPages) {
  TestServer server([](const SeenRequest& req) {
    return req.path == "/missing" ? Reply(404, "not found page") : Reply(200, "deb");
  });
  CurlClient client;
  base::StringSink body;
  Request missing = Req("GET", server.Url("/missing"));
  missing.body_on_success_only = true;
  auto r = client.Do(missing, &body);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body.str(), "");
  Request ok = Req("GET", server.Url("/ok"));
  ok.body_on_success_only = true;
  ASSERT_TRUE(client.Do(ok, &body));
  EXPECT_EQ(body.str(), "deb");
}

TEST(CurlClientTest, RedirectToAnotherPortDropsAuthorization) {
  TestServer storage([](const SeenRequest&) { return Reply(200, "blob bytes"); });
  TestServer registry([&](const SeenRequest&) {
    return Reply(307, "moved", "Location: " + storage.Url("/signed?x=1") + "\r\n");
  });
  CurlClient client;
  base::StringSink body;
  Request req = Req("GET", registry.Url("/v2/a/blobs/sha256:1"),
                    {{"Authorization", "Bearer secret"}, {"X-Keep", "1"}});
  auto r = client.Do(req, &body);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body.str(), "blob bytes");  // not "moved"
  EXPECT_EQ(r->effective_url, storage.Url("/signed?x=1"));
  ASSERT_EQ(registry.seen().size(), 1u);
  EXPECT_EQ(registry.seen()[0].headers["authorization"], "Bearer secret");
  ASSERT_EQ(storage.seen().size(), 1u);
  EXPECT_EQ(storage.seen()[0].path, "/signed?x=1");
  EXPECT_FALSE(storage.seen()[0].headers.contains("authorization"));
  EXPECT_EQ(storage.seen()[0].headers["x-keep"], "1");
}

TEST(CurlClientTest, SameOriginRedirectKeepsAuthorization) {
  TestServer server([](const SeenRequest& req) {
    return req.path == "/a" ? Reply(302, "", "Location: /b\r\n") : Reply(200, "b");
  });
  CurlClient client;
  base::StringSink body;
  auto r = client.Do(Req("GET", server.Url("/a"), {{"authorization", "Basic eA=="}}), &body);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(body.str(), "b");
  ASSERT_EQ(server.seen().size(), 2u);
  EXPECT_EQ(server.seen()[1].path, "/b");
  EXPECT_EQ(server.seen()[1].headers["authorization"], "Basic eA==");
}

TEST(CurlClientTest, RedirectNotFollowedWhenAsked) {
  TestServer server([](const SeenRequest&) { return Reply(307, "", "Location: /b\r\n"); });
  CurlClient client;
  Request req = Req("GET", server.Url("/a"));
  req.follow_redirects = false;
  auto r = client.Do(req, nullptr);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->headers["location"], "/b");
  EXPECT_EQ(server.seen().size(), 1u);
}

TEST(CurlClientTest, TooManyRedirectsIsAnError) {
  TestServer server([](const SeenRequest&) { return Reply(307, "", "Location: /loop\r\n"); });
  CurlOptions options;
  options.max_redirects = 3;
  CurlClient client(options);
  auto r = client.Do(Req("GET", server.Url("/loop")), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'" + server.Url("/loop") + "': more than 3 redirects");
  EXPECT_EQ(server.seen().size(), 4u);
}

TEST(CurlClientTest, ConnectionClosedMidBodyIsATransportError) {
  TestServer server([](const SeenRequest&) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
  });
  CurlClient client;
  base::StringSink body;
  auto r = client.Do(Req("GET", server.Url("/cut")), &body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'" + server.Url("/cut") + "': transferred a partial file");
}

TEST(CurlClientTest, RefusedConnectionIsATransportError) {
  // Take an ephemeral port, then close it so that nothing listens there.
  std::string url;
  {
    url = TestServer([](const SeenRequest&) { return std::string(); }).Url("/x");
  }
  CurlClient client;
  auto r = client.Do(Req("GET", url), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'" + url + "': couldn't connect to server");
}

TEST(CurlClientTest, UnreadableExtraCaIsAnErrorBeforeAnyConnection) {
  CurlOptions o;
  o.extra_ca_files = {"/nonexistent/distill-test/ca.crt"};
  CurlClient client(o);
  auto r = client.Do(Req("GET", "https://127.0.0.1:1/v2/"), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind("'https://127.0.0.1:1/v2/': reading the CA certificate "
                                      "'/nonexistent/distill-test/ca.crt': ",
                                      0),
            0u)
      << r.error().message();
}

class FailingSink : public base::Sink {
 public:
  base::Result<void> Write(std::span<const uint8_t>) override {
    return base::Fail("writing 'x': no space left on device");
  }
};

TEST(CurlClientTest, SinkErrorAbortsTransferAndIsReturnedAsIs) {
  TestServer server([](const SeenRequest&) { return Reply(200, "data"); });
  CurlClient client;
  FailingSink sink;
  auto r = client.Do(Req("GET", server.Url("/x")), &sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "writing 'x': no space left on device");
}

TEST(CurlClientTest, PutSendsBodyAndHeaders) {
  TestServer server([](const SeenRequest&) { return Reply(201, ""); });
  CurlClient client;
  Request req = Req("PUT", server.Url("/upload?digest=sha256:1"),
                    {{"Content-Type", "application/octet-stream"}}, "layer");
  auto r = client.Do(req, nullptr);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 201);
  ASSERT_EQ(server.seen().size(), 1u);
  SeenRequest seen = server.seen()[0];
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.body, "layer");
  EXPECT_EQ(seen.headers["content-type"], "application/octet-stream");
  EXPECT_FALSE(seen.headers.contains("expect"));
}

TEST(CurlClientTest, FileBodySendsOnlyTheRangeWithItsLength) {
  TestServer server([](const SeenRequest&) { return Reply(202, ""); });
  char path[] = "/tmp/distill-curl-body-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "0123456789", 10), 10);
  close(fd);
  CurlClient client;
  Request req = Req("PATCH", server.Url("/upload"), {{"Content-Range", "3-6"}});
  req.body_file = Request::FileRange{path, 3, 4};
  auto r = client.Do(req, nullptr);
  unlink(path);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 202);
  ASSERT_EQ(server.seen().size(), 1u);
  SeenRequest seen = server.seen()[0];
  EXPECT_EQ(seen.method, "PATCH");
  EXPECT_EQ(seen.body, "3456");
  EXPECT_EQ(seen.headers["content-length"], "4");
  EXPECT_EQ(seen.headers["content-range"], "3-6");
}

TEST(CurlClientTest, SeeOtherTurnsPostIntoGet) {
  TestServer server([](const SeenRequest& req) {
    return req.path == "/form" ? Reply(303, "", "Location: /result\r\n") : Reply(200, "ok");
  });
  CurlClient client;
  auto r = client.Do(Req("POST", server.Url("/form"), {}, "a=1"), nullptr);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(server.seen().size(), 2u);
  EXPECT_EQ(server.seen()[1].method, "GET");
  EXPECT_EQ(server.seen()[1].body, "");
}

TEST(UrlOriginTest, FillsDefaultPortAndLowercases) {
  EXPECT_EQ(UrlOrigin("https://Registry.Example/v2/"), "https://registry.example:443");
  EXPECT_EQ(UrlOrigin("http://127.0.0.1:5000/x"), "http://127.0.0.1:5000");
  EXPECT_EQ(UrlOrigin("not a url"), "");
}

}  // namespace
}  // namespace http
