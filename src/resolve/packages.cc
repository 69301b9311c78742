// The resolve and fetch passes (issue 3; formats.md D1-D5).
//
//   sources   host apt config (deb822 .sources and one-line .list), with the
//             spec's `debian:` block applied
//   indexes   per source: InRelease verified against its keyring, dates
//             checked, Packages.xz/.gz checked against the Release's SHA256
//             (debian/repository.h), then decompressed
//   resolve   the Depends + Pre-Depends closure, apt's candidate rules
//   fetch     every chosen .deb, in parallel, verified by the SHA256 of its
//             signed index, into the content-addressed cache
//
// Warm runs (everything cached, each InRelease fetched again to notice a
// new Release) do as little as that freshness check allows:
//   - a Release byte-identical to one already verified with the same
//     keyring skips librnp (debian/repository.h, FetchOptions::store), and
//     the keyring is loaded only when some signature must really be checked;
//   - the resolver's result is cached under a key of the architecture, the
//     requests, ignore_depends and the SHA256 of every index the verified
//     Releases name (resolve/resolution_cache.h), so a hit needs no index at
//     all: the indexes are fetched, read and parsed only on a miss.
// On a miss, decompressing Debian's main index (~9 MB of xz, ~50 MB of
// text) takes about a second, so the text is kept in the cache under
// indexes/text/<sha256 of the compressed file>. That key is the hash the
// verified Release names, so the cached text is reached only through the
// signature chain, as the compressed file is; it is written atomically and
// read back in one read(2), and when it is there the compressed file is not
// read at all.
#include "resolve/packages.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "archive/decompress.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "debian/package_index.h"
#include "debian/repository.h"
#include "debian/resolver.h"
#include "http/downloader.h"
#include "http/retry.h"
#include "oci/descriptor.h"
#include "resolve/lock.h"
#include "resolve/resolution_cache.h"
#include "spec/chain.h"

namespace build {
namespace {

// Reads a whole file with one allocation; "" (not an error) when it is absent.
base::Result<std::optional<std::string>> ReadIfPresent(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    return base::Fail("opening '{}': {}", path, base::ErrnoText());
  }
  struct stat st;
  std::string out;
  if (fstat(fd, &st) == 0) out.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return base::Fail("reading '{}': {}", path, n < 0 ? base::ErrnoText() : "short read");
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return out;
}

struct Indexes {
  // The verified Releases in source order, their indexes planned but not
  // fetched (debian::FetchRelease); origin.source_id indexes this.
  std::vector<debian::RepositoryIndex> repos;
  // The parsed indexes, loaded on the first resolution-cache miss.
  std::optional<debian::PackageIndex> index;
  // Loaded once per keyring, and only when a signature must be checked:
  // Debian's takes ~0.2 s to load and the host's sources (bookworm,
  // -updates, -security) all name the same one.
  std::map<std::string, debian::Keyring> keyrings;
};

}  // namespace

struct IndexSet {
  Indexes ix;
};

Resolver::Resolver(BuildContext& ctx) : ctx_(ctx) {}
Resolver::~Resolver() = default;

namespace {

base::Result<const debian::Keyring*> KeyringFor(Indexes& ix, const std::string& source) {
  auto it = ix.keyrings.find(source);
  if (it == ix.keyrings.end()) {
    base::Result<debian::Keyring> k = debian::Keyring::Load(source);
    if (!k) return base::Fail(k.error());
    it = ix.keyrings.emplace(source, std::move(*k)).first;
  }
  return &it->second;
}

debian::FetchOptions Options(BuildContext& ctx, const std::string& arch, Indexes& ix,
                             const cache::Store& store) {
  debian::FetchOptions opts;
  opts.architectures = {arch};
  opts.now = static_cast<int64_t>(time(nullptr));
  opts.cache_dir = ctx.CacheRoot();
  opts.offline = ctx.options().offline;
  opts.load_keyring = [&ix](const std::string& source) { return KeyringFor(ix, source); };
  opts.store = &store;
  opts.limits = ctx.options().limits;
  return opts;
}

// Fetches and verifies every source's Release, in source order.
base::Result<void> FetchReleases(BuildContext& ctx, http::HttpClient& http,
                                 const std::vector<debian::Source>& sources,
                                 const std::string& arch, Indexes& out) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  for (const debian::Source& source : sources) {
    ctx.reporter().Status(fmt::format("fetching the Release of '{}'", source.suite));
    base::Result<debian::RepositoryIndex> repo =
        debian::FetchRelease(http, source, Options(ctx, arch, out, **store));
    if (!repo) return base::Fail(repo.error());
    out.repos.push_back(std::move(*repo));
  }
  return {};
}

