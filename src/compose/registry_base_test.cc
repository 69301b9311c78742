#include "compose/registry_base.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "archive/compress.h"
#include "archive/tar_writer.h"
#include "base/file_util.h"
#include "base/sha256.h"
#include "fs/entry_record.h"
#include "http/fake_http_client.h"
#include "oci/media_types.h"

namespace build {
namespace {

using http::FakeHttpClient;

const std::string kRegistry = "https://reg.test/v2/";
// A file capability (security.capability, vfs_cap_data): binary, with NULs
// and bytes >= 0x80, as ping's is.
const std::string kCapability("\x01\x00\x00\x02\x00\x20\x00\x00\x80\xff\x00\x00", 12);

struct File {
  std::string path;
  std::string data;  // a directory when the path ends in '/'
  std::vector<std::pair<std::string, std::string>> xattrs = {};
};

std::string Tar(const std::vector<File>& files) {
  base::StringSink out;
  base::Result<std::unique_ptr<archive::TarWriter>> w = archive::TarWriter::Create(&out);
  EXPECT_TRUE(w);
  for (const File& f : files) {
    archive::TarEntry e;
    bool dir = f.path.back() == '/';
    e.path = dir ? f.path.substr(0, f.path.size() - 1) : f.path;
    e.type = dir ? archive::EntryType::kDir : archive::EntryType::kFile;
    e.mode = dir ? 0755 : 0644;
    e.size = dir ? 0 : f.data.size();
    e.xattrs = f.xattrs;
    base::Result<void> added = (*w)->Add(e);
    EXPECT_TRUE(added) << added.error().message();
    if (dir) continue;
    std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(f.data.data()), f.data.size());
    EXPECT_TRUE((*w)->WriteData(data));
  }
  EXPECT_TRUE((*w)->Finish());
  return out.str();
}

std::string Gzip(const std::string& bytes) {
  base::StringSink out;
  std::unique_ptr<base::Sink> z = archive::NewCompressor(archive::Compression::kGzip, &out, 1);
  EXPECT_TRUE(z->Write(bytes));
  EXPECT_TRUE(z->Close());
  return out.str();
}

// An image as a registry serves it: manifest, config and layer blobs.
struct TestImage {
  oci::ImageManifest image;
  std::map<std::string, std::string> blobs;  // digest → bytes

  // Layers as tars (the first gzipped, the others plain) for `platform`.
  TestImage(const std::vector<std::string>& tars, oci::Platform platform = {"linux", "amd64", ""}) {
    std::vector<oci::Layer> layers;
    for (size_t i = 0; i < tars.size(); ++i) {
      std::string blob = i == 0 ? Gzip(tars[i]) : tars[i];
      oci::Layer l;
      l.descriptor = {i == 0 ? oci::kMediaTypeLayerGzip : oci::kMediaTypeLayer,
                      base::Sha256Digest(blob),
                      static_cast<int64_t>(blob.size()),
                      {},
                      std::nullopt};
      l.diff_id = base::Sha256Digest(tars[i]);
      l.created_by = "layer " + std::to_string(i);
      blobs[l.descriptor.digest] = blob;
      layers.push_back(l);
    }
    oci::RunConfig run;
    run.env = {"PATH=/usr/bin", "LANG=C.UTF-8"};
    run.entrypoint = {"/usr/bin/app"};
    run.user = "65532";
    run.labels = {{"org.opencontainers.image.title", "base"}};
    image = oci::MakeImageManifest(platform, run, layers, 0, {});
    blobs[image.config.digest] = image.config_bytes;
  }
  const std::string& layer(size_t i) const { return image.layers[i].descriptor.digest; }
};

class RegistryBaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/distill-registry-base-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(base::WriteFileAtomic(dir_ + "/registries.conf", ""));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Serves `img` as reg.test/app:v1; `top` replaces the manifest the tag
  // names (an index), `blobs` the blob bytes served.
  void Serve(const TestImage& img, const std::string& top = "",
             std::map<std::string, std::string> blobs = {}) {
    fake_.Script(kRegistry, {FakeHttpClient::Ok("")});
    fake_.Script(kRegistry + "app/manifests/v1",
                 {FakeHttpClient::Ok(top.empty() ? img.image.manifest_bytes : top)});
    fake_.Script(kRegistry + "app/manifests/" + img.image.manifest.digest,
                 {FakeHttpClient::Ok(img.image.manifest_bytes)});
    for (const auto& [digest, bytes] : img.blobs)
      fake_.Script(kRegistry + "app/blobs/" + digest,
                   {FakeHttpClient::Ok(blobs.contains(digest) ? blobs[digest] : bytes)});
  }

