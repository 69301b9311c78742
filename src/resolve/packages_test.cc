#include "resolve/packages.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <mutex>

#include "base/sha256.h"
#include "resolve/lock.h"
#include "resolve/test_mirror.h"

namespace build {
namespace {

constexpr std::string_view kUri = "http://mirror.test/debian";

class RecordingReporter : public base::Reporter {
 public:
  void Status(std::string_view) override {}
  void Warning(std::string_view line) override { warnings.emplace_back(line); }
  std::vector<std::string> warnings;
};

struct Deb {
  std::string name, version, fields;
  std::string bytes() const { return "deb of " + name + " " + version; }
  std::string filename() const { return "pool/main/" + name + "_" + version + "_amd64.deb"; }
  std::string Stanza() const {
    return fmt::format(
        "Package: {}\nVersion: {}\nArchitecture: amd64\n{}Filename: {}\nSize: {}\nSHA256: {}\n",
        name, version, fields, filename(), bytes().size(), base::Sha256Hex(bytes()));
  }
};

// app needs libfoo1 (or libbar) and a virtual name that `provider` offers.
std::vector<Deb> Debs() {
  return {{"app", "1.0", "Depends: libfoo1 (>= 1.0) | libbar, virt-thing (>= 2)\n"},
          {"libfoo1", "1.2", ""},
          {"libbar", "3", ""},
          {"provider", "5", "Provides: virt-thing (= 2)\n"},
          {"breaker", "1", "Breaks: libfoo1 (<< 2)\n"}};
}

void Publish(FakeMirror& mirror, const std::vector<Deb>& debs) {
  std::string packages;
  for (const Deb& d : debs) {
    packages += d.Stanza() + "\n";
    mirror.files[std::string(kUri) + "/" + d.filename()] = d.bytes();
  }
  std::string gz = Gzip(packages);
  std::string release = fmt::format(
      "Origin: Test\nSuite: stable\nCodename: test\nDate: Sat, 11 Jul 2020 10:16:37 UTC\n"
      "No-Support-for-Architecture-all: Packages\nArchitectures: amd64\nComponents: main\n"
      "SHA256:\n {} {} main/binary-amd64/Packages.gz\n",
      base::Sha256Hex(gz), gz.size());
  std::string dists = std::string(kUri) + "/dists/test";
  mirror.files[dists + "/InRelease"] = Signer().Clearsign(release);
  mirror.files[dists + "/main/binary-amd64/Packages.gz"] = gz;
}

class PackagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("distill-packages-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    spec_.path = (dir_ / "distill.yaml").string();
    spec_.debian = {std::string(kUri), "test", {"main"}, Signer().PublicKeyArmored(), {}};
    spec_.has_debian = true;
    spec_.packages = {"app"};
    Publish(mirror_, Debs());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<TestSession> Context(bool offline = false, bool locked = false) {
    BuildOptions o;
    o.cache_dir = (dir_ / "cache").string();
    o.offline = offline;
    o.locked = locked;
    auto ctx = std::make_unique<TestSession>(o, reporter_);
    ctx->ctx.set_http(&mirror_);
    return ctx;
  }
  std::vector<std::string> Names(const PackageSet& s) {
    std::vector<std::string> out;
    for (const ResolvedPackage& p : s.packages) out.push_back(p.name + "=" + p.version);
    return out;
  }

  std::filesystem::path dir_;
  Spec spec_;
  FakeMirror mirror_;
  RecordingReporter reporter_;
};

TEST_F(PackagesTest, ResolvesAndFetches) {
  auto ctx = Context();
  auto set = ResolvePackages(*ctx, spec_, {"app"}, "amd64");
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(Names(**set), (std::vector<std::string>{"app=1.0", "libfoo1=1.2", "provider=5"}));
  const ResolvedPackage& p = (*set)->packages[2];
  EXPECT_EQ(p.why, (std::vector<std::string>{"app", "provider"}));
  EXPECT_EQ(p.suite, "test");
  EXPECT_EQ(p.url, std::string(kUri) + "/pool/main/provider_5_amd64.deb");
  EXPECT_EQ(p.stanza + "\n", Debs()[3].Stanza());
  EXPECT_EQ(base::ReadFile(p.deb_path), Debs()[3].bytes());
  ASSERT_EQ((*set)->releases.size(), 1u);
  EXPECT_EQ((*set)->releases[0].url, std::string(kUri) + "/dists/test/InRelease");
  EXPECT_EQ((*set)->releases[0].date, "Sat, 11 Jul 2020 10:16:37 UTC");
  EXPECT_EQ(ExplainLines(**set)[2], "provider 5 (amd64, test): app → provider");
  EXPECT_TRUE(reporter_.warnings.empty());
  // Memoized: asking again in the same build touches nothing.
  size_t before = mirror_.requests.size();
  auto again = ResolvePackages(*ctx, spec_, {"app"}, "amd64");
  EXPECT_EQ(again->get(), set->get());
  EXPECT_EQ(mirror_.requests.size(), before);
}

TEST_F(PackagesTest, ConflictsBecomeWarnings) {
  auto ctx = Context();
  auto set = ResolvePackages(*ctx, spec_, {"app", "breaker"}, "amd64");
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(reporter_.warnings, (*set)->problems);
  EXPECT_EQ(reporter_.warnings.size(), 1u);
}

TEST_F(PackagesTest, OfflineUsesTheCacheOnly) {
  auto offline = Context(true);
  EXPECT_EQ(ResolvePackages(*offline, spec_, {"app"}, "amd64").error().message(),
            "offline: no cached Release for 'http://mirror.test/debian/dists/test'");
  ASSERT_TRUE(ResolvePackageSet(*Context(), spec_, {"app"}, "amd64"));  // indexes only
  EXPECT_EQ(ResolvePackages(*Context(true), spec_, {"app"}, "amd64").error().message(),
            "offline: 'app_1.0_amd64.deb' is not in the cache");
  ASSERT_TRUE(ResolvePackages(*Context(), spec_, {"app"}, "amd64"));
  mirror_.files.clear();
  auto set = ResolvePackages(*Context(true), spec_, {"app"}, "amd64");
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ((*set)->packages.size(), 3u);
}

TEST_F(PackagesTest, TamperedDebIsRejectedAndNotCached) {
  mirror_.files[std::string(kUri) + "/pool/main/libfoo1_1.2_amd64.deb"] = "deb of libfoo1 6.6";
  auto ctx = Context();
  auto set = ResolvePackages(*ctx, spec_, {"app"}, "amd64");
  ASSERT_FALSE(set);
  EXPECT_EQ(
      set.error().message(),
      fmt::format("'libfoo1_1.2_amd64.deb': sha256 mismatch (expected {}, got {})",
                  base::Sha256Hex("deb of libfoo1 1.2"), base::Sha256Hex("deb of libfoo1 6.6")));
  EXPECT_FALSE((*ctx->ctx.store())->Has(base::Sha256Hex("deb of libfoo1 1.2")));
}

TEST_F(PackagesTest, ResolveErrorsAreCollected) {
  auto set = ResolvePackages(*Context(), spec_, {"ap", "nothing"}, "amd64");
  EXPECT_EQ(set.error().message(),
            "unknown package 'ap' (did you mean 'app'?)\nunknown package 'nothing'");
}

TEST_F(PackagesTest, LockedChecksTheLock) {
  EXPECT_EQ(ResolvePackages(*Context(false, true), spec_, {"app"}, "amd64", /*image=*/true)
                .error()
                .message(),
            fmt::format("'{}' does not exist (run 'distill lock')", LockPath(spec_.path)));
  auto set = ResolvePackages(*Context(), spec_, {"app"}, "amd64");
  ASSERT_TRUE(set);
  ASSERT_TRUE(WriteLock(LockPath(spec_.path), {{LockEntry("linux/amd64", **set)}}));
  EXPECT_TRUE(ResolvePackages(*Context(false, true), spec_, {"app"}, "amd64", /*image=*/true));
  std::vector<Deb> debs = Debs();
  debs[1].version = "1.3";
  Publish(mirror_, debs);
  EXPECT_EQ(ResolvePackages(*Context(false, true), spec_, {"app"}, "amd64", /*image=*/true)
                .error()
                .message(),
            fmt::format("'{}' no longer matches the spec: 'libfoo1' is 1.3 now, the lock has "
                        "1.2 (run 'distill lock')",
                        LockPath(spec_.path)));
  // A list that is not the image's (a base's prefix, a package read alone)
  // is not held to the lock.
  EXPECT_TRUE(ResolvePackages(*Context(false, true), spec_, {"app"}, "amd64"));
}

// The entries of one kind in the test's cache.
std::vector<std::string> Entries(const std::filesystem::path& cache, const std::string& kind) {
  std::vector<std::string> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(cache / "entries" / kind, ec), end; !ec && it != end;
       ++it)
    out.push_back(it->path().string());
  return out;
}

TEST_F(PackagesTest, WarmRunNeedsNoIndex) {
  auto cold = ResolvePackageSet(*Context(), spec_, {"app"}, "amd64");
  ASSERT_TRUE(cold) << cold.error().message();
  ASSERT_EQ(Entries(dir_ / "cache", "resolutions").size(), 1u);
  ASSERT_EQ(Entries(dir_ / "cache", "verified-releases").size(), 1u);
  // Without any index, in the cache or on the mirror, a warm run still
  // resolves: the Release names the same index, so the cached answer holds.
  std::filesystem::remove_all(dir_ / "cache/indexes/by-hash");
  std::filesystem::remove_all(dir_ / "cache/indexes/text");
  mirror_.files.erase(std::string(kUri) + "/dists/test/main/binary-amd64/Packages.gz");
  mirror_.requests.clear();
  auto warm = ResolvePackageSet(*Context(), spec_, {"app"}, "amd64");
  ASSERT_TRUE(warm) << warm.error().message();
  EXPECT_EQ(mirror_.requests,
            std::vector<std::string>{std::string(kUri) + "/dists/test/InRelease"});
  EXPECT_EQ(warm->packages, cold->packages);
  EXPECT_EQ(warm->releases, cold->releases);
  EXPECT_EQ(warm->problems, cold->problems);
  EXPECT_EQ(ExplainLines(*warm), ExplainLines(*cold));
  // Offline too.
  auto offline = ResolvePackageSet(*Context(true), spec_, {"app"}, "amd64");
  ASSERT_TRUE(offline) << offline.error().message();
  EXPECT_EQ(offline->packages, cold->packages);
  // Other requests or ignore_depends are another key: they need the index.
  auto more = ResolvePackageSet(*Context(), spec_, {"app", "libbar"}, "amd64");
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().message(), "fetching '" + std::string(kUri) +
                                        "/dists/test/main/binary-amd64/Packages.gz': HTTP 404");
  Spec ignoring = spec_;
  ignoring.ignore_depends = {"*"};
  EXPECT_FALSE(ResolvePackageSet(*Context(), ignoring, {"app"}, "amd64"));
}