// The decompressed text of a verified index: from the cache when there
// (without reading the compressed file), else fetched (or read from the
// cache) as the Release lists it, decompressed, and kept.
base::Result<std::string> IndexText(http::HttpClient& http, const debian::RepositoryIndex& repo,
                                    debian::PackagesIndex& index,
                                    const debian::FetchOptions& opts) {
  std::string text_dir = base::JoinPath(opts.cache_dir, "indexes/text");
  std::string path = base::JoinPath(text_dir, index.sha256);
  base::Result<std::optional<std::string>> cached = ReadIfPresent(path);
  if (!cached) return base::Fail(cached.error());
  if (*cached) return std::move(**cached);
  DISTILL_TRY(debian::FetchIndex(http, repo, index, opts));
  base::Result<std::string> text = archive::Decompress(index.bytes, index.url);
  index.bytes.clear();  // the compressed copy is no longer needed
  if (!text) return base::Fail(text.error());
  DISTILL_TRY(base::MakeDirs(text_dir));
  DISTILL_TRY(base::WriteFileAtomic(path, *text));
  return text;
}

// Fetches, reads and parses every planned index of `ix.repos` into ix.index.
base::Result<void> LoadIndexes(BuildContext& ctx, http::HttpClient& http, const std::string& arch,
                               Indexes& ix) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  debian::PackageIndex index;
  for (size_t n = 0; n < ix.repos.size(); ++n) {
    debian::RepositoryIndex& repo = ix.repos[n];
    ctx.reporter().Status(fmt::format("reading the indexes of '{}'", repo.source.suite));
    debian::FetchOptions opts = Options(ctx, arch, ix, **store);
    for (debian::PackagesIndex& pi : repo.indexes) {
      base::Result<std::string> text = IndexText(http, repo, pi, opts);
      if (!text) return base::Fail(text.error());
      debian::IndexOrigin origin{repo.source.suite, pi.component, repo.release.pin,
                                 std::to_string(n)};
      base::Result<uint32_t> added = index.Add(std::move(*text), origin);
      if (!added) return base::Fail(added.error());
    }
  }
  ix.index.emplace(std::move(index));
  return {};
}

ResolvedPackage MakeResolved(const Indexes& ix, const debian::SelectedPackage& sel) {
  const debian::PackageIndex& index = *ix.index;
  const debian::Package& p = index.package(sel.id);
  const debian::IndexOrigin& origin = index.origin(p.origin);
  const debian::RepositoryIndex& repo = ix.repos[std::stoul(origin.source_id)];
  ResolvedPackage r;
  r.name = std::string(index.Name(p.name));
  r.version = std::string(p.version);
  r.architecture = std::string(p.architecture);
  r.filename = std::string(p.filename);
  r.sha256 = std::string(p.sha256);
  r.size = p.size;
  r.suite = origin.suite;
  r.url = repo.source.uri + "/" + r.filename;
  r.stanza = std::string(p.stanza);
  r.why = sel.why;
  return r;
}

// Stands in for the network in offline mode: the repository code reads only
// its cache then, so a call here is a bug that must not reach a socket.
class OfflineClient : public http::HttpClient {
 public:
  base::Result<http::Response> Do(const http::Request& req, base::Sink*) override {
    return base::Fail("offline: no network access for '{}'", req.url);
  }
};

// apt opens one connection per host; a few parallel transfers fill a
// typical link without tripping mirrors' per-client limits.
constexpr int kParallelDownloads = 6;

std::string MemoKey(const std::string& arch, const std::vector<std::string>& requests) {
  std::string key = arch;
  for (const std::string& r : requests) key += "\n" + r;
  return key;
}

// --locked: the resolution must equal the lock's entry for this architecture.
base::Result<void> CheckAgainstLock(const Spec& spec, const PackageSet& set) {
  std::string path = LockPath(spec.path);
  base::Result<LockFile> lock = ReadLock(path);
  if (!lock) return base::Fail(lock.error());
  const LockedPlatform* entry = FindPlatform(*lock, set.architecture);
  if (!entry)
    return base::Fail("'{}' has no entry for architecture '{}' (run 'distill lock')", path,
                      set.architecture);
  return CheckLocked(*entry, set, path);
}