  // One pull in a fresh build context over the same cache.
  base::Result<BaseImage> Pull(oci::Platform platform = {"linux", "amd64", ""},
                               const std::string& ref_text = "docker://reg.test/app:v1") {
    BuildOptions o;
    o.cache_dir = dir_ + "/cache";
    o.threads = 2;
    o.registry.jobs = 2;
    o.registry.config.registries_conf = dir_ + "/registries.conf";
    o.registry.retry.sleep = [](std::chrono::milliseconds) {};
    BuildContext ctx(o, reporter_);
    ctx.set_http(&fake_);
    base::Result<oci::ImageRef> ref = oci::ParseImageRef(ref_text);
    EXPECT_TRUE(ref);
    return PullBaseImage(ctx, *ref, platform);
  }
  std::string Blob(const std::string& digest) {
    return dir_ + "/cache/blobs/sha256/" + digest.substr(7);
  }
  std::string Record(const std::string& diff_id) {
    return dir_ + "/cache/baselayers/" + diff_id.substr(7) + ".json";
  }
  static std::string Content(const fs::Tree& view, const std::string& path) {
    const fs::Node* n = view.Find(path);
    if (n == nullptr) return "<absent>";
    base::Result<std::string> text = base::ReadFile(n->content.path);
    return text ? *text : text.error().message();
  }

  std::string dir_;
  FakeHttpClient fake_;
  base::NullReporter reporter_;
};

const char kStatus[] = "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n";

TEST_F(RegistryBaseTest, PullsLayersConfigAndPackages) {
  TestImage img({Tar({{"etc/", ""},
                      {"etc/os-release", "ID=debian\n"},
                      {"etc/motd", "hi\n"},
                      {"var/lib/dpkg/status.d/base-files", kStatus}}),
                 Tar({{"etc/.wh.motd", ""}, {"etc/hostname", "box\n"}})});
  Serve(img);
  base::Result<BaseImage> b = Pull();
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(b->digest, img.image.manifest.digest);
  EXPECT_EQ(b->manifest_digest, img.image.manifest.digest);
  EXPECT_EQ(b->blobs_fetched, 3);  // the config and two layers
  ASSERT_EQ(b->layers.size(), 2u);
  EXPECT_EQ(b->layers[0].descriptor.digest, img.layer(0));
  EXPECT_EQ(b->layers[0].descriptor.media_type, oci::kMediaTypeLayerGzip);
  EXPECT_EQ(b->layers[0].diff_id, img.image.layers[0].diff_id);
  EXPECT_EQ(b->layers[1].created_by, "layer 1");
  EXPECT_EQ(b->layers[1].uncompressed_size, img.blobs[img.layer(1)].size());
  EXPECT_EQ(b->layers[0].path, Blob(img.layer(0)));
  // The config's run settings are what the build starts from.
  EXPECT_EQ(b->run.env, (std::vector<std::string>{"PATH=/usr/bin", "LANG=C.UTF-8"}));
  EXPECT_EQ(b->run.entrypoint, std::vector<std::string>{"/usr/bin/app"});
  EXPECT_EQ(b->run.user, "65532");
  EXPECT_EQ(b->run.labels.at("org.opencontainers.image.title"), "base");
  // The merged view: the upper layer's whiteout removed etc/motd.
  EXPECT_EQ(Content(b->view, "etc/os-release"), "ID=debian\n");
  EXPECT_EQ(Content(b->view, "etc/hostname"), "box\n");
  EXPECT_EQ(b->view.Find("etc/motd"), nullptr);
  EXPECT_EQ(b->view.Find("etc/.wh.motd"), nullptr);
  EXPECT_EQ(b->packages, (std::map<std::string, std::string>{{"base-files", "12.4+deb12u5"}}));
}