TEST_F(PackagesTest, NewIndexIsResolvedAgain) {
  auto first = ResolvePackageSet(*Context(), spec_, {"app"}, "amd64");
  ASSERT_TRUE(first) << first.error().message();
  std::vector<Deb> debs = Debs();
  debs[1].version = "1.3";
  Publish(mirror_, debs);
  auto second = ResolvePackageSet(*Context(), spec_, {"app"}, "amd64");
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(Names(*second), (std::vector<std::string>{"app=1.0", "libfoo1=1.3", "provider=5"}));
  EXPECT_EQ(Entries(dir_ / "cache", "resolutions").size(), 2u);
  // ignore_depends is part of the key: no stale answer from the entry above.
  Spec ignoring = spec_;
  ignoring.ignore_depends = {"*"};
  auto alone = ResolvePackageSet(*Context(), ignoring, {"app"}, "amd64");
  ASSERT_TRUE(alone) << alone.error().message();
  EXPECT_EQ(Names(*alone), (std::vector<std::string>{"app=1.0"}));
}

TEST_F(PackagesTest, DamagedResolutionIsReplaced) {
  auto first = ResolvePackageSet(*Context(), spec_, {"app"}, "amd64");
  ASSERT_TRUE(first) << first.error().message();
  std::vector<std::string> entries = Entries(dir_ / "cache", "resolutions");
  ASSERT_EQ(entries.size(), 1u);
  std::string whole = *base::ReadFile(entries[0]);
  std::filesystem::resize_file(entries[0], whole.size() / 3);
  auto again = ResolvePackageSet(*Context(), spec_, {"app"}, "amd64");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->packages, first->packages);
  EXPECT_EQ(*base::ReadFile(entries[0]), whole);
}

TEST_F(PackagesTest, NoRequestsNoNetwork) {
  auto set = ResolvePackages(*Context(), spec_, {}, "amd64");
  ASSERT_TRUE(set);
  EXPECT_TRUE((*set)->packages.empty());
  EXPECT_TRUE(mirror_.requests.empty());
}

}  // namespace
}  // namespace build