// The client the repository code uses: libcurl with retries, or in offline
// mode one that refuses every request (the cache alone must do).
struct IndexClient {
  explicit IndexClient(BuildContext& ctx) {
    if (!ctx.options().offline) retrying.emplace(ctx.http());
  }
  http::HttpClient& get() { return retrying ? static_cast<http::HttpClient&>(*retrying) : offline; }
  OfflineClient offline;
  std::optional<http::RetryingClient> retrying;
};

// The verified Releases of `spec`'s sources for `arch`, fetched once per
// build: memoized in the Resolver by architecture and sources. The index
// text is loaded later, and only when a pass needs it (LoadIndexes).
base::Result<Indexes*> SpecReleases(Resolver& r, const Spec& spec, const std::string& arch,
                                    http::HttpClient& http) {
  BuildContext& ctx = r.ctx();
  base::Result<std::vector<debian::Source>> sources = SpecSources(spec);
  if (!sources) return base::Fail(sources.error());
  std::string memo = arch;
  for (const debian::Source& s : *sources)
    memo += fmt::format("\n{} {} {} {}", s.uri, s.suite, fmt::join(s.components, ","), s.keyring);
  std::shared_ptr<IndexSet>& slot = r.indexes()[memo];
  if (!slot) {
    auto fresh = std::make_shared<IndexSet>();
    DISTILL_TRY(FetchReleases(ctx, http, *sources, arch, fresh->ix));
    slot = fresh;
  }
  return &slot->ix;
}

}  // namespace

base::Result<PackageSet> ResolvePackageSet(Resolver& r, const Spec& spec,
                                           const std::vector<std::string>& requests,
                                           const std::string& debian_arch) {
  BuildContext& ctx = r.ctx();
  IndexClient client(ctx);
  http::HttpClient& http = client.get();
  base::Result<Indexes*> releases = SpecReleases(r, spec, debian_arch, http);
  if (!releases) return base::Fail(releases.error());
  Indexes& ix = **releases;
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  ResolutionInputs inputs{debian_arch, requests, spec.ignore_depends, ix.repos};
  std::optional<PackageSet> cached = LookupResolution(**store, inputs);
  PackageSet set;
  if (cached) {
    ctx.reporter().Status(fmt::format("resolving {} packages: cached", requests.size()));
    set = std::move(*cached);
  } else {
    if (!ix.index) DISTILL_TRY(LoadIndexes(ctx, http, debian_arch, ix));
    ctx.reporter().Status(fmt::format("resolving {} packages", requests.size()));
    debian::ResolveOptions ropts;
    ropts.ignore_depends = spec.ignore_depends;
    base::Result<debian::Resolution> res = debian::Resolve(*ix.index, requests, debian_arch, ropts);
    if (!res) return base::Fail(res.error());
    set.architecture = debian_arch;
    set.requests = requests;
    for (const debian::SelectedPackage& sel : res->packages)
      set.packages.push_back(MakeResolved(ix, sel));
    set.problems = std::move(res->problems);
    DISTILL_TRY(StoreResolution(**store, inputs, set));
  }
  for (const debian::RepositoryIndex& r : ix.repos)
    set.releases.push_back({r.source.suite, r.release_url, r.release_sha256, r.release.date_text});
  return set;
}

base::Result<void> FetchPackages(BuildContext& ctx, PackageSet& set) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  std::vector<http::DownloadItem> items;
  for (const ResolvedPackage& p : set.packages)
    items.push_back({p.url, p.sha256, p.size, DebName(p)});
  if (ctx.options().offline) {
    for (const http::DownloadItem& item : items)
      if (!(*store)->Has(item.sha256))
        return base::Fail("offline: '{}' is not in the cache", item.name);
  } else {
    ctx.reporter().Status(fmt::format("fetching {} packages", items.size()));
    http::DownloadOptions opts;
    opts.parallel = kParallelDownloads;
    opts.progress = ctx.progress();
    opts.retry.operation_seconds = ctx.options().limits.operation_seconds;
    DISTILL_TRY(http::Download(ctx.http(), **store, items, opts));
  }
  for (ResolvedPackage& p : set.packages) p.deb_path = (*store)->Path(p.sha256);
  return {};
}

