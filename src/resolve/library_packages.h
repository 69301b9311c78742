// Which Debian packages ship a shared library (or any file): the answer the
// run-check gives when a library is missing and what `packages: auto`
// installs (issue 5 items 3 and 4). It comes from the repositories'
// Contents-<arch> indexes (formats.md D6), fetched only when asked.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/sink.h"
#include "resolve/packages.h"
#include "spec/spec.h"

namespace build {

struct ShippingQuery {
  std::vector<std::string> libraries;  // DT_NEEDED names, "libpq.so.5"
  std::vector<std::string> paths;      // absolute image paths, "/bin/sh"
};

struct Shipping {
  // Every name and path asked for → the packages that ship it (sorted;
  // empty when none does).
  std::map<std::string, std::vector<std::string>> libraries;
  std::map<std::string, std::vector<std::string>> paths;
  std::string suite;  // the first source's suite, for "no package in <suite>"
};

// Looks `query` up in the Contents-<debian_arch> index of every component
// of the sources `spec` resolves against (resolve/packages.h). Each index is
// named and hashed by the already verified Release, downloaded (once: the
// cache is content-addressed by that hash) and streamed through a
// decompressor into analyze::ContentsLookup, so the ~150 MB of text is never
// held. A component whose Release lists no Contents file is skipped.
// Offline, a missing index is an error naming it:
//   offline: 'http://…/dists/bookworm/main/Contents-amd64.gz' is not in the cache
base::Result<Shipping> FindShippingPackages(Resolver& r, const Spec& spec,
                                            const std::string& debian_arch,
                                            const ShippingQuery& query);

// Streams the gzip file at `path` (several members allowed; a file without
// the gzip magic is passed through as is) into `sink`, then closes it.
// Errors name `name`: "'<name>': corrupt gzip data".
base::Result<void> StreamGunzipFile(const std::string& path, std::string_view name,
                                    base::Sink& sink);

}  // namespace build
