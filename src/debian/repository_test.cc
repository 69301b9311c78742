#include "debian/repository.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>

#include "base/sha256.h"
#include "debian/test_signing.h"

namespace debian {
namespace {

constexpr std::string_view kUri = "http://mirror.test/debian";
constexpr std::string_view kDists = "http://mirror.test/debian/dists/bookworm";
// 2026-07-11 10:16:37 UTC, the Date of the test Release.
constexpr int64_t kNow = 1783764997;

// Serves in-memory files; anything else is 404. Records what was asked.
class FakeHttp : public http::HttpClient {
 public:
  base::Result<http::Response> Do(const http::Request& req, base::Sink* body) override {
    requests.push_back(req.url);
    if (!transport_error.empty()) return base::Fail("{}", transport_error);
    http::Response resp;
    resp.effective_url = req.url;
    auto status = statuses.find(req.url);
    auto file = files.find(req.url);
    resp.status = status != statuses.end() ? status->second : file != files.end() ? 200 : 404;
    std::string content = file != files.end() ? file->second : "<html>not found</html>";
    if (body) DISTILL_TRY(body->Write(content));
    return resp;
  }
  std::map<std::string, std::string> files;
  std::map<std::string, long> statuses;
  std::string transport_error;
  std::vector<std::string> requests;
};

const TestSigner& Signer() {
  static TestSigner* s = new TestSigner("archive@test");
  return *s;
}
const TestSigner& Stranger() {
  static TestSigner* s = new TestSigner("stranger@test");
  return *s;
}

std::string HashLine(std::string_view bytes, std::string_view path) {
  return " " + base::Sha256Hex(bytes) + " " + std::to_string(bytes.size()) + " " +
         std::string(path) + "\n";
}

// A one-component amd64 repository signed by Signer().
struct Repo {
  std::string packages_xz = "xz bytes of main/binary-amd64/Packages";
  std::string packages_gz = "gz bytes";
  std::string all_gz = "gz bytes of main/binary-all/Packages";
  std::string extra_fields = "No-Support-for-Architecture-all: Packages\n";
  std::string release_text() const {
    return "Origin: Debian\nSuite: oldstable\nCodename: bookworm\n"
           "Date: Sat, 11 Jul 2026 10:16:37 UTC\n" +
           extra_fields + "Architectures: all amd64\nComponents: main\nSHA256:\n" +
           HashLine(packages_xz, "main/binary-amd64/Packages.xz") +
           HashLine(packages_gz, "main/binary-amd64/Packages.gz") +
           HashLine(all_gz, "main/binary-all/Packages.gz");
  }
  std::string xz_url() const { return std::string(kDists) + "/main/binary-amd64/Packages.xz"; }
  // Publishes InRelease (signed by `signer`) and the indexes on `http`.
  void Publish(FakeHttp& http, const TestSigner& signer = Signer()) const {
    http.files[std::string(kDists) + "/InRelease"] = signer.Clearsign(release_text());
    http.files[xz_url()] = packages_xz;
    http.files[std::string(kDists) + "/main/binary-amd64/Packages.gz"] = packages_gz;
    http.files[std::string(kDists) + "/main/binary-all/Packages.gz"] = all_gz;
  }
};

Source TestSource() {
  return {std::string(kUri), "bookworm", {"main"}, Signer().PublicKeyArmored(), {}};
}

FetchOptions Options(std::string cache_dir = "") {
  FetchOptions o;
  o.architectures = {"amd64"};
  o.now = kNow;
  o.cache_dir = std::move(cache_dir);
  return o;
}

TEST(RepositoryTest, FetchesVerifiedXzIndex) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  auto r = FetchRepository(http, TestSource(), Options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->release.codename, "bookworm");
  EXPECT_EQ(r->release.pin, 500);
  EXPECT_EQ(r->release_url, std::string(kDists) + "/InRelease");
  EXPECT_EQ(r->release_sha256, base::Sha256Hex(http.files[r->release_url]));
  ASSERT_EQ(r->indexes.size(), 1u);
  const PackagesIndex& i = r->indexes[0];
  EXPECT_EQ(i.component, "main");
  EXPECT_EQ(i.architecture, "amd64");
  EXPECT_EQ(i.path, "main/binary-amd64/Packages.xz");
  EXPECT_EQ(i.url, repo.xz_url());
  EXPECT_EQ(i.sha256, base::Sha256Hex(repo.packages_xz));
  EXPECT_EQ(i.compression, Compression::kXz);
  EXPECT_EQ(i.bytes, repo.packages_xz);
  EXPECT_EQ(http.requests, (std::vector<std::string>{r->release_url, repo.xz_url()}));
}

TEST(RepositoryTest, AddsBinaryAllWhenArchIndexesLackIt) {
  FakeHttp http;
  Repo repo;
  repo.extra_fields = "";
  repo.Publish(http);
  auto r = FetchRepository(http, TestSource(), Options());
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->indexes.size(), 2u);
  EXPECT_EQ(r->indexes[1].architecture, "all");
  EXPECT_EQ(r->indexes[1].path, "main/binary-all/Packages.gz");
  EXPECT_EQ(r->indexes[1].compression, Compression::kGz);
  EXPECT_EQ(r->indexes[1].bytes, repo.all_gz);
}

