// The dependency resolver: which Debian packages an image needs for a list
// of requested packages, following Depends and Pre-Depends the way
// `apt-get install --simulate --no-install-recommends` does on an empty
// dpkg status (formats.md D4, D5).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "debian/package_index.h"

namespace debian {

struct SelectedPackage {
  PackageId id = 0;
  // Names from a requested package down to this one: {"python3"} for a
  // requested package, {"python3", "libpython3.11-stdlib", "libffi8"} for
  // one pulled in through that chain.
  std::vector<std::string> why;
  bool operator==(const SelectedPackage&) const = default;
};

struct Resolution {
  std::vector<SelectedPackage> packages;  // sorted by package name
  // Breaks and Conflicts between chosen packages, one line each, e.g.
  // "'a' 1.0 breaks 'b' 1.5 ('b (<< 2)')". Not errors: the caller decides.
  std::vector<std::string> problems;
};

// "requested" for a requested package, else the chain joined by " → ".
std::string FormatWhy(const SelectedPackage& p);

// Resolves `requests` ("name" or "name=version") for Debian architecture
// `arch` (packages of that architecture and of "all"). The candidate of a
// name is its version with the highest pin priority, then the highest
// version, across all indexes; "name=version" selects exactly that version.
// Every independent error (unknown package, missing pinned version,
// unsatisfiable dependency) is collected; the Error then holds one line per
// problem, joined by '\n', e.g.
//   unknown package 'pyhton3' (did you mean 'python3'?)
//   'libfoo1' (needed by app → libbar2) has no version satisfying '>= 2.0' (available: 1.5-1)
struct ResolveOptions {
  // Dependencies on these names count as satisfied (dpkg --ignore-depends);
  // "*" ignores every dependency.
  std::vector<std::string> ignore_depends;
  // Only the requested packages, no closure (e.g. ca-certificates, whose
  // files are read to build the CA bundle but never installed).
  bool no_depends = false;
};

base::Result<Resolution> Resolve(const PackageIndex& index, std::span<const std::string> requests,
                                 std::string_view arch, const ResolveOptions& options = {});

}  // namespace debian
