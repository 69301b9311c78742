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
// Warm runs are dominated by the indexes: decompressing Debian's main index
// (~9 MB of xz, ~50 MB of text) takes about a second, so the text is kept in
// the cache under indexes/text/<sha256 of the compressed file>. That key is
// the hash the verified Release names, so the cached text is reached only
// through the signature chain, as the compressed file is; it is written
// atomically and read back in one read(2).
#include "build/packages.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "archive/decompress.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "build/chain.h"
#include "build/lock.h"
#include "debian/package_index.h"
#include "debian/repository.h"
#include "debian/resolver.h"
#include "http/downloader.h"
#include "http/retry.h"
#include "oci/descriptor.h"

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

// The decompressed text of a verified index, from the cache when there.
base::Result<std::string> IndexText(const std::string& text_dir,
                                    const debian::PackagesIndex& index) {
  std::string path = base::JoinPath(text_dir, index.sha256);
  base::Result<std::optional<std::string>> cached = ReadIfPresent(path);
  if (!cached) return base::Fail(cached.error());
  if (*cached) return std::move(**cached);
  base::Result<std::string> text = archive::Decompress(index.bytes, index.url);
  if (!text) return base::Fail(text.error());
  DISTILL_TRY(base::MakeDirs(text_dir));
  DISTILL_TRY(base::WriteFileAtomic(path, *text));
  return text;
}

struct Indexes {
  debian::PackageIndex index;
  std::vector<debian::RepositoryIndex> repos;  // origin.source_id indexes this
  // Loaded once per keyring: Debian's takes ~0.2 s to load and the host's
  // sources (bookworm, -updates, -security) all name the same one.
  std::map<std::string, debian::Keyring> keyrings;
};

}  // namespace

struct IndexSet {
  Indexes ix;
};

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

base::Result<void> AddRepository(BuildContext& ctx, http::HttpClient& http,
                                 const debian::Source& source, const std::string& arch,
                                 Indexes& out) {
  debian::FetchOptions opts;
  opts.architectures = {arch};
  opts.now = static_cast<int64_t>(time(nullptr));
  opts.cache_dir = ctx.CacheRoot();
  opts.offline = ctx.options().offline;
  base::Result<const debian::Keyring*> keyring = KeyringFor(out, source.keyring);
  if (!keyring) return base::Fail(keyring.error());
  opts.keyring = *keyring;
  ctx.reporter().Status(fmt::format("fetching indexes of '{}'", source.suite));
  base::Result<debian::RepositoryIndex> repo = debian::FetchRepository(http, source, opts);
  if (!repo) return base::Fail(repo.error());
  std::string text_dir = base::JoinPath(ctx.CacheRoot(), "indexes/text");
  for (debian::PackagesIndex& pi : repo->indexes) {
    base::Result<std::string> text = IndexText(text_dir, pi);
    if (!text) return base::Fail(text.error());
    pi.bytes.clear();  // the compressed copy is no longer needed
    debian::IndexOrigin origin{source.suite, pi.component, repo->release.pin,
                               std::to_string(out.repos.size())};
    base::Result<uint32_t> added = out.index.Add(std::move(*text), origin);
    if (!added) return base::Fail(added.error());
  }
  out.repos.push_back(std::move(*repo));
  return {};
}

ResolvedPackage MakeResolved(const Indexes& ix, const debian::SelectedPackage& sel) {
  const debian::Package& p = ix.index.package(sel.id);
  const debian::IndexOrigin& origin = ix.index.origin(p.origin);
  const debian::RepositoryIndex& repo = ix.repos[std::stoul(origin.source_id)];
  ResolvedPackage r;
  r.name = std::string(ix.index.Name(p.name));
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

}  // namespace

base::Result<std::vector<debian::Source>> SpecSources(const Spec& spec) {
  base::Result<std::vector<debian::Source>> host = debian::ReadHostSources("/");
  if (!host) return base::Fail(host.error());
  debian::SourceOverride o{spec.debian.mirror, spec.debian.suite, spec.debian.components,
                           spec.debian.keyring};
  // A keyring named in the spec is relative to the spec, like `files:` paths.
  if (!o.keyring.empty() && o.keyring[0] != '/' && o.keyring.find("BEGIN PGP") == std::string::npos)
    o.keyring = base::JoinPath(base::DirName(spec.path), o.keyring);
  return debian::ApplyOverride(*host, o);
}