// Debian's security suite: binary-all files in the SHA256 list, but "all"
// missing from Architectures; apt skips them, and so must we (the mirror's
// copies are stale and have no by-hash twin).
TEST(RepositoryTest, SkipsBinaryAllWhenArchitecturesLackAll) {
  FakeHttp http;
  Repo repo;
  repo.extra_fields = "";
  std::string text = repo.release_text();
  text.replace(text.find("Architectures: all amd64"), 24, "Architectures: amd64");
  http.files[std::string(kDists) + "/InRelease"] = Signer().Clearsign(text);
  http.files[repo.xz_url()] = repo.packages_xz;
  auto r = FetchRepository(http, TestSource(), Options());
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->indexes.size(), 1u);
  EXPECT_EQ(r->indexes[0].architecture, "amd64");
}

TEST(RepositoryTest, FallsBackToReleaseAndReleaseGpg) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  http.files.erase(std::string(kDists) + "/InRelease");
  http.files[std::string(kDists) + "/Release"] = repo.release_text();
  http.files[std::string(kDists) + "/Release.gpg"] = Signer().DetachSign(repo.release_text());
  auto r = FetchRepository(http, TestSource(), Options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->release_url, std::string(kDists) + "/Release");
  EXPECT_EQ(r->release_sha256, base::Sha256Hex(repo.release_text()));
  EXPECT_EQ(r->indexes[0].bytes, repo.packages_xz);
}

TEST(RepositoryTest, RejectsTamperedIndex) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  std::string evil = repo.packages_xz;
  evil[0] = 'X';
  http.files[repo.xz_url()] = evil;
  auto r = FetchRepository(http, TestSource(), Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'" + repo.xz_url() + "': sha256 mismatch (Release says " +
                                     base::Sha256Hex(repo.packages_xz) + ", got " +
                                     base::Sha256Hex(evil) + ")");
  http.files[repo.xz_url()] = "short";
  r = FetchRepository(http, TestSource(), Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'" + repo.xz_url() + "': size mismatch (Release says 38, got 5)");
}

TEST(RepositoryTest, RejectsExpiredRelease) {
  FakeHttp http;
  Repo repo;
  repo.extra_fields = "Valid-Until: Sat, 18 Jul 2026 10:16:37 UTC\n";
  repo.Publish(http);
  FetchOptions o = Options();
  o.now = kNow + 8 * 86400;
  auto r = FetchRepository(http, TestSource(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'bookworm' Release expired on Sat, 18 Jul 2026 10:16:37 UTC");
  o.ignore_valid_until = true;
  EXPECT_TRUE(FetchRepository(http, TestSource(), o));
}

TEST(RepositoryTest, RejectsReleaseSignedByUnknownKey) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http, Stranger());
  auto r = FetchRepository(http, TestSource(), Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "'" + std::string(kDists) + "/InRelease': no valid signature by a key in 'inline key'");
}

TEST(RepositoryTest, ReportsHttpAndTransportErrors) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  http.statuses[std::string(kDists) + "/InRelease"] = 500;
  auto r = FetchRepository(http, TestSource(), Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "fetching '" + std::string(kDists) + "/InRelease': HTTP 500");
  http.statuses.clear();
  http.statuses[repo.xz_url()] = 404;
  r = FetchRepository(http, TestSource(), Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "fetching '" + repo.xz_url() + "': HTTP 404");
  http.transport_error = "could not resolve host 'mirror.test'";
  r = FetchRepository(http, TestSource(), Options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "fetching '" + std::string(kDists) +
                                     "/InRelease': could not resolve host 'mirror.test'");
}

