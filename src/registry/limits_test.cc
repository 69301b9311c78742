// The registry's bounds on what a server sends (base/limits.h): each body
// cap fails while the body streams, so a hostile registry is stopped after
// about the limit, not after it sent (and distill held) everything.
#include <gtest/gtest.h>

#include "http/fake_http_client.h"
#include "registry/client.h"

namespace registry {
namespace {

using http::FakeHttpClient;

const std::string kBase = "https://reg.test/v2/";
const uint64_t kHuge = 8 << 20;  // sent by the fake
const uint64_t kCap = 1 << 20;   // what the test allows

Options Small() {
  Options o;
  o.jobs = 1;
  o.retry.max_attempts = 1;
  o.limits.manifest_bytes = kCap;
  o.limits.token_bytes = kCap;
  o.limits.error_body_bytes = kCap;
  return o;
}

base::Result<Manifest> FetchV1(FakeHttpClient& fake, const Options& o) {
  Client client(o, fake);
  base::Result<oci::ImageRef> ref = oci::ParseImageRef("docker://reg.test/app:v1");
  EXPECT_TRUE(ref);
  base::Result<std::unique_ptr<Repository>> repo = client.Open(*ref, false);
  if (!repo) return base::Fail(repo.error());
  return (*repo)->FetchManifest("v1");
}

TEST(RegistryLimitsTest, HugeManifestFailsWhileStreaming) {
  FakeHttpClient fake;
  fake.Script(kBase, {FakeHttpClient::Ok("")});
  fake.Script(kBase + "app/manifests/v1", {FakeHttpClient::Ok(std::string(kHuge, '{'))});
  base::Result<Manifest> m = FetchV1(fake, Small());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(),
            "'reg.test': the response to GET 'https://reg.test/v2/app/manifests/v1' exceeds the "
            "limit manifest-bytes (1 MiB); raise it with --limit manifest-bytes=...");
  EXPECT_LE(fake.delivered(), kCap);
}

TEST(RegistryLimitsTest, ManifestAtTheLimitIsAccepted) {
  FakeHttpClient fake;
  fake.Script(kBase, {FakeHttpClient::Ok("")});
  std::string body = "{" + std::string(kCap - 2, ' ') + "}";
  fake.Script(kBase + "app/manifests/v1", {FakeHttpClient::Ok(body)});
  base::Result<Manifest> m = FetchV1(fake, Small());
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->bytes.size(), kCap);
}

TEST(RegistryLimitsTest, HugeManifestIsStoppedEvenWhenRetried) {
  // With retries, each attempt is buffered; the buffer stops at the cap too.
  FakeHttpClient fake;
  fake.Script(kBase, {FakeHttpClient::Ok("")});
  fake.Script(kBase + "app/manifests/v1", {FakeHttpClient::Ok(std::string(kHuge, '{'))});
  Options o = Small();
  o.retry.max_attempts = 3;
  base::Result<Manifest> m = FetchV1(fake, o);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("manifest-bytes"), std::string::npos);
  EXPECT_LE(fake.delivered(), kCap);
}

TEST(RegistryLimitsTest, HugeErrorBodyFailsWhileStreaming) {
  FakeHttpClient fake;
  fake.Script(kBase, {FakeHttpClient::Ok("")});
  FakeHttpClient::Outcome err = FakeHttpClient::Status(400);
  err.body = std::string(kHuge, 'x');
  fake.Script(kBase + "app/blobs/sha256:" + std::string(64, 'a'), {err});
  Options o = Small();
  Client client(o, fake);
  Session* s = *client.Connect("reg.test");
  http::Request req;
  req.url = "/v2/app/blobs/sha256:" + std::string(64, 'a');
  base::Result<Reply> r = s->Send(req, "");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("exceeds the limit error-body-bytes (1 MiB)"),
            std::string::npos)
      << r.error().message();
  EXPECT_LE(fake.delivered(), kCap);
}

TEST(RegistryLimitsTest, HugeTokenResponseFailsWhileStreaming) {
  FakeHttpClient fake;
  fake.Script(kBase,
              {FakeHttpClient::Status(
                  401, {{"www-authenticate",
                         "Bearer realm=\"https://auth.test/token\",service=\"reg.test\""}})});
  fake.Script("https://auth.test/token?service=reg.test&scope=repository%3Aapp%3Apull",
              {FakeHttpClient::Ok("{\"token\":\"" + std::string(kHuge, 't') + "\"}")});
  base::Result<Manifest> m = FetchV1(fake, Small());
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("exceeds the limit token-bytes (1 MiB)"), std::string::npos)
      << m.error().message();
  EXPECT_LE(fake.delivered(), kCap);
}

TEST(RegistryLimitsTest, BlobLargerThanDeclaredFailsWhileStreaming) {
  FakeHttpClient fake;
  fake.Script(kBase, {FakeHttpClient::Ok("")});
  std::string digest = "sha256:" + std::string(64, 'b');
  fake.Script(kBase + "app/blobs/" + digest, {FakeHttpClient::Ok(std::string(kHuge, 'x'))});
  Options o = Small();
  Client client(o, fake);
  base::Result<std::unique_ptr<Repository>> repo =
      client.Open(*oci::ParseImageRef("docker://reg.test/app:v1"), false);
  ASSERT_TRUE(repo);
  base::StringSink out;
  base::Result<void> r = (*repo)->FetchBlob(digest, 1000, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "blob '" + digest + "' is larger than its declared size (1000 bytes)");
  EXPECT_LE(out.str().size(), 1000u);
  EXPECT_LT(fake.delivered(), kHuge);
}

}  // namespace
}  // namespace registry