base::Result<std::shared_ptr<const PackageSet>> ResolvePackages(
    Resolver& r, const Spec& spec, const std::vector<std::string>& requests,
    const std::string& debian_arch, bool image) {
  BuildContext& ctx = r.ctx();
  std::vector<std::string> key_parts = requests;
  for (const std::string& i : spec.ignore_depends) key_parts.push_back("!" + i);
  std::string key = MemoKey(debian_arch, key_parts);
  if (auto it = r.resolved().find(key); it != r.resolved().end()) {
    if (ctx.options().locked && image) DISTILL_TRY(CheckAgainstLock(spec, *it->second));
    return it->second;
  }
  if (requests.empty()) {
    // Nothing asked, nothing fetched: an image without packages never
    // touches the network or needs a lock entry.
    auto empty = std::make_shared<PackageSet>();
    empty->architecture = debian_arch;
    return std::shared_ptr<const PackageSet>(empty);
  }
  base::Result<PackageSet> set = ResolvePackageSet(r, spec, requests, debian_arch);
  if (!set) return base::Fail(set.error());
  for (const std::string& p : set->problems) ctx.reporter().Warning(p);
  // The lock covers the image's whole list, not a base's prefix of it, a
  // package read alone (UnpackOnly) or a build stage's.
  if (ctx.options().locked && image) DISTILL_TRY(CheckAgainstLock(spec, *set));
  DISTILL_TRY(FetchPackages(ctx, *set));
  auto shared = std::make_shared<const PackageSet>(std::move(*set));
  r.resolved()[key] = shared;
  return shared;
}

std::vector<std::string> ExplainLines(const PackageSet& set) {
  std::vector<std::string> out;
  for (const ResolvedPackage& p : set.packages) {
    std::string why = debian::FormatWhy(debian::SelectedPackage{0, p.why});
    out.push_back(
        fmt::format("{} {} ({}, {}): {}", p.name, p.version, p.architecture, p.suite, why));
  }
  return out;
}

std::string DebName(const ResolvedPackage& p) {
  size_t slash = p.filename.rfind('/');
  return slash == std::string::npos ? p.filename : p.filename.substr(slash + 1);
}

// The verified Releases (without index text) of `spec`'s sources, for the
// Contents lookups of the run-check.
base::Result<std::vector<debian::RepositoryIndex>> SpecRepositories(
    Resolver& r, const Spec& spec, const std::string& debian_arch) {
  IndexClient client(r.ctx());
  base::Result<Indexes*> releases = SpecReleases(r, spec, debian_arch, client.get());
  if (!releases) return base::Fail(releases.error());
  std::vector<debian::RepositoryIndex> out;
  for (const debian::RepositoryIndex& r : (*releases)->repos) {
    debian::RepositoryIndex copy{r.source, r.release, r.release_url, r.release_sha256, {}};
    out.push_back(std::move(copy));
  }
  return out;
}

// Build stages (stages/stage.cc) start from the Essential set, read from the
// parsed indexes (loaded here when a cached resolution left them unread).
namespace {

// The parsed indexes of `spec`'s sources (loaded here when a cached
// resolution left them unread).
base::Result<const debian::PackageIndex*> LoadedIndex(Resolver& r, const Spec& spec,
                                                      const std::string& debian_arch) {
  IndexClient client(r.ctx());
  base::Result<Indexes*> releases = SpecReleases(r, spec, debian_arch, client.get());
  if (!releases) return base::Fail(releases.error());
  Indexes& ix = **releases;
  if (!ix.index) DISTILL_TRY(LoadIndexes(r.ctx(), client.get(), debian_arch, ix));
  return &*ix.index;
}

}  // namespace

base::Result<bool> HasPackage(Resolver& r, const Spec& spec, const std::string& debian_arch,
                              std::string_view name) {
  base::Result<const debian::PackageIndex*> index = LoadedIndex(r, spec, debian_arch);
  if (!index) return base::Fail(index.error());
  return (*index)->FindName(name).has_value();
}

base::Result<std::vector<std::string>> EssentialPackages(Resolver& r, const Spec& spec,
                                                         const std::string& debian_arch) {
  base::Result<const debian::PackageIndex*> loaded = LoadedIndex(r, spec, debian_arch);
  if (!loaded) return base::Fail(loaded.error());
  const debian::PackageIndex& index = **loaded;
  std::vector<std::string> out;
  for (const debian::Package& p : index.packages())
    if (p.essential && (p.architecture == debian_arch || p.architecture == "all"))
      out.emplace_back(index.Name(p.name));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.empty())
    return base::Fail("the Debian sources have no Essential package for '{}'", debian_arch);
  return out;
}

}  // namespace build