TEST(RepositoryTest, UsesByHashWhenOffered) {
  FakeHttp http;
  Repo repo;
  repo.extra_fields += "Acquire-By-Hash: yes\n";
  repo.Publish(http);
  std::string by_hash = std::string(kDists) + "/main/binary-amd64/by-hash/SHA256/" +
                        base::Sha256Hex(repo.packages_xz);
  http.files[by_hash] = repo.packages_xz;
  auto r = FetchRepository(http, TestSource(), Options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(http.requests.back(), by_hash);
  EXPECT_EQ(r->indexes[0].url, repo.xz_url());
  // A mirror without the by-hash file still works through the plain name.
  http.files.erase(by_hash);
  http.requests.clear();
  r = FetchRepository(http, TestSource(), Options());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(http.requests,
            (std::vector<std::string>{std::string(kDists) + "/InRelease", by_hash, repo.xz_url()}));
}

TEST(RepositoryTest, ReportsIndexMissingFromRelease) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  FetchOptions o = Options();
  o.architectures = {"amd64", "arm64"};
  auto r = FetchRepository(http, TestSource(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(
      r.error().message(),
      "'" + std::string(kDists) + "/main/binary-arm64/Packages': no .xz or .gz index in Release");
  // A source restricted to amd64 (arch=amd64) never asks for arm64.
  Source s = TestSource();
  s.architectures = {"amd64"};
  EXPECT_TRUE(FetchRepository(http, s, o));
}

TEST(RepositoryTest, CachesForWarmAndOfflineRuns) {
  std::string cache = testing::TempDir() + "repository_test_" + std::to_string(getpid());
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  FetchOptions offline = Options(cache);
  offline.offline = true;
  auto r = FetchRepository(http, TestSource(), offline);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "offline: no cached Release for '" + std::string(kDists) + "'");
  ASSERT_TRUE(FetchRepository(http, TestSource(), Options(cache)));
  // Warm: only the small InRelease is fetched again.
  http.requests.clear();
  r = FetchRepository(http, TestSource(), Options(cache));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(http.requests, (std::vector<std::string>{std::string(kDists) + "/InRelease"}));
  EXPECT_EQ(r->indexes[0].bytes, repo.packages_xz);
  // Offline: no request at all, same verified result.
  http.requests.clear();
  r = FetchRepository(http, TestSource(), offline);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(http.requests.empty());
  EXPECT_EQ(r->indexes[0].bytes, repo.packages_xz);
  // Offline and the cached index is gone: say what is missing.
  std::filesystem::remove(cache + "/indexes/by-hash/" + base::Sha256Hex(repo.packages_xz));
  r = FetchRepository(http, TestSource(), offline);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "offline: '" + repo.xz_url() + "' is not in the cache");
  // Offline with an expired cached Release fails like an online run would.
  offline.now = kNow + 100;
  repo.extra_fields = "Valid-Until: Sat, 11 Jul 2026 10:16:38 UTC\n";
  repo.Publish(http);
  ASSERT_TRUE(FetchRepository(http, TestSource(), Options(cache)));
  r = FetchRepository(http, TestSource(), offline);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'bookworm' Release expired on Sat, 11 Jul 2026 10:16:38 UTC");
  std::filesystem::remove_all(cache);
}

// Counts how often a verification needed the keyring (that is, librnp).
struct CountingKeyrings {
  int loads = 0;
  std::map<std::string, Keyring> keys;
  void Attach(FetchOptions& o) {
    o.load_keyring = [this](const std::string& source) -> base::Result<const Keyring*> {
      ++loads;
      base::Result<Keyring> k = Keyring::Load(source);
      if (!k) return base::Fail(k.error());
      return &keys.insert_or_assign(source, std::move(*k)).first->second;
    };
  }
};

class VerifiedCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "repository_verified_" + std::to_string(getpid());
    std::filesystem::remove_all(dir_);
    auto s = cache::Store::Open(dir_);
    ASSERT_TRUE(s) << s.error().message();
    store_.emplace(std::move(*s));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  FetchOptions Opts() {
    FetchOptions o = Options(dir_);
    o.store = &*store_;
    keyrings_.Attach(o);
    return o;
  }
  size_t Markers() const {
    std::error_code ec;
    size_t n = 0;
    for (std::filesystem::directory_iterator it(dir_ + "/entries/verified-releases", ec), end;
         !ec && it != end; ++it)
      ++n;
    return n;
  }
  std::string dir_;
  std::optional<cache::Store> store_;
  CountingKeyrings keyrings_;
};

