// The resolve pass's answer for one image on one platform: every package
// the compose pass installs or reads, resolved as apt would and fetched
// into the cache, before any layer is written. The chain's elements
// install cumulative lists (a child base's packages resolved together with
// its parent's, so the parent's layers stay byte for byte the parent
// image's); a few packages are read alone, without their closure, for
// files the image synthesizes (the CA bundle, the locale, busybox).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "resolve/packages.h"
#include "spec/chain.h"

namespace build {

struct PackagePlan {
  std::string arch;  // the Debian architecture
  // Per element of the chain (chain.specs order): the cumulative set that
  // element completes, or null when it names no packages.
  std::vector<std::shared_ptr<const PackageSet>> layers;
  // Packages read but not installed, by element and name.
  std::map<std::pair<size_t, std::string>, ResolvedPackage> alone;
};

// The packages element `element` of `chain` reads alone, in the order the
// compose pass reads them: ca-certificates (CA bundle, Java trust store),
// libc-bin (the C.utf8 locale), busybox-static (the debug variant, root
// element only).
std::vector<std::string> AlonePackages(const Chain& chain, size_t element);

// `spec` as the resolver sees element packages: the requested spec's path
// (the lock and relative keyrings live beside it), `requests` and
// `ignore_depends` in place of its own lists.
Spec ResolutionSpec(const Chain& chain, const Spec& spec, std::vector<std::string> requests,
                    std::vector<std::string> ignore_depends);

// The requested spec with the whole chain's packages and ignore_depends,
// root first, without repeats: the image's list, the one `distill lock`
// records and `--locked` holds (plus what `packages: auto` adds).
Spec ImageSpec(const Chain& chain);

// Resolves and fetches every set of `chain` for `arch` (memoized in `r`).
// The element that completes the image's list is checked against the lock
// with --locked. Errors: the resolver's, the lock's, a fetch's.
base::Result<PackagePlan> PlanPackages(Resolver& r, const Chain& chain, const std::string& arch);

}  // namespace build
