#include "debian/resolver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace debian {
namespace {

// Builds a Packages stanza: "name version [Field: value]...".
std::string Stanza(std::string name, std::string version, std::vector<std::string> fields = {},
                   std::string arch = "amd64") {
  std::string s = "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch + "\n";
  for (const std::string& f : fields) s += f + "\n";
  return s + "\n";
}

// "name=version (why)" per chosen package, in output order.
std::vector<std::string> Chosen(const PackageIndex& index, const Resolution& r) {
  std::vector<std::string> out;
  for (const SelectedPackage& p : r.packages) {
    const Package& pkg = index.package(p.id);
    out.push_back(std::string(index.Name(pkg.name)) + "=" + std::string(pkg.version) + " (" +
                  FormatWhy(p) + ")");
  }
  return out;
}

PackageIndex Index(const std::string& main, const std::string& security = "",
                   const std::string& backports = "") {
  PackageIndex index;
  EXPECT_TRUE(index.Add(main, {"bookworm", "main", 500, "0"}));
  if (!security.empty()) {
    EXPECT_TRUE(index.Add(security, {"bookworm-security", "main", 500, "1"}));
  }
  if (!backports.empty()) {
    EXPECT_TRUE(index.Add(backports, {"bookworm-backports", "main", 100, "2"}));
  }
  return index;
}

std::vector<std::string> Pick(const PackageIndex& index, std::vector<std::string> requests) {
  auto r = Resolve(index, requests, "amd64");
  if (!r) return {"error: " + r.error().message()};
  return Chosen(index, *r);
}

TEST(ResolverTest, FollowsDependsAndPreDependsOnly) {
  PackageIndex index =
      Index(Stanza("app", "1",
                   {"Pre-Depends: libc6 (>= 2.36)", "Depends: libbar2", "Recommends: docs",
                    "Suggests: extra"}) +
            Stanza("libbar2", "2.1-1", {"Depends: libc6, libfoo1 (>= 1.0)"}) +
            Stanza("libfoo1", "1.5-1", {}) + Stanza("libc6", "2.36-9", {"Priority: optional"}) +
            Stanza("docs", "1", {}, "all") + Stanza("extra", "1") +
            Stanza("bash", "5.2", {"Essential: yes", "Priority: required"}) +
            Stanza("other", "1", {}, "arm64"));
  EXPECT_EQ(Pick(index, {"app"}),
            (std::vector<std::string>{"app=1 (requested)", "libbar2=2.1-1 (app → libbar2)",
                                      "libc6=2.36-9 (app → libc6)",
                                      "libfoo1=1.5-1 (app → libbar2 → libfoo1)"}));
}

TEST(ResolverTest, CandidateIsHighestPinThenHighestVersion) {
  PackageIndex index = Index(Stanza("libc6", "2.36-9") + Stanza("libc6", "2.36-9+deb12u1"),
                             Stanza("libc6", "2.36-9+deb12u4"), Stanza("libc6", "2.40-1"));
  EXPECT_EQ(Pick(index, {"libc6"}), (std::vector<std::string>{"libc6=2.36-9+deb12u4 (requested)"}));
}

TEST(ResolverTest, ExactPinSelectsThatVersion) {
  PackageIndex index =
      Index(Stanza("libpq5", "15.6-0+deb12u1", {"Depends: libc6"}) + Stanza("libc6", "2.36-9"),
            Stanza("libpq5", "15.8-0+deb12u1"));
  EXPECT_EQ(Pick(index, {"libpq5=15.6-0+deb12u1"}),
            (std::vector<std::string>{"libc6=2.36-9 (libpq5 → libc6)",
                                      "libpq5=15.6-0+deb12u1 (requested)"}));
  EXPECT_EQ(Pick(index, {"libpq5=15.0-1"}),
            (std::vector<std::string>{"error: 'libpq5' has no version '15.0-1' (available: "
                                      "15.8-0+deb12u1, 15.6-0+deb12u1)"}));
}

TEST(ResolverTest, AlternativesTakeFirstSatisfiableOrAlreadySelected) {
  PackageIndex index = Index(Stanza("app", "1", {"Depends: missing | b (>= 2) | c, d | c"}) +
                             Stanza("b", "1") + Stanza("c", "1") + Stanza("d", "1"));
  // 'missing' is unknown and 'b' too old: 'c'; then 'd | c' is already met by 'c'.
  EXPECT_EQ(Pick(index, {"app"}), (std::vector<std::string>{"app=1 (requested)", "c=1 (app → c)"}));
  // A requested package counts as selected before any dependency is followed.
  EXPECT_EQ(Pick(index, {"app", "d"}),
            (std::vector<std::string>{"app=1 (requested)", "c=1 (app → c)", "d=1 (requested)"}));
}

TEST(ResolverTest, SkipsAlternativeWhoseDependenciesCannotBeMet) {
  PackageIndex index = Index(Stanza("app", "1", {"Depends: a | b"}) +
                             Stanza("a", "1", {"Depends: gone"}) + Stanza("b", "1"));
  EXPECT_EQ(Pick(index, {"app"}), (std::vector<std::string>{"app=1 (requested)", "b=1 (app → b)"}));
}

TEST(ResolverTest, VirtualPackagesAndProvides) {
  PackageIndex index =
      Index(Stanza("app", "1", {"Depends: awk, libfile-temp-perl (>= 0.23), mta (>= 1), real"}) +
            Stanza("gawk", "1", {"Provides: awk", "Priority: optional"}) +
            Stanza("mawk", "1", {"Provides: awk", "Priority: required"}) +
            Stanza("perl-base", "5.36", {"Provides: libfile-temp-perl (= 0.2311)"}) +
            Stanza("mta-unversioned", "1", {"Provides: mta"}) +
            Stanza("mta-versioned", "1", {"Provides: mta (= 2)"}) + Stanza("real", "1") +
            Stanza("fake-real", "1", {"Provides: real", "Essential: yes"}));
  EXPECT_EQ(Pick(index, {"app"}),
            (std::vector<std::string>{"app=1 (requested)", "mawk=1 (app → mawk)",
                                      "mta-versioned=1 (app → mta-versioned)",
                                      "perl-base=5.36 (app → perl-base)", "real=1 (app → real)"}));
}

TEST(ResolverTest, ProviderOrderFollowsApt) {
  // Same priority and not essential: apt takes the package it created last.
  PackageIndex index =
      Index(Stanza("app", "1", {"Depends: virt"}) + Stanza("p1", "1", {"Provides: virt"}) +
            Stanza("p2", "1", {"Provides: virt"}) +
            Stanza("p0", "1", {"Provides: virt", "Essential: yes"}));
  EXPECT_EQ(Pick(index, {"app"}),
            (std::vector<std::string>{"app=1 (requested)", "p0=1 (app → p0)"}));
  PackageIndex plain =
      Index(Stanza("app", "1", {"Depends: virt"}) + Stanza("p1", "1", {"Provides: virt"}) +
            Stanza("p2", "1", {"Provides: virt"}));
  EXPECT_EQ(Pick(plain, {"app"}),
            (std::vector<std::string>{"app=1 (requested)", "p2=1 (app → p2)"}));
  // A requested provider is preferred.
  EXPECT_EQ(Pick(plain, {"p1", "app"}),
            (std::vector<std::string>{"app=1 (requested)", "p1=1 (requested)"}));
}

TEST(ResolverTest, AnyQualifierNeedsMultiArchAllowed) {
  PackageIndex index = Index(Stanza("app", "1", {"Depends: python3:any, perl:any"}) +
                             Stanza("python3", "3.11", {"Multi-Arch: allowed"}) +
                             Stanza("perl", "5.36", {"Multi-Arch: foreign"}));
  EXPECT_EQ(Pick(index, {"app"}),
            (std::vector<std::string>{"error: 'perl:any' (needed by app) cannot be satisfied "
                                      "(available: 5.36)"}));
}

TEST(ResolverTest, TriesOtherVersionsForVersionedConstraint) {
  PackageIndex index =
      Index(Stanza("app", "1", {"Depends: libfoo (<< 2)"}) + Stanza("libfoo", "1.5-1"),
            Stanza("libfoo", "2.0-1"));
  EXPECT_EQ(Pick(index, {"app"}),
            (std::vector<std::string>{"app=1 (requested)", "libfoo=1.5-1 (app → libfoo)"}));
}

TEST(ResolverTest, CollectsErrorsWithChains) {
  PackageIndex index =
      Index(Stanza("app", "1", {"Depends: libbar2, nothere"}) +
            Stanza("libbar2", "1", {"Depends: libfoo1 (>= 2.0)"}) + Stanza("libfoo1", "1.5-1") +
            Stanza("python3", "3.11") + Stanza("mta1", "1", {"Provides: mta"}) +
            Stanza("mta2", "1", {"Provides: mta"}));
  EXPECT_EQ(Pick(index, {"pyhton3", "app", "zzzzzz", "mta"}),
            (std::vector<std::string>{
                "error: unknown package 'pyhton3' (did you mean 'python3'?)\n"
                "unknown package 'zzzzzz'\n"
                "'mta' is a virtual package provided by 'mta1', 'mta2': request one of them\n"
                "'libfoo1' (needed by app → libbar2) has no version satisfying '>= 2.0' "
                "(available: 1.5-1)\n"
                "'nothere' (needed by app) is not in any index"}));
}

TEST(ResolverTest, VirtualRequestWithOneProvider) {
  PackageIndex index = Index(Stanza("mawk", "1", {"Provides: awk"}));
  EXPECT_EQ(Pick(index, {"awk"}), (std::vector<std::string>{"mawk=1 (requested)"}));
}

TEST(ResolverTest, ReportsBreaksAndConflicts) {
  PackageIndex index = Index(Stanza("a", "1.0", {"Depends: b, c", "Breaks: b (<< 2)"}) +
                             Stanza("b", "1.5") + Stanza("c", "1", {"Provides: mta"}) +
                             Stanza("d", "1", {"Conflicts: mta, d", "Provides: d-alias"}));
  std::vector<std::string> requests = {"a", "d"};
  auto r = Resolve(index, requests, "amd64");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->problems, (std::vector<std::string>{"'a' 1.0 breaks 'b' 1.5 ('b (<< 2)')",
                                                   "'d' 1 conflicts with 'c' 1 ('mta')"}));
}

TEST(ResolverTest, ReportsBadDependencyField) {
  PackageIndex index = Index(Stanza("a", "1", {"Depends: b ("}));
  EXPECT_EQ(Pick(index, {"a"}),
            (std::vector<std::string>{"error: package 'a' 1: Depends: invalid relationship field "
                                      "'b (': missing version operator for 'b'"}));
}

}  // namespace
}  // namespace debian

namespace debian {

TEST(ResolverIgnoreTest, IgnoredDependencyCountsAsSatisfied) {
  PackageIndex index;
  ASSERT_TRUE(index.Add("Package: tzdata\nVersion: 1\nArchitecture: all\nDepends: debconf (>= 0.5) | debconf-2.0\n\n"
                        "Package: debconf\nVersion: 1\nArchitecture: all\n",
                        IndexOrigin{}));
  std::vector<std::string> req = {"tzdata"};
  ResolveOptions opts;
  opts.ignore_depends = {"debconf"};
  base::Result<Resolution> r = Resolve(index, req, "amd64", opts);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->packages.size(), 1u);
  r = Resolve(index, req, "amd64");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->packages.size(), 2u);
}

}  // namespace debian