// The bug this record codec fixed: a layer holding an xattr value (or a
// path) that is not UTF-8 had no record, since the JSON dump threw and the
// throw was swallowed, so every warm build read the layer again.
TEST_F(RegistryBaseTest, ALayerWithBinaryXattrsIsRecordedAndNotReadAgain) {
  TestImage img({Tar({{"usr/", ""},
                      {"usr/bin/", ""},
                      {"usr/bin/ping", "ELF", {{"security.capability", kCapability}}},
                      {"usr/share/caf\xe9", "latin-1 name"}})});
  Serve(img);
  base::Result<BaseImage> first = Pull();
  ASSERT_TRUE(first) << first.error().message();
  const fs::Node* ping = first->view.Find("usr/bin/ping");
  ASSERT_NE(ping, nullptr);
  EXPECT_EQ(
      ping->xattrs,
      (std::vector<std::pair<std::string, std::string>>{{"security.capability", kCapability}}));
  std::string record = Record(img.image.layers[0].diff_id);
  ASSERT_TRUE(base::PathExists(record));
  // The layer blob is now garbage: only a pull that reads the record works.
  ASSERT_TRUE(base::WriteFileAtomic(Blob(img.layer(0)), "garbage"));
  base::Result<BaseImage> second = Pull();
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->blobs_fetched, 0);
  ping = second->view.Find("usr/bin/ping");
  ASSERT_NE(ping, nullptr);
  EXPECT_EQ(
      ping->xattrs,
      (std::vector<std::pair<std::string, std::string>>{{"security.capability", kCapability}}));
  EXPECT_EQ(Content(second->view, "usr/bin/ping"), "ELF");
  EXPECT_EQ(Content(second->view, "usr/share/caf\xe9"), "latin-1 name");
  EXPECT_EQ(second->layers[0].uncompressed_size, first->layers[0].uncompressed_size);
}

// A record is a cache: one that is damaged or from another version of
// distill (format 1 wrote xattr values raw) is ignored and rewritten.
TEST_F(RegistryBaseTest, AnOldOrDamagedRecordIsReadAgainAndRewritten) {
  TestImage img({Tar({{"usr/", ""}, {"usr/bin/ping", "ELF", {{"security.capability", "\x01"}}}})});
  Serve(img);
  std::string record = Record(img.image.layers[0].diff_id);
  for (std::string old : {std::string(R"({"format":1,"digest":")") + img.layer(0) +
                              R"(","uncompressedSize":1,"entries":[]})",
                          std::string("{\"format\":3,")}) {
    ASSERT_TRUE(base::MakeDirs(base::DirName(record)));
    ASSERT_TRUE(base::WriteFileAtomic(record, old));
    base::Result<BaseImage> b = Pull();
    ASSERT_TRUE(b) << b.error().message();
    EXPECT_NE(b->view.Find("usr/bin/ping"), nullptr);
    base::Result<std::string> text = base::ReadFile(record);
    ASSERT_TRUE(text);
    EXPECT_TRUE(fs::DecodeEntryRecord(*text, "base-layer", record)) << *text;
  }
}

TEST_F(RegistryBaseTest, ABlobThatDoesNotMatchItsDigestIsAnError) {
  TestImage img({Tar({{"etc/", ""}, {"etc/os-release", "ID=debian\n"}})});
  Serve(img, "", {{img.layer(0), Gzip(Tar({{"etc/", ""}, {"etc/os-release", "ID=evil\n"}}))}});
  base::Result<BaseImage> b = Pull();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message(), "pulling base 'docker://reg.test/app:v1': blob '" + img.layer(0) +
                                     "' does not match its digest");
  EXPECT_FALSE(base::PathExists(Blob(img.layer(0))));
}

