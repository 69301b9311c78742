// Repository: fetches one apt source's signed Release and its Packages
// indexes, verified, with an on-disk cache for warm and offline runs
// (formats.md D1, D2).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/limits.h"
#include "cache/store.h"
#include "debian/release.h"
#include "debian/signature.h"
#include "debian/sources.h"
#include "http/http_client.h"

namespace debian {

enum class Compression { kXz, kGz };

// One Packages index, verified against the Release's SHA256 and size.
struct PackagesIndex {
  std::string component;     // "" for a flat repository
  std::string architecture;  // "all" for binary-all; "" for a flat repository
  std::string path;          // relative to the Release, e.g. "main/binary-amd64/Packages.xz"
  std::string url;           // where it is published (not the by-hash alias)
  std::string sha256;
  uint64_t size = 0;  // as the Release promises
  Compression compression = Compression::kXz;
  std::string bytes;  // still compressed; the caller decompresses
};

// A source's verified Release and indexes; what the lock file records.
struct RepositoryIndex {
  Source source;
  Release release;
  std::string release_url;     // the InRelease URL, or Release's when it has none
  std::string release_sha256;  // of the bytes at release_url
  std::vector<PackagesIndex> indexes;
};

struct FetchOptions {
  std::vector<std::string> architectures;  // e.g. {"amd64"}; binary-all is added as needed
  int64_t now = 0;                         // Unix seconds, for Date / Valid-Until
  bool ignore_valid_until = false;         // snapshot archives (formats.md D7)
  // "" disables caching; else verified files are kept under <cache_dir>/indexes/.
  std::string cache_dir;
  bool offline = false;  // use only the cache; never touch the network
  // Set: how to get the keys for source.keyring when a signature must really
  // be checked; the keys stay the caller's. Loading Debian's archive keyring
  // costs ~0.2 s (librnp checks every key's signatures), so callers with
  // several sources share one, and load it only when needed. Unset: the
  // Fetcher loads source.keyring itself.
  std::function<base::Result<const Keyring*>(const std::string& source)> load_keyring;
  // Set: Release signatures verified once are remembered here (entries of
  // kind "verified-releases", keyed by the hashes of the signed bytes and of
  // the keyring, see KeyringDigest), and byte-identical files verified with
  // the same keys are not handed to librnp again. Not owned.
  const cache::Store* store = nullptr;
  // index_bytes bounds a Release (and Release.gpg) and, before its declared
  // size is even read, every index; both are enforced while streaming.
  base::Limits limits;
};

// Fetches <uri>/dists/<suite>/InRelease (else Release + Release.gpg when
// InRelease is 404), verifies it with the source's keyring, checks its dates,
// and fetches Packages.xz (else .gz) for every component × architecture the
// source and `options` ask for (plus binary-all when the Release keeps
// arch:all packages apart), through by-hash when the Release offers it. Each
// index is checked against the Release's size and SHA256 before it is
// returned. Online, the Release is always refetched (it is small) and indexes
// whose hash is already cached are not downloaded again. Errors are one line
// naming the URL or path: "fetching '<url>': HTTP 500", "'<path>': sha256
// mismatch (Release says <x>, got <y>)", a signature or date failure, an index
// the Release does not list, or (offline) what is missing from the cache.
base::Result<RepositoryIndex> FetchRepository(http::HttpClient& http, const Source& source,
                                              const FetchOptions& options);

// FetchRepository's first half: the Release fetched (online, always),
// verified, its dates checked, and the indexes to use planned (component,
// path, url, sha256, size) but not fetched: every `bytes` is empty. Enough
// to know whether anything derived from the indexes is still current.
base::Result<RepositoryIndex> FetchRelease(http::HttpClient& http, const Source& source,
                                           const FetchOptions& options);

// FetchRepository's second half for one index of `repo` (as FetchRelease
// planned it): fills index.bytes from the cache or the mirror, checked
// against the Release's size and SHA256, with FetchRepository's errors.
base::Result<void> FetchIndex(http::HttpClient& http, const RepositoryIndex& repo,
                              PackagesIndex& index, const FetchOptions& options);

}  // namespace debian
