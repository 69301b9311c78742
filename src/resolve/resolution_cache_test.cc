#include "resolve/resolution_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "base/file_util.h"
#include "base/sha256.h"

namespace build {
namespace {

// Two sources as the host's apt configuration gives them: the main suite
// (two indexes) and security (one).
std::vector<debian::RepositoryIndex> Repos() {
  debian::RepositoryIndex main;
  main.source = {"http://mirror.test/debian", "bookworm", {"main", "contrib"}, "/k.gpg", {}};
  main.release.pin = 500;
  main.release_url = "http://mirror.test/debian/dists/bookworm/InRelease";
  main.release_sha256 = base::Sha256Hex("InRelease 1");
  main.release.date_text = "Sat, 11 Jul 2026 10:16:37 UTC";
  main.indexes = {{"main", "amd64", "main/binary-amd64/Packages.xz", "", base::Sha256Hex("m"), 1,
                   debian::Compression::kXz, ""},
                  {"contrib", "amd64", "contrib/binary-amd64/Packages.xz", "", base::Sha256Hex("c"),
                   1, debian::Compression::kXz, ""}};
  debian::RepositoryIndex security = main;
  security.source.suite = "bookworm-security";
  security.source.components = {"main"};
  security.indexes.resize(1);
  security.indexes[0].sha256 = base::Sha256Hex("s");
  return {main, security};
}

ResolutionInputs Inputs(const std::vector<debian::RepositoryIndex>& repos) {
  return {"amd64", {"libpq5", "curl=7.88.1-10"}, {"perl-base"}, repos};
}

TEST(ResolutionKeyTest, EveryInputChangesTheKey) {
  std::vector<debian::RepositoryIndex> base_repos = Repos();
  std::string key = ResolutionKey(Inputs(base_repos));
  EXPECT_TRUE(cache::IsSha256Hex(key));
  EXPECT_EQ(ResolutionKey(Inputs(Repos())), key);  // deterministic

  // Changes to the request side.
  std::vector<std::function<void(ResolutionInputs&)>> request_changes = {
      [](ResolutionInputs& i) { i.architecture = "arm64"; },
      [](ResolutionInputs& i) { i.requests.push_back("tzdata"); },
      [](ResolutionInputs& i) { i.requests[1] = "curl=7.88.1-10+deb12u1"; },
      [](ResolutionInputs& i) {
        i.requests = {"curl=7.88.1-10", "libpq5"};
      },
      [](ResolutionInputs& i) { i.ignore_depends.clear(); },
      [](ResolutionInputs& i) { i.ignore_depends = {"*"}; },
  };
  for (size_t n = 0; n < request_changes.size(); ++n) {
    ResolutionInputs in = Inputs(base_repos);
    request_changes[n](in);
    EXPECT_NE(ResolutionKey(in), key) << "request change " << n;
  }

  // Changes to the index side: any index hash, path, component, the
  // source's URI, suite, components, pin, or the sources' order.
  std::vector<std::function<void(std::vector<debian::RepositoryIndex>&)>> index_changes = {
      [](auto& r) { r[0].indexes[0].sha256 = base::Sha256Hex("m2"); },
      [](auto& r) { r[0].indexes[1].sha256 = base::Sha256Hex("c2"); },
      [](auto& r) { r[1].indexes[0].sha256 = base::Sha256Hex("s2"); },
      [](auto& r) { r[0].indexes[0].path = "main/binary-amd64/Packages.gz"; },
      [](auto& r) { r[0].indexes[1].component = "non-free"; },
      [](auto& r) { r[0].indexes.pop_back(); },
      [](auto& r) { r[0].source.uri = "http://other.test/debian"; },
      [](auto& r) { r[1].source.suite = "bookworm-updates"; },
      [](auto& r) { r[0].source.components = {"main"}; },
      [](auto& r) { r[1].release.pin = 100; },
      [](auto& r) { std::swap(r[0], r[1]); },
      [](auto& r) { r.pop_back(); },
  };
  for (size_t n = 0; n < index_changes.size(); ++n) {
    std::vector<debian::RepositoryIndex> repos = Repos();
    index_changes[n](repos);
    EXPECT_NE(ResolutionKey(Inputs(repos)), key) << "index change " << n;
  }

  // A Release signed again (new bytes, new Date) that names the same
  // indexes resolves the same: the key stays.
  std::vector<debian::RepositoryIndex> resigned = Repos();
  resigned[0].release_sha256 = base::Sha256Hex("InRelease 2");
  resigned[0].release.date_text = "Sun, 12 Jul 2026 10:16:37 UTC";
  resigned[0].release_url = "http://mirror.test/debian/dists/bookworm/Release";
  EXPECT_EQ(ResolutionKey(Inputs(resigned)), key);
}

PackageSet Resolved() {
  PackageSet set;
  set.architecture = "amd64";
  set.requests = {"app"};
  ResolvedPackage p;
  p.name = "app";
  p.version = "1:1.0-1";
  p.architecture = "amd64";
  p.filename = "pool/main/a/app/app_1.0-1_amd64.deb";
  p.sha256 = base::Sha256Hex("deb of app");
  p.size = 5000000000;  // beyond 32 bits
  p.suite = "bookworm";
  p.url = "http://mirror.test/debian/" + p.filename;
  p.stanza = "Package: app\nVersion: 1:1.0-1\nDescription: an app\n with \"quotes\" and ünïcode";
  p.why = {"app"};
  set.packages.push_back(p);
  p.name = "libfoo1";
  p.why = {"app", "libfoo1"};
  set.packages.push_back(p);
  set.problems = {"'app' 1:1.0-1 breaks 'libfoo1' 1:1.0-1 ('libfoo1 (<< 2)')"};
  return set;
}

TEST(ResolutionJsonTest, RoundTripsEverythingButReleasesAndPaths) {
  PackageSet set = Resolved();
  base::Result<PackageSet> back = ResolutionFromJson(ResolutionToJson(set));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->architecture, set.architecture);
  EXPECT_EQ(back->requests, set.requests);
  EXPECT_EQ(back->packages, set.packages);
  EXPECT_EQ(back->problems, set.problems);
  // deb_path and releases belong to the run, not to the resolution.
  set.packages[0].deb_path = "/cache/blobs/sha256/x";
  set.releases.push_back({"bookworm", "u", "s", "d"});
  std::string text = ResolutionToJson(set);
  EXPECT_EQ(text.find("/cache/blobs"), std::string::npos);
  EXPECT_TRUE(ResolutionFromJson(text)->releases.empty());
  EXPECT_EQ(ResolutionFromJson(text)->packages[0].deb_path, "");
}

TEST(ResolutionJsonTest, RejectsMalformedText) {
  std::string good = ResolutionToJson(Resolved());
  auto error = [](std::string_view text) { return ResolutionFromJson(text).error().message(); };
  EXPECT_EQ(error(good.substr(0, good.size() / 2)), "invalid cached resolution: not a JSON object");
  EXPECT_EQ(error("[]"), "invalid cached resolution: not a JSON object");
  std::string v2 = good;
  v2.replace(v2.find("\"format\":1"), 10, "\"format\":2");
  EXPECT_EQ(error(v2), "invalid cached resolution: format 2, want 1");
  std::string bad_hash = good;
  bad_hash.replace(bad_hash.find(base::Sha256Hex("deb of app")), 64, "nothex");
  EXPECT_EQ(error(bad_hash), "invalid cached resolution: package 'app' is incomplete");
  std::string no_size = good;
  no_size.replace(no_size.find("\"size\""), 6, "\"sise\"");
  EXPECT_EQ(error(no_size).rfind("invalid cached resolution: ", 0), 0u);
}

class ResolutionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/distill-resolution-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    auto s = cache::Store::Open(root_);
    ASSERT_TRUE(s);
    store_.emplace(std::move(*s));
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
  std::optional<cache::Store> store_;
};

