#include "resolve/lock.h"

#include <gtest/gtest.h>

namespace build {
namespace {

ResolvedPackage Pkg(std::string name, std::string version, std::string sha = "aa") {
  ResolvedPackage p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.architecture = "amd64";
  p.filename = "pool/main/" + p.name + "_" + p.version + "_amd64.deb";
  p.sha256 = std::move(sha);
  p.size = 100;
  p.suite = "bookworm";
  p.why = {p.name};
  return p;
}

PackageSet Set(std::vector<ResolvedPackage> packages) {
  PackageSet s;
  s.architecture = "amd64";
  s.requests = {"libpq5"};
  s.packages = std::move(packages);
  s.releases = {{"bookworm", "http://m/debian/dists/bookworm/InRelease", "bb",
                 "Sat, 11 Jul 2026 10:16:37 UTC"}};
  return s;
}

TEST(LockTest, Path) {
  EXPECT_EQ(LockPath("distill.yaml"), "distill.lock");
  EXPECT_EQ(LockPath("app/img.yaml"), "app/distill.lock");
  EXPECT_EQ(LockPath("/srv/app/distill.yaml"), "/srv/app/distill.lock");
}

TEST(LockTest, JsonIsSortedAndRoundTrips) {
  LockFile lock{{LockEntry("linux/amd64", Set({Pkg("libc6", "2.36-9")}))}};
  std::string json = LockToJson(lock);
  EXPECT_EQ(json, R"({
  "lockVersion": 1,
  "platforms": {
    "linux/amd64": {
      "architecture": "amd64",
      "packages": [
        {
          "architecture": "amd64",
          "filename": "pool/main/libc6_2.36-9_amd64.deb",
          "name": "libc6",
          "sha256": "aa",
          "size": 100,
          "suite": "bookworm",
          "version": "2.36-9"
        }
      ],
      "releases": [
        {
          "date": "Sat, 11 Jul 2026 10:16:37 UTC",
          "sha256": "bb",
          "suite": "bookworm",
          "url": "http://m/debian/dists/bookworm/InRelease"
        }
      ],
      "requests": [
        "libpq5"
      ]
    }
  }
}
)");
  EXPECT_EQ(ParseLock(json, "distill.lock"), lock);
}

TEST(LockTest, ParseErrors) {
  EXPECT_EQ(ParseLock("{", "x.lock").error().message(), "'x.lock': not a JSON object");
  EXPECT_EQ(ParseLock(R"({"lockVersion": 2})", "x.lock").error().message(),
            "'x.lock': unsupported lock version (expected 1)");
  EXPECT_EQ(ParseLock(R"({"lockVersion": 1, "platforms": {"linux/amd64": {"architecture": "amd64",
      "requests": [], "releases": [], "packages": [{"name": "a"}]}}})",
                      "x.lock")
                .error()
                .message(),
            "'x.lock': 'version' must be a string");
  EXPECT_EQ(ParseLock(R"({"lockVersion": 1, "platforms": {"linux/amd64": {"architecture": "amd64",
      "requests": [], "packages": []}}})",
                      "x.lock")
                .error()
                .message(),
            "'x.lock': 'releases' must be a list");
}

TEST(LockTest, ReadMissing) {
  EXPECT_EQ(ReadLock("/nonexistent/distill.lock").error().message(),
            "'/nonexistent/distill.lock' does not exist (run 'distill lock')");
}

TEST(LockTest, FindPlatform) {
  LockFile lock{{LockEntry("linux/amd64", Set({}))}};
  EXPECT_EQ(FindPlatform(lock, "amd64"), &lock.platforms[0]);
  EXPECT_EQ(FindPlatform(lock, "arm64"), nullptr);
}

TEST(LockTest, CheckLockedMatches) {
  PackageSet set = Set({Pkg("libc6", "2.36-9"), Pkg("libpq5", "15.8-0+deb12u1")});
  EXPECT_TRUE(CheckLocked(LockEntry("linux/amd64", set), set, "distill.lock"));
}

TEST(LockTest, CheckLockedNamesTheFirstDifference) {
  LockedPlatform locked =
      LockEntry("linux/amd64", Set({Pkg("libc6", "2.36-9"), Pkg("libpq5", "15.8-0+deb12u1")}));
  auto check = [&](std::vector<ResolvedPackage> now) {
    return CheckLocked(locked, Set(std::move(now)), "distill.lock").error().message();
  };
  EXPECT_EQ(check({Pkg("libc6", "2.36-9"), Pkg("libpq5", "15.9-0+deb12u1")}),
            "'distill.lock' no longer matches the spec: 'libpq5' is 15.9-0+deb12u1 now, the "
            "lock has 15.8-0+deb12u1 (run 'distill lock')");
  EXPECT_EQ(check({Pkg("libc6", "2.36-9")}),
            "'distill.lock' no longer matches the spec: the lock has 'libpq5' 15.8-0+deb12u1, "
            "which is no longer needed (run 'distill lock')");
  EXPECT_EQ(
      check({Pkg("libc6", "2.36-9"), Pkg("libkrb5", "1.20"), Pkg("libpq5", "15.8-0+deb12u1")}),
      "'distill.lock' no longer matches the spec: 'libkrb5' 1.20 is needed now, the lock "
      "does not have it (run 'distill lock')");
  EXPECT_EQ(check({Pkg("libc6", "2.36-9", "cc"), Pkg("libpq5", "15.8-0+deb12u1")}),
            "'distill.lock' no longer matches the spec: 'libc6' 2.36-9 has sha256 cc now, the "
            "lock has aa (run 'distill lock')");
}

TEST(LockTest, CheckLockedRequests) {
  PackageSet set = Set({Pkg("libc6", "2.36-9")});
  LockedPlatform locked = LockEntry("linux/amd64", set);
  set.requests = {"libc6"};
  EXPECT_EQ(CheckLocked(locked, set, "distill.lock").error().message(),
            "'distill.lock' no longer matches the spec: the spec asks for 'libc6', the lock was "
            "made for 'libpq5' (run 'distill lock')");
}

}  // namespace
}  // namespace build
