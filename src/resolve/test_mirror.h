// Test doubles shared by the build module's repository tests: an in-memory
// mirror, the archive's signing key, and gzip for indexes.
#pragma once

#include <zlib.h>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "debian/test_signing.h"
#include "resolve/packages.h"
#include "http/http_client.h"

namespace build {

// Serves in-memory files, 404 for anything else; thread-safe, since
// downloads run in parallel. Records what was asked.
class FakeMirror : public http::HttpClient {
 public:
  base::Result<http::Response> Do(const http::Request& req, base::Sink* body) override {
    std::lock_guard lock(mu_);
    requests.push_back(req.url);
    http::Response resp;
    resp.effective_url = req.url;
    auto it = files.find(req.url);
    resp.status = it == files.end() ? 404 : 200;
    if (body && it != files.end()) DISTILL_TRY(body->Write(it->second));
    return resp;
  }
  std::map<std::string, std::string> files;
  std::vector<std::string> requests;

 private:
  std::mutex mu_;
};

// One archive key for the whole test binary: generation is the slow part.
inline const debian::TestSigner& Signer() {
  static auto* s = new debian::TestSigner("archive@test");
  return *s;
}

// gzip-framed deflate of `text`, as Packages.gz and Contents-*.gz are.
inline std::string Gzip(std::string_view text) {
  z_stream s{};
  deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, text.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = text.size();
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = out.size();
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// A build's context and resolver together, for tests that resolve
// against a FakeMirror: `*session` serves where either is asked for.
struct TestSession {
  TestSession(BuildOptions o, base::Reporter& reporter) : ctx(std::move(o), reporter), resolver(ctx) {}
  operator Resolver&() { return resolver; }
  operator BuildContext&() { return ctx; }
  BuildContext ctx;
  Resolver resolver;
};

}  // namespace build