TEST_F(ResolutionCacheTest, StoresLooksUpAndMissesOnDamage) {
  std::vector<debian::RepositoryIndex> repos = Repos();
  ResolutionInputs in = Inputs(repos);
  PackageSet set = Resolved();
  set.requests = in.requests;
  EXPECT_EQ(LookupResolution(*store_, in), std::nullopt);
  ASSERT_TRUE(StoreResolution(*store_, in, set));
  std::optional<PackageSet> hit = LookupResolution(*store_, in);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->packages, set.packages);
  EXPECT_EQ(hit->problems, set.problems);
  // Another index hash: a miss.
  repos[1].indexes[0].sha256 = base::Sha256Hex("s2");
  EXPECT_EQ(LookupResolution(*store_, Inputs(repos)), std::nullopt);
  // A truncated entry is a miss, and storing again repairs it.
  std::string path = store_->EntryPath("resolutions", ResolutionKey(in));
  std::string whole = *base::ReadFile(path);
  ASSERT_TRUE(base::WriteFileAtomic(path, whole.substr(0, whole.size() / 2)));
  EXPECT_EQ(LookupResolution(*store_, in), std::nullopt);
  ASSERT_TRUE(StoreResolution(*store_, in, set));
  EXPECT_TRUE(LookupResolution(*store_, in));
  // An entry that is intact but answers other requests is a miss too.
  PackageSet other = set;
  other.requests = {"something-else"};
  ASSERT_TRUE(store_->PutEntry("resolutions", ResolutionKey(in), ResolutionToJson(other)));
  EXPECT_EQ(LookupResolution(*store_, in), std::nullopt);
}

}  // namespace
}  // namespace build