TEST_F(VerifiedCacheTest, ByteIdenticalReleaseSkipsTheKeyring) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  auto first = FetchRelease(http, TestSource(), Opts());
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(keyrings_.loads, 1);
  EXPECT_EQ(Markers(), 1u);
  // FetchRelease plans the indexes but fetches none of them.
  EXPECT_EQ(http.requests, (std::vector<std::string>{std::string(kDists) + "/InRelease"}));
  ASSERT_EQ(first->indexes.size(), 1u);
  EXPECT_EQ(first->indexes[0].sha256, base::Sha256Hex(repo.packages_xz));
  EXPECT_EQ(first->indexes[0].size, repo.packages_xz.size());
  EXPECT_EQ(first->indexes[0].bytes, "");
  // Again, the same bytes: no keyring, the same Release and plan.
  auto second = FetchRelease(http, TestSource(), Opts());
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(keyrings_.loads, 1);
  EXPECT_EQ(second->release.sha256, first->release.sha256);
  EXPECT_EQ(second->release.codename, "bookworm");
  EXPECT_EQ(second->release_sha256, first->release_sha256);
  EXPECT_EQ(second->indexes[0].sha256, first->indexes[0].sha256);
  // The second half fetches and checks the index as FetchRepository does.
  ASSERT_TRUE(FetchIndex(http, *second, second->indexes[0], Opts()));
  EXPECT_EQ(second->indexes[0].bytes, repo.packages_xz);
  // Offline reads the cached InRelease; still no keyring.
  FetchOptions offline = Opts();
  offline.offline = true;
  ASSERT_TRUE(FetchRelease(http, TestSource(), offline));
  EXPECT_EQ(keyrings_.loads, 1);
}

TEST_F(VerifiedCacheTest, NewBytesOrKeysAreVerifiedAgain) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  ASSERT_TRUE(FetchRelease(http, TestSource(), Opts()));
  EXPECT_EQ(keyrings_.loads, 1);
  // A new Release (other bytes) is checked with librnp.
  repo.extra_fields += "Version: 12.1\n";
  repo.Publish(http);
  ASSERT_TRUE(FetchRelease(http, TestSource(), Opts()));
  EXPECT_EQ(keyrings_.loads, 2);
  EXPECT_EQ(Markers(), 2u);
  // Other keys (a keyring with a second key) are a miss too.
  Source both = TestSource();
  both.keyring = Signer().PublicKeyArmored() + Stranger().PublicKeyArmored();
  ASSERT_TRUE(FetchRelease(http, both, Opts()));
  EXPECT_EQ(keyrings_.loads, 3);
  ASSERT_TRUE(FetchRelease(http, both, Opts()));
  EXPECT_EQ(keyrings_.loads, 3);
  // Tampered bytes never match a marker and fail the real check.
  std::string& inrelease = http.files[std::string(kDists) + "/InRelease"];
  inrelease.replace(inrelease.find("bookworm"), 8, "bookwarm");
  auto r = FetchRelease(http, TestSource(), Opts());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "'" + std::string(kDists) + "/InRelease': no valid signature by a key in 'inline key'");
  EXPECT_EQ(keyrings_.loads, 4);
  // A Release by a stranger leaves no marker, so failing stays failing.
  repo.Publish(http, Stranger());
  size_t before = Markers();
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(FetchRelease(http, TestSource(), Opts()));
  EXPECT_EQ(Markers(), before);
  EXPECT_EQ(keyrings_.loads, 6);
}

TEST_F(VerifiedCacheTest, DatesAreCheckedOnEveryRun) {
  FakeHttp http;
  Repo repo;
  repo.extra_fields = "Valid-Until: Sat, 18 Jul 2026 10:16:37 UTC\n";
  repo.Publish(http);
  ASSERT_TRUE(FetchRelease(http, TestSource(), Opts()));
  EXPECT_EQ(Markers(), 1u);
  FetchOptions later = Opts();
  later.now = kNow + 8 * 86400;
  auto r = FetchRelease(http, TestSource(), later);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'bookworm' Release expired on Sat, 18 Jul 2026 10:16:37 UTC");
  EXPECT_EQ(keyrings_.loads, 1);  // the marker hit; the date check still ran
  // A Release dated in the future is refused the same way.
  FetchOptions earlier = Opts();
  earlier.now = kNow - 3600;
  EXPECT_FALSE(FetchRelease(http, TestSource(), earlier));
}

TEST_F(VerifiedCacheTest, DetachedSignaturesAreRememberedToo) {
  FakeHttp http;
  Repo repo;
  repo.Publish(http);
  http.files.erase(std::string(kDists) + "/InRelease");
  http.files[std::string(kDists) + "/Release"] = repo.release_text();
  http.files[std::string(kDists) + "/Release.gpg"] = Signer().DetachSign(repo.release_text());
  ASSERT_TRUE(FetchRelease(http, TestSource(), Opts()));
  auto again = FetchRelease(http, TestSource(), Opts());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(keyrings_.loads, 1);
  EXPECT_EQ(again->release_url, std::string(kDists) + "/Release");
  // The same Release with a stranger's signature is another key: checked, refused.
  http.files[std::string(kDists) + "/Release.gpg"] = Stranger().DetachSign(repo.release_text());
  EXPECT_FALSE(FetchRelease(http, TestSource(), Opts()));
  EXPECT_EQ(keyrings_.loads, 2);
}

}  // namespace
}  // namespace debian
