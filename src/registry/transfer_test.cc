#include "registry/transfer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/file_util.h"
#include "base/sha256.h"
#include "http/fake_http_client.h"

namespace registry {
namespace {

using http::FakeHttpClient;

// A one-layer image whose layer blob is a temporary file.
struct TestImage {
  std::string path;
  oci::Bundle bundle;
  TestImage() {
    char tmpl[] = "/tmp/distill-push-test-XXXXXX";
    int fd = mkstemp(tmpl);
    EXPECT_EQ(write(fd, "layer", 5), 5);
    close(fd);
    path = tmpl;
    oci::Layer l;
    l.descriptor = {
        "application/vnd.oci.image.layer.v1.tar", base::Sha256Digest("layer"), 5, {}, std::nullopt};
    l.diff_id = l.descriptor.digest;
    l.path = path;
    bundle = oci::MakeBundle({oci::MakeImageManifest({"linux", "amd64", ""}, {}, {l}, 0, {})});
  }
  ~TestImage() { unlink(path.c_str()); }
};

std::vector<std::string> MethodsAndUrls(FakeHttpClient& fake) {
  std::vector<std::string> out;
  for (const http::Request& r : fake.requests()) out.push_back(r.method + " " + r.url);
  return out;
}

TEST(PushTest, SkipsExistingBlobsUploadsOthersThenPutsTheManifest) {
  TestImage img;
  const oci::ImageManifest& m = img.bundle.images[0];
  std::string base = "https://reg.test/v2/";
  std::string layer = m.layers[0].descriptor.digest;
  FakeHttpClient fake;
  fake.Script(base, {FakeHttpClient::Ok("")});
  fake.Script(base + "app/blobs/" + m.config.digest, {FakeHttpClient::Ok("")});
  fake.Script(base + "app/blobs/" + layer, {FakeHttpClient::Status(404)});
  fake.Script(base + "app/blobs/uploads/",
              {FakeHttpClient::Status(202, {{"location", "/v2/app/blobs/uploads/u1?_state=s"}})});
  std::string put = base + "app/blobs/uploads/u1?_state=s&digest=" + UrlEncode(layer);
  fake.Script(put, {FakeHttpClient::Status(201)});
  fake.Script(base + "app/manifests/v1",
              {FakeHttpClient::Status(201, {{"docker-content-digest", img.bundle.top.digest}})});
  Options o;
  o.jobs = 1;
  Client client(o, fake);
  auto ref = oci::ParseImageRef("docker://reg.test/app:v1");
  PushStats stats;
  auto digest = PushTo(client, *ref, img.bundle, &stats);
  ASSERT_TRUE(digest) << digest.error().message();
  EXPECT_EQ(*digest, img.bundle.top.digest);
  EXPECT_EQ(stats.existed, 1);
  EXPECT_EQ(stats.uploaded, 1);
  EXPECT_EQ(MethodsAndUrls(fake),
            (std::vector<std::string>{"GET " + base, "HEAD " + base + "app/blobs/" + layer,
                                      "POST " + base + "app/blobs/uploads/", "PUT " + put,
                                      "HEAD " + base + "app/blobs/" + m.config.digest,
                                      "PUT " + base + "app/manifests/v1"}));
  http::Request last = fake.requests().back();
  EXPECT_EQ(last.body, m.manifest_bytes);
  EXPECT_EQ(last.headers[0], (std::pair<std::string, std::string>{
                                 "Content-Type", "application/vnd.oci.image.manifest.v1+json"}));
  ASSERT_TRUE(fake.requests()[3].body_file);
  EXPECT_EQ(fake.requests()[3].body_file->length, 5u);
}

TEST(PushTest, BlobFailureLeavesNoManifest) {
  TestImage img;
  const oci::ImageManifest& m = img.bundle.images[0];
  std::string base = "https://reg.test/v2/";
  FakeHttpClient fake;
  fake.Script(base, {FakeHttpClient::Ok("")});
  fake.Script(base + "app/blobs/" + m.config.digest, {FakeHttpClient::Ok("")});
  fake.Script(base + "app/blobs/" + m.layers[0].descriptor.digest, {FakeHttpClient::Status(404)});
  fake.Script(base + "app/blobs/uploads/", {FakeHttpClient::Status(403)});
  Options o;
  o.jobs = 1;
  o.retry.sleep = [](std::chrono::milliseconds) {};
  Client client(o, fake);
  auto ref = oci::ParseImageRef("docker://reg.test/app:v1");
  auto digest = PushTo(client, *ref, img.bundle);
  ASSERT_FALSE(digest);
  EXPECT_EQ(digest.error().message(),
            "pushing 'docker://reg.test/app:v1': pushing blob '" + m.layers[0].descriptor.digest +
                "': 'reg.test': unauthorized: http 403 (no credentials; run 'distill login "
                "reg.test')");
  for (const std::string& r : MethodsAndUrls(fake))
    EXPECT_EQ(r.find("manifests"), std::string::npos);
}

}  // namespace
}  // namespace registry