base::Result<PackageSet> ResolvePackageSet(BuildContext& ctx, const Spec& spec,
                                           const std::vector<std::string>& requests,
                                           const std::string& debian_arch) {
  base::Result<std::vector<debian::Source>> sources = SpecSources(spec);
  if (!sources) return base::Fail(sources.error());
  OfflineClient offline;
  std::optional<http::RetryingClient> retrying;
  if (!ctx.options().offline) retrying.emplace(ctx.http());
  http::HttpClient& http = retrying ? static_cast<http::HttpClient&>(*retrying) : offline;
  std::string memo = debian_arch;
  for (const debian::Source& s : *sources)
    memo += fmt::format("\n{} {} {} {}", s.uri, s.suite, fmt::join(s.components, ","), s.keyring);
  std::shared_ptr<IndexSet>& slot = ctx.indexes()[memo];
  if (!slot) {
    auto fresh = std::make_shared<IndexSet>();
    for (const debian::Source& s : *sources)
      DISTILL_TRY(AddRepository(ctx, http, s, debian_arch, fresh->ix));
    slot = fresh;
  }
  const Indexes& ix = slot->ix;
  ctx.reporter().Status(fmt::format("resolving {} packages", requests.size()));
  debian::ResolveOptions ropts;
  ropts.ignore_depends = spec.ignore_depends;
  base::Result<debian::Resolution> res = debian::Resolve(ix.index, requests, debian_arch, ropts);
  if (!res) return base::Fail(res.error());
  PackageSet set;
  set.architecture = debian_arch;
  set.requests = requests;
  for (const debian::SelectedPackage& sel : res->packages)
    set.packages.push_back(MakeResolved(ix, sel));
  for (const debian::RepositoryIndex& r : ix.repos)
    set.releases.push_back({r.source.suite, r.release_url, r.release_sha256, r.release.date_text});
  set.problems = std::move(res->problems);
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
    DISTILL_TRY(http::Download(ctx.http(), **store, items, opts));
  }
  for (ResolvedPackage& p : set.packages) p.deb_path = (*store)->Path(p.sha256);
  return {};
}

base::Result<std::shared_ptr<const PackageSet>> ResolvePackages(
    BuildContext& ctx, const Spec& spec, const std::vector<std::string>& requests,
    const std::string& debian_arch) {
  std::vector<std::string> key_parts = requests;
  for (const std::string& i : spec.ignore_depends) key_parts.push_back("!" + i);
  std::string key = MemoKey(debian_arch, key_parts);
  if (auto it = ctx.resolved().find(key); it != ctx.resolved().end()) return it->second;
  if (requests.empty()) {
    // Nothing asked, nothing fetched: an image without packages never
    // touches the network or needs a lock entry.
    auto empty = std::make_shared<PackageSet>();
    empty->architecture = debian_arch;
    return std::shared_ptr<const PackageSet>(empty);
  }
  base::Result<PackageSet> set = ResolvePackageSet(ctx, spec, requests, debian_arch);
  if (!set) return base::Fail(set.error());
  for (const std::string& p : set->problems) ctx.reporter().Warning(p);
  // Build stages resolve their own lists; the lock covers the image's.
  if (ctx.options().locked && requests == spec.packages) DISTILL_TRY(CheckAgainstLock(spec, *set));
  DISTILL_TRY(FetchPackages(ctx, *set));
  auto shared = std::make_shared<const PackageSet>(std::move(*set));
  ctx.resolved()[key] = shared;
  return shared;
}

base::Result<std::vector<PlatformPackages>> ResolveSpecPackages(BuildContext& ctx,
                                                                const Spec& spec) {
  // The image's packages are those of its whole base chain (recipes
  // included), resolved together: the request list the lock file records
  // and the one the build's last package pass asks for (same memo key).
  base::Result<Chain> chain = LoadChain(spec);
  if (!chain) return base::Fail(chain.error());
  Spec image = chain->specs.back();
  image.packages.clear();
  image.ignore_depends.clear();
  for (const Spec& s : chain->specs) {
    for (const std::string& r : s.packages)
      if (std::find(image.packages.begin(), image.packages.end(), r) == image.packages.end())
        image.packages.push_back(r);
    for (const std::string& i : s.ignore_depends)
      if (std::find(image.ignore_depends.begin(), image.ignore_depends.end(), i) ==
          image.ignore_depends.end())
        image.ignore_depends.push_back(i);
  }
  std::vector<std::string> names =
      !ctx.options().platforms.empty() ? ctx.options().platforms : spec.platforms;
  if (names.empty()) names.push_back(oci::HostPlatform().ToString());
  std::vector<PlatformPackages> out;
  for (const std::string& name : names) {
    base::Result<oci::Platform> platform = oci::ParsePlatform(name);
    if (!platform) return base::Fail(platform.error());
    base::Result<std::string> arch = oci::DebianArchFromPlatform(*platform);
    if (!arch) return base::Fail(arch.error());
    auto set = ResolvePackages(ctx, image, image.packages, *arch);
    if (!set)
      return base::Fail(out.empty() ? set.error() : set.error().Context("platform '{}'", name));
    out.push_back({platform->ToString(), *set});
  }
  return out;
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

// Build stages (build/stage.cc) start from the Essential set. The indexes
// are the ones ResolvePackageSet memoizes: resolving an empty request list
// loads them under the same memo key.
base::Result<std::vector<std::string>> EssentialPackages(BuildContext& ctx, const Spec& spec,
                                                         const std::string& debian_arch) {
  DISTILL_TRY(ResolvePackageSet(ctx, spec, {}, debian_arch));
  base::Result<std::vector<debian::Source>> sources = SpecSources(spec);
  if (!sources) return base::Fail(sources.error());
  std::string memo = debian_arch;
  for (const debian::Source& s : *sources)
    memo += fmt::format("\n{} {} {} {}", s.uri, s.suite, fmt::join(s.components, ","), s.keyring);
  const debian::PackageIndex& index = ctx.indexes()[memo]->ix.index;
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
