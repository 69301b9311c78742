// The resolution cache: what the resolver chose for a request list, kept in
// the content-addressed cache under a key of everything the choice depends
// on, so a warm run whose verified Releases still name the same Packages
// indexes neither reads nor parses ~50 MB of index text (issue 3).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "resolve/packages.h"
#include "cache/store.h"
#include "debian/repository.h"

namespace build {

// Everything a resolution depends on. `repos` are the verified Releases in
// source order, with their indexes planned (debian::FetchRelease); only
// their source (URI, suite, components), pin and the path and SHA256 of
// each index count, never the Release's own bytes, so a re-signed Release
// that names the same indexes still hits.
struct ResolutionInputs {
  std::string architecture;           // Debian's, e.g. "amd64"
  std::vector<std::string> requests;  // as asked, e.g. {"libpq5", "curl=7.88.1-10"}
  std::vector<std::string> ignore_depends;
  std::span<const debian::RepositoryIndex> repos;
};

// The key: the SHA-256 (hex) of a canonical JSON of the inputs and the
// format version. Any change to an input gives another key.
std::string ResolutionKey(const ResolutionInputs& inputs);

// A PackageSet's resolved part as JSON: architecture, requests, packages
// (every field but deb_path) and problems. Releases are not part of it: they
// come from the run that uses the resolution.
std::string ResolutionToJson(const PackageSet& set);
// Parses ResolutionToJson's output. Errors: "invalid cached resolution:
// <what>" for anything malformed or of another format version.
base::Result<PackageSet> ResolutionFromJson(std::string_view text);

// The cached resolution for `inputs`, or nullopt when there is none or it is
// damaged or does not match the inputs (a miss: resolve and store again).
std::optional<PackageSet> LookupResolution(const cache::Store& store,
                                           const ResolutionInputs& inputs);
// Records `set` (resolved from `inputs`) atomically; errors are the store's.
base::Result<void> StoreResolution(const cache::Store& store, const ResolutionInputs& inputs,
                                   const PackageSet& set);

}  // namespace build
