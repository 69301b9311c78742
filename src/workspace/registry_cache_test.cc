#include "workspace/registry_cache.h"

#include <gtest/gtest.h>

namespace build {
namespace {

const char kDigestA[] = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const char kDigestB[] = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

oci::Layer TestLayer() {
  oci::Layer l;
  l.descriptor = {"application/vnd.oci.image.layer.v1.tar+gzip", kDigestA, 123, {}, std::nullopt};
  l.diff_id = kDigestB;
  l.uncompressed_size = 4096;
  l.created_by = "distill package tzdata 2024a-0+deb12u1";
  l.path = "/cache/blobs/sha256/aaaa";
  return l;
}

TEST(RegistryCacheTest, ConfigIsSortedAndRoundTrips) {
  CacheEntry z = LayerCacheEntry("ffff", TestLayer());
  CacheEntry a = LayerCacheEntry("0000", TestLayer());
  CacheEntry stage{"stage",
                   "1234",
                   {"application/vnd.oci.image.layer.v1.tar+zstd", kDigestB, 9, {}, std::nullopt},
                   {},
                   ""};
  std::string bytes = SerializeCacheConfig({z, stage, a});
  EXPECT_EQ(bytes, SerializeCacheConfig({a, z, stage}));
  EXPECT_EQ(
      bytes,
      std::string(R"({"entries":[)") + R"({"digest":")" + kDigestA +
          R"(","key":"0000","kind":"layer","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","meta":{"createdBy":"distill package tzdata 2024a-0+deb12u1","diffId":")" +
          kDigestB + R"(","uncompressedSize":"4096"},"size":123},)" + R"({"digest":")" + kDigestA +
          R"(","key":"ffff","kind":"layer","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","meta":{"createdBy":"distill package tzdata 2024a-0+deb12u1","diffId":")" +
          kDigestB + R"(","uncompressedSize":"4096"},"size":123},)" + R"({"digest":")" + kDigestB +
          R"(","key":"1234","kind":"stage","mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","meta":{},"size":9}],"version":1})");
  base::Result<std::vector<CacheEntry>> back = ParseCacheConfig(bytes);
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[2].kind, "stage");
  base::Result<oci::Layer> l = LayerFromCacheEntry((*back)[0]);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->descriptor.digest, kDigestA);
  EXPECT_EQ(l->descriptor.size, 123);
  EXPECT_EQ(l->diff_id, kDigestB);
  EXPECT_EQ(l->uncompressed_size, 4096u);
  EXPECT_EQ(l->created_by, "distill package tzdata 2024a-0+deb12u1");
}

TEST(RegistryCacheTest, RejectsMalformedConfigs) {
  auto error = [](const std::string& text) {
    base::Result<std::vector<CacheEntry>> r = ParseCacheConfig(text);
    return r ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(error("[]"), "the cache config is not a JSON object");
  EXPECT_EQ(error(R"({"version":2,"entries":[]})"), "unsupported cache config version '2'");
  EXPECT_EQ(error(R"({"version":1})"), "the cache config has no entries list");
  EXPECT_EQ(
      error(
          R"({"version":1,"entries":[{"kind":"layer","key":"k","mediaType":"t","digest":"sha256:x","size":1}]})"),
      "entry 1: invalid digest 'sha256:x'");
  EXPECT_EQ(
      error(R"({"version":1,"entries":[{"kind":"layer","mediaType":"t","digest":"x","size":1}]})"),
      "entry 1: kind, key and mediaType are required");
  EXPECT_EQ(
      error(std::string(
                R"({"version":1,"entries":[{"kind":"layer","key":"k","mediaType":"t","digest":")") +
            kDigestA + R"(","size":-1}]})"),
      "entry 1: invalid size");
  EXPECT_EQ(
      error(std::string(
                R"({"version":1,"entries":[{"kind":"layer","key":"k","mediaType":"t","digest":")") +
            kDigestA + R"(","size":1,"meta":{"a":1}}]})"),
      "entry 1: meta values must be strings");
}

TEST(RegistryCacheTest, LayerEntriesNeedLayerFields) {
  CacheEntry e = LayerCacheEntry("k", TestLayer());
  e.blob.media_type = "application/vnd.oci.image.config.v1+json";
  EXPECT_EQ(LayerFromCacheEntry(e).error().message(),
            std::string("layer '") + kDigestA +
                "': media type 'application/vnd.oci.image.config.v1+json' is not a layer's");
  e = LayerCacheEntry("k", TestLayer());
  e.meta["diffId"] = "nope";
  EXPECT_EQ(LayerFromCacheEntry(e).error().message(),
            std::string("layer '") + kDigestA + "': invalid diffId 'nope'");
  e = LayerCacheEntry("k", TestLayer());
  e.meta["uncompressedSize"] = "12x";
  EXPECT_EQ(LayerFromCacheEntry(e).error().message(),
            std::string("layer '") + kDigestA + "': invalid uncompressedSize '12x'");
}

TEST(RegistryCacheTest, StageEntriesAndCountsByKind) {
  CacheEntry root = LayerCacheEntry("r", TestLayer(), kCacheKindStageRoot);
  EXPECT_EQ(root.kind, "stage-root");
  base::Result<std::vector<CacheEntry>> back = ParseCacheConfig(SerializeCacheConfig({root}));
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].kind, "stage-root");
  base::Result<oci::Layer> l = LayerFromCacheEntry((*back)[0]);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->uncompressed_size, 4096u);

  RegistryCache c({}, std::nullopt);
  c.Record(LayerCacheEntry("k", TestLayer()), CacheSource::kLocal);
  c.Record(root, CacheSource::kRegistry);
  // Without --cache-to a stage result is only counted: it has no blob.
  c.Record(CacheEntry{kCacheKindStageRun, "s", {}, {}, ""}, CacheSource::kBuilt);
  EXPECT_EQ(c.count(CacheSource::kLocal), 1);
  EXPECT_EQ(c.count(CacheSource::kRegistry), 0);
  EXPECT_EQ(c.count(CacheSource::kRegistry, kCacheKindStageRoot), 1);
  EXPECT_EQ(c.count(CacheSource::kBuilt, kCacheKindStageRun), 1);
  EXPECT_EQ(c.count(CacheSource::kBuilt, kCacheKindStageRoot), 0);
}

}  // namespace
}  // namespace build