TEST_F(RegistryBaseTest, AnIndexWithOnlyAnotherPlatformIsAnError) {
  TestImage img({Tar({{"etc/", ""}})}, {"linux", "arm64", ""});
  std::string index = R"({"schemaVersion":2,"mediaType":")" + std::string(oci::kMediaTypeIndex) +
                      R"(","manifests":[{"mediaType":")" + oci::kMediaTypeManifest +
                      R"(","digest":")" + img.image.manifest.digest + R"(","size":)" +
                      std::to_string(img.image.manifest_bytes.size()) +
                      R"(,"platform":{"os":"linux","architecture":"arm64"}}]})";
  Serve(img, index);
  base::Result<BaseImage> b = Pull();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message(),
            "pulling base 'docker://reg.test/app:v1': no image for platform 'linux/amd64' (the "
            "index has linux/arm64)");
  base::Result<BaseImage> arm = Pull({"linux", "arm64", ""});
  ASSERT_TRUE(arm) << arm.error().message();
  EXPECT_EQ(arm->manifest_digest, img.image.manifest.digest);
  EXPECT_EQ(arm->digest, base::Sha256Digest(index));
}

TEST_F(RegistryBaseTest, AManifestForAnotherPlatformIsAnError) {
  TestImage img({Tar({{"etc/", ""}})}, {"linux", "arm64", ""});
  Serve(img);
  base::Result<BaseImage> b = Pull();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message(),
            "pulling base 'docker://reg.test/app:v1': the image is for 'linux/arm64', not "
            "'linux/amd64'");
}

// Registry JSON with members of unexpected types: json::value() would
// throw on each; they are read as absent instead.
TEST_F(RegistryBaseTest, MembersOfTheWrongTypeDoNotThrow) {
  TestImage img({Tar({{"etc/", ""}})});
  nlohmann::json config = nlohmann::json::parse(img.image.config_bytes);
  config["history"] = nlohmann::json::array({{{"empty_layer", "yes"}, {"created_by", 5}}});
  std::string config_bytes = config.dump();
  nlohmann::json manifest = nlohmann::json::parse(img.image.manifest_bytes);
  manifest["mediaType"] = 5;
  manifest["config"]["digest"] = base::Sha256Digest(config_bytes);
  manifest["config"]["size"] = config_bytes.size();
  Serve(img, manifest.dump());
  fake_.Script(kRegistry + "app/blobs/" + base::Sha256Digest(config_bytes),
               {FakeHttpClient::Ok(config_bytes)});
  base::Result<BaseImage> b;
  ASSERT_NO_THROW(b = Pull());
  ASSERT_TRUE(b) << b.error().message();
  ASSERT_EQ(b->layers.size(), 1u);
  EXPECT_EQ(b->layers[0].created_by, "");
}

// Nothing checks the bytes of a docker:// name; one that is not UTF-8 is
// still pulled, and its tag record written, without a throw.
TEST_F(RegistryBaseTest, ANameThatIsNotUtf8IsRefusedBeforeAnyRequest) {
  // The distribution spec's name grammar (oci/reference.cc) refuses it.
  base::Result<oci::ImageRef> ref = oci::ParseImageRef("docker://reg.test/caf\xe9:v1");
  ASSERT_FALSE(ref);
  EXPECT_NE(ref.error().message().find("invalid repository name"), std::string::npos)
      << ref.error().message();
}

TEST(InstalledPackagesTest, FromStatusAndStatusD) {
  fs::Tree view;
  auto file = [&](const std::string& path, const std::string& text) {
    ASSERT_TRUE(view.Add(path, fs::Node::File(fs::Content::Inline(text), text.size())));
  };
  file("var/lib/dpkg/status.d/tzdata",
       "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n");
  file("var/lib/dpkg/status.d/tzdata.md5sums", "abc  usr/share/zoneinfo/UTC\n");
  file("var/lib/dpkg/status",
       "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u7\n\n"
       "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n");
  std::map<std::string, std::string> want = {{"libc6", "2.36-9+deb12u7"},
                                             {"tzdata", "2024a-0+deb12u1"}};
  EXPECT_EQ(InstalledPackages(view), want);
}

}  // namespace
}  // namespace build
