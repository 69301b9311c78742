// The Debian side of a build: which packages an image gets and where their
// verified .debs are. Sources come from the host's apt configuration or the
// spec's `debian:` block; their signed indexes are fetched and verified, the
// dependency closure resolved as apt would, and every chosen .deb downloaded
// in parallel into the content-addressed cache (DESIGN.md "Architecture":
// resolve → fetch; issue 3).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "spec/spec.h"
#include "workspace/context.h"
#include "debian/repository.h"
#include "debian/sources.h"

namespace build {

struct IndexSet;  // packages.cc
struct PackageSet;

// The resolve pass's memory for one build: the verified Releases and parsed
// indexes of each source list, and every package set resolved and fetched
// so far (by architecture and request list), so that however many passes
// ask (the image, its bases, build stages, `packages: auto`), each index is
// fetched and parsed once and each list resolved once. Only the functions
// below read it.
class Resolver {
 public:
  explicit Resolver(BuildContext& ctx);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  BuildContext& ctx() const { return ctx_; }
  std::map<std::string, std::shared_ptr<IndexSet>>& indexes() { return indexes_; }
  std::map<std::string, std::shared_ptr<const PackageSet>>& resolved() { return resolved_; }

 private:
  BuildContext& ctx_;
  std::map<std::string, std::shared_ptr<IndexSet>> indexes_;
  std::map<std::string, std::shared_ptr<const PackageSet>> resolved_;
};

// One chosen package and its verified .deb.
struct ResolvedPackage {
  std::string name;
  std::string version;
  std::string architecture;  // "amd64", "all", ...
  std::string filename;      // Filename: relative to the archive root
  std::string sha256;        // of the .deb, from the signed index
  uint64_t size = 0;
  std::string suite;   // the suite it came from, e.g. "bookworm-security"
  std::string url;     // where the .deb is published
  std::string stanza;  // the raw control stanza of the Packages index
  // From a requested package down to this one (debian::SelectedPackage::why).
  std::vector<std::string> why;
  std::string deb_path;  // the verified .deb in the cache; "" until fetched
  bool operator==(const ResolvedPackage&) const = default;
};

// A Release a resolution used: what the lock file records about it.
struct ReleaseUsed {
  std::string suite;   // as the source names it, e.g. "bookworm-updates"
  std::string url;     // of the InRelease (or Release) file
  std::string sha256;  // of those bytes
  std::string date;    // its Date field, as written
  bool operator==(const ReleaseUsed&) const = default;
};

struct PackageSet {
  std::string architecture;               // the Debian architecture resolved for
  std::vector<std::string> requests;      // as asked, e.g. {"libpq5", "curl=7.88.1-10"}
  std::vector<ResolvedPackage> packages;  // sorted by name
  std::vector<ReleaseUsed> releases;      // in source order
  // Breaks/Conflicts within the set (debian::Resolution::problems).
  std::vector<std::string> problems;
};

// Fetches and verifies every source's indexes (only from the cache when
// ctx.options().offline) and resolves `requests` for `debian_arch`. Nothing
// is downloaded beyond the indexes; deb_path stays empty. Decompressed
// indexes are kept in the cache under indexes/text/<sha256 of the
// compressed file>, so a warm run only reads them. Errors: a source's
// fetch or verification error, or Resolve's (one line per unresolvable
// request).
base::Result<PackageSet> ResolvePackageSet(Resolver& r, const Spec& spec,
                                           const std::vector<std::string>& requests,
                                           const std::string& debian_arch);

// Makes every package's .deb present and verified in ctx's cache (parallel,
// retried, progress through ctx.progress()) and sets its deb_path. Offline,
// nothing is downloaded and the first missing file is named:
//   offline: 'libc6_2.36-9+deb12u10_amd64.deb' is not in the cache
base::Result<void> FetchPackages(BuildContext& ctx, PackageSet& set);

// ResolvePackageSet, then (with ctx.options().locked, when `image` says the
// requests are the image's whole list, as the lock records it) a check
// against the spec's lock file, then
// FetchPackages. Breaks/Conflicts become warnings on ctx.reporter(). The
// result is memoized in the Resolver per architecture and request list, so a second
// call in the same build costs nothing.
base::Result<std::shared_ptr<const PackageSet>> ResolvePackages(
    Resolver& r, const Spec& spec, const std::vector<std::string>& requests,
    const std::string& debian_arch, bool image = false);

// The names of the packages marked `Essential: yes` in `spec`'s sources for
// `debian_arch` (Debian Policy 3.8), sorted and unique: what every Debian
// root has, and what a build stage's root starts from (mmdebstrap's
// "essential" variant). Uses the indexes ResolvePackageSet fetches (and
// memoizes in the Resolver).
base::Result<std::vector<std::string>> EssentialPackages(Resolver& r, const Spec& spec,
                                                         const std::string& debian_arch);

// True when `spec`'s sources for `debian_arch` have a package (or a virtual
// package) named `name`.
base::Result<bool> HasPackage(Resolver& r, const Spec& spec, const std::string& debian_arch,
                              std::string_view name);

// One platform's packages: what `distill lock` records and a build uses.
struct PlatformPackages {
  std::string platform;  // "linux/amd64"
  std::shared_ptr<const PackageSet> set;
};

// "libpq5 15.8-0+deb12u1 (amd64, bookworm): requested" style lines, one per package,
// for `-d explain`: name, version, suite, and the chain that pulled it in.
std::vector<std::string> ExplainLines(const PackageSet& set);

// The verified repositories (source, Release) that `spec`'s packages for
// `debian_arch` are resolved against, as ResolvePackageSet loads them
// (memoized in the Resolver, so after a resolution this costs nothing); their
// Packages index bytes are not kept. For lookups in other files the
// Release vouches for, such as the Contents index (check/check.h).
base::Result<std::vector<debian::RepositoryIndex>> SpecRepositories(Resolver& r,
                                                                    const Spec& spec,
                                                                    const std::string& debian_arch);

// The .deb's file name as messages show it: the last component of filename.
std::string DebName(const ResolvedPackage& p);

}  // namespace build
