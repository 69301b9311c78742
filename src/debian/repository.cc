// Fetching a Debian repository's indexes (formats.md D1, D2; Debian wiki
// "DebianRepository/Format"). The chain of trust runs keyring → InRelease
// signature → SHA256 list in the Release → each Packages index → (later) each
// .deb, so every step here verifies before it hands anything on.
//
// Order: InRelease (clearsigned) first; only when it is 404 do we fall back
// to Release + Release.gpg, as apt does. Indexes are fetched compressed
// (.xz preferred, .gz otherwise) and, when the Release says Acquire-By-Hash,
// through dists/<suite>/<dir>/by-hash/SHA256/<hex>: the hash-named file
// cannot change under us while the mirror updates, which the plain name can.
// The download is capped at the size the Release promises.
//
// Cache: <cache>/indexes/<escaped dists URL>/{InRelease,Release,Release.gpg}
// hold the last verified Release, and <cache>/indexes/by-hash/<sha256> holds
// index files by content, so an unchanged index is never downloaded twice
// and a cached file is trusted only because the (re-verified) Release names
// its hash. All writes are atomic (temp file + rename).
//
// Verified signatures: checking an InRelease means loading the keyring into
// librnp (~0.2 s for Debian's, which checks every key's self-signatures) and
// the signature itself. With FetchOptions::store set, a successful check is
// recorded as a store entry keyed by sha256(InRelease bytes) (plus the
// detached signature's, for Release + Release.gpg) and the KeyringDigest of
// the keys it was checked with; byte-identical bytes and an identical
// keyring later skip librnp, though the text is still split from the bytes
// by the same strict parser, and Date and Valid-Until are checked on every
// run (a cached verification never makes an expired Release acceptable).
// The entry is written only after the check succeeded, atomically, so a
// killed run never leaves one for bytes that were not verified.
#include "debian/repository.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <span>

#include "base/file_util.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "debian/signature.h"

namespace debian {
namespace {

// A StringSink that refuses to grow past `limit` bytes, so a hostile or
// broken server cannot fill memory before the hash check.
class LimitedSink : public base::Sink {
 public:
  explicit LimitedSink(uint64_t limit) : limit_(limit) {}
  base::Result<void> Write(std::span<const uint8_t> bytes) override {
    if (bytes.size() > limit_ - out_.size()) {
      overflow_ = true;
      return base::Fail("response larger than {} bytes", limit_);
    }
    out_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return {};
  }
  uint64_t Capacity() const override { return limit_ - out_.size(); }
  std::string& str() { return out_; }
  bool overflow() const { return overflow_; }

 private:
  uint64_t limit_;
  std::string out_;
  bool overflow_ = false;
};

struct Fetched {
  long status = 0;
  std::string body;
};

// `limit` is the byte count to stop at; over it is the error `over`.
base::Result<Fetched> Get(http::HttpClient& http, const std::string& url, uint64_t limit,
                          const base::Error& over) {
  http::Request req;
  req.url = url;
  LimitedSink sink(limit);
  base::Result<http::Response> resp = http.Do(req, &sink);
  // An error page may be longer than the file it replaces; only a 200
  // body over the limit is a failure.
  if (sink.overflow() && (!resp || resp->status == 200))
    return base::Fail(over.Context("fetching '{}'", url));
  if (!resp) return base::Fail(resp.error().Context("fetching '{}'", url));
  return Fetched{resp->status, std::move(sink.str())};
}

// Like Get, but any status other than 200 is an error.
base::Result<std::string> GetOk(http::HttpClient& http, const std::string& url, uint64_t limit,
                                const base::Error& over) {
  base::Result<Fetched> f = Get(http, url, limit, over);
  if (!f) return base::Fail(f.error());
  if (f->status != 200) return base::Fail("fetching '{}': HTTP {}", url, f->status);
  return std::move(f->body);
}

bool IsFlat(const Source& s) { return !s.suite.empty() && s.suite.back() == '/'; }

// The directory holding InRelease: <uri>/dists/<suite>, or <uri>/<dir> for
// a flat repository ("deb <uri> dir/").
std::string DistsUrl(const Source& s) {
  if (!IsFlat(s)) return s.uri + "/dists/" + s.suite;
  std::string dir = s.suite.substr(0, s.suite.size() - 1);
  return dir.empty() || dir == "." ? s.uri : s.uri + "/" + dir;
}

// "http://deb.debian.org/debian/dists/bookworm" → "deb.debian.org_debian_dists_bookworm":
// one path component, so no URI can escape the cache directory.
std::string EscapeUrl(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  std::string out(url);
  for (char& c : out)
    if (c == '/' || c == '\\') c = '_';
  return out == "." || out == ".." ? "_" + out : out;
}

// The release file(s) as fetched: InRelease alone, or Release + Release.gpg.
struct SignedRelease {
  std::string url;
  std::string bytes;
  std::string signature;  // empty for InRelease
  bool clearsigned() const { return signature.empty(); }
};

// Store entries recording "these Release bytes carry a good signature by
// one of these keys"; the version changes when the rules of a check do.
constexpr std::string_view kVerifiedKind = "verified-releases";

std::string VerifiedKey(const SignedRelease& r, std::string_view keyring_digest) {
  return base::Sha256Hex(fmt::format("verified-release-v1\n{}\n{}\n{}\n", base::Sha256Hex(r.bytes),
                                     base::Sha256Hex(r.signature), keyring_digest));
}

class Fetcher {
 public:
  Fetcher(http::HttpClient& http, const Source& source, const FetchOptions& options)
      : http_(http), source_(source), options_(options), dists_(DistsUrl(source)) {
    if (!options.cache_dir.empty()) {
      cache_root_ = base::JoinPath(options.cache_dir, "indexes");
      release_dir_ = base::JoinPath(cache_root_, EscapeUrl(dists_));
    }
  }

  // The Release, verified and dated, with its indexes planned.
  base::Result<RepositoryIndex> FetchRelease();
  // Fills index.bytes, verified against the Release.
  base::Result<void> FetchIndex(const Release& release, PackagesIndex& index);

 private:
  base::Result<SignedRelease> Download();
  base::Result<SignedRelease> ReadCachedRelease();
  base::Result<std::string> Verify(const SignedRelease& r);
  base::Result<std::string> VerifyWith(const SignedRelease& r, const Keyring& keyring);
  base::Result<void> CacheRelease(const SignedRelease& r);
  base::Result<std::vector<PackagesIndex>> PlanIndexes(const Release& release);
  base::Result<bool> ReadCachedIndex(PackagesIndex& index);
  base::Result<std::string> DownloadIndex(const Release& release, const PackagesIndex& index);
  std::string Display(const std::string& path) const { return dists_ + "/" + path; }
  std::string CachePath(const std::string& name) const {
    return base::JoinPath(release_dir_, name);
  }

  http::HttpClient& http_;
  const Source& source_;
  const FetchOptions& options_;
  std::string dists_;
  std::string cache_root_;
  std::string release_dir_;
};

base::Result<RepositoryIndex> Fetcher::FetchRelease() {
  base::Result<SignedRelease> signed_release = options_.offline ? ReadCachedRelease() : Download();
  if (!signed_release) return base::Fail(signed_release.error());
  base::Result<std::string> text = Verify(*signed_release);
  if (!text) return base::Fail(text.error());
  base::Result<Release> release = ParseRelease(*text, signed_release->url);
  if (!release) return base::Fail(release.error());
  DISTILL_TRY(CheckReleaseDates(*release, options_.now, options_.ignore_valid_until));
  if (!options_.offline && !cache_root_.empty()) DISTILL_TRY(CacheRelease(*signed_release));
  RepositoryIndex out{source_,
                      std::move(*release),
                      signed_release->url,
                      base::Sha256Hex(signed_release->bytes),
                      {}};
  base::Result<std::vector<PackagesIndex>> indexes = PlanIndexes(out.release);
  if (!indexes) return base::Fail(indexes.error());
  out.indexes = std::move(*indexes);
  return out;
}

base::Result<SignedRelease> Fetcher::Download() {
  std::string inrelease = dists_ + "/InRelease";
  const uint64_t max = options_.limits.index_bytes;
  const base::Error over = base::LimitError(options_.limits, "index-bytes", "the response");
  base::Result<Fetched> f = Get(http_, inrelease, max, over);
  if (!f) return base::Fail(f.error());
  if (f->status == 200) return SignedRelease{inrelease, std::move(f->body), ""};
  if (f->status != 404) return base::Fail("fetching '{}': HTTP {}", inrelease, f->status);
  // Older or third-party repositories publish only the detached form.
  SignedRelease r{dists_ + "/Release", "", ""};
  base::Result<std::string> bytes = GetOk(http_, r.url, max, over);
  if (!bytes) return base::Fail(bytes.error());
  base::Result<std::string> sig = GetOk(http_, r.url + ".gpg", max, over);
  if (!sig) return base::Fail(sig.error());
  r.bytes = std::move(*bytes);
  r.signature = std::move(*sig);
  return r;
}

base::Result<SignedRelease> Fetcher::ReadCachedRelease() {
  if (cache_root_.empty()) return base::Fail("offline: no cache directory given");
  if (base::PathExists(CachePath("InRelease"))) {
    base::Result<std::string> bytes = base::ReadFile(CachePath("InRelease"));
    if (!bytes) return base::Fail(bytes.error());
    return SignedRelease{dists_ + "/InRelease", std::move(*bytes), ""};
  }
  if (!base::PathExists(CachePath("Release")) || !base::PathExists(CachePath("Release.gpg")))
    return base::Fail("offline: no cached Release for '{}'", dists_);
  base::Result<std::string> bytes = base::ReadFile(CachePath("Release"));
  if (!bytes) return base::Fail(bytes.error());
  base::Result<std::string> sig = base::ReadFile(CachePath("Release.gpg"));
  if (!sig) return base::Fail(sig.error());
  return SignedRelease{dists_ + "/Release", std::move(*bytes), std::move(*sig)};
}

base::Result<std::string> Fetcher::Verify(const SignedRelease& r) {
  std::optional<std::string> key;
  if (options_.store) {
    base::Result<std::string> digest = KeyringDigest(source_.keyring);
    if (!digest) return base::Fail(digest.error());
    key = VerifiedKey(r, *digest);
    if (options_.store->GetEntry(kVerifiedKind, *key))
      return r.clearsigned() ? ClearsignedText(r.bytes, r.url) : r.bytes;
  }
  std::optional<Keyring> loaded;
  const Keyring* keyring = nullptr;
  if (options_.load_keyring) {
    base::Result<const Keyring*> k = options_.load_keyring(source_.keyring);
    if (!k) return base::Fail(k.error());
    keyring = *k;
  } else {
    base::Result<Keyring> k = Keyring::Load(source_.keyring);
    if (!k) return base::Fail(k.error());
    keyring = &loaded.emplace(std::move(*k));
  }
  base::Result<std::string> text = VerifyWith(r, *keyring);
  if (!text) return base::Fail(text.error());
  // Keyed by the keys actually loaded: had the keyring file changed since
  // the lookup, this records the truth and the lookup simply missed.
  if (options_.store)
    DISTILL_TRY(
        options_.store->PutEntry(kVerifiedKind, VerifiedKey(r, keyring->digest()), r.url + "\n"));
  return text;
}

base::Result<std::string> Fetcher::VerifyWith(const SignedRelease& r, const Keyring& keyring) {
  if (r.clearsigned()) return VerifyClearsigned(r.bytes, keyring, r.url);
  DISTILL_TRY(VerifyDetached(r.bytes, r.signature, keyring, r.url));
  return r.bytes;
}

base::Result<void> Fetcher::CacheRelease(const SignedRelease& r) {
  // A warm run fetches the same InRelease again: rewriting (and fsyncing)
  // identical bytes would be the only disk write of the whole run.
  if (r.clearsigned() && !base::PathExists(CachePath("Release")) &&
      !base::PathExists(CachePath("Release.gpg"))) {
    base::Result<std::string> old = base::ReadFile(CachePath("InRelease"));
    if (old && *old == r.bytes) return {};
  }
  DISTILL_TRY(base::MakeDirs(release_dir_));
  // Keep only the form we just verified, so an offline run reads the same.
  std::error_code ec;
  for (const char* stale : {"InRelease", "Release", "Release.gpg"})
    std::filesystem::remove(CachePath(stale), ec);
  if (r.clearsigned()) return base::WriteFileAtomic(CachePath("InRelease"), r.bytes);
  DISTILL_TRY(base::WriteFileAtomic(CachePath("Release.gpg"), r.signature));
  return base::WriteFileAtomic(CachePath("Release"), r.bytes);
}

// Picks Packages.xz, else Packages.gz, under `dir` ("" or "main/binary-amd64/").
const std::pair<const std::string, FileHash>* ChooseIndex(const Release& release,
                                                          const std::string& dir,
                                                          Compression& compression) {
  auto it = release.sha256.find(dir + "Packages.xz");
  compression = Compression::kXz;
  if (it != release.sha256.end()) return &*it;
  it = release.sha256.find(dir + "Packages.gz");
  compression = Compression::kGz;
  return it == release.sha256.end() ? nullptr : &*it;
}

bool ListsAll(const Release& release) {
  return release.architectures.empty() ||
         std::find(release.architectures.begin(), release.architectures.end(), "all") !=
             release.architectures.end();
}

base::Result<std::vector<PackagesIndex>> Fetcher::PlanIndexes(const Release& release) {
  std::vector<PackagesIndex> out;
  auto add = [&](const std::string& comp, const std::string& arch, bool required) {
    std::string dir = IsFlat(source_) ? "" : comp + "/binary-" + arch + "/";
    PackagesIndex index{comp, arch, "", "", "", 0, Compression::kXz, ""};
    const auto* entry = ChooseIndex(release, dir, index.compression);
    if (!entry && required)
      return base::Result<void>(
          base::Fail("'{}': no .xz or .gz index in Release", Display(dir + "Packages")));
    if (entry) {
      index.path = entry->first;
      index.url = Display(index.path);
      index.sha256 = entry->second.sha256;
      index.size = entry->second.size;
      out.push_back(std::move(index));
    }
    return base::Result<void>();
  };
  if (IsFlat(source_)) {
    DISTILL_TRY(add("", "", true));
    return out;
  }
  std::vector<std::string> archs;
  for (const std::string& a : options_.architectures)
    if (source_.architectures.empty() ||
        std::find(source_.architectures.begin(), source_.architectures.end(), a) !=
            source_.architectures.end())
      archs.push_back(a);
  for (const std::string& comp : source_.components) {
    for (const std::string& arch : archs) DISTILL_TRY(add(comp, arch, true));
    // Without No-Support-for-Architecture-all, arch:all packages may live
    // only in binary-all (formats.md D2) — but, as apt decides, only when
    // the Release's Architectures lists "all" (or is absent). Debian's
    // security suite lists binary-all files without "all" and without
    // by-hash copies; apt never fetches them, and mirrors serve them stale.
    if (!release.all_in_arch_indexes && !archs.empty() && ListsAll(release))
      DISTILL_TRY(add(comp, "all", false));
  }
  return out;
}

base::Result<void> Fetcher::FetchIndex(const Release& release, PackagesIndex& index) {
  uint64_t size = index.size;
  base::Result<bool> cached = ReadCachedIndex(index);
  if (!cached) return base::Fail(cached.error());
  if (*cached) return {};
  if (options_.offline) return base::Fail("offline: '{}' is not in the cache", Display(index.path));
  base::Result<std::string> bytes = DownloadIndex(release, index);
  if (!bytes) return base::Fail(bytes.error());
  if (bytes->size() != size)
    return base::Fail("'{}': size mismatch (Release says {}, got {})", Display(index.path), size,
                      bytes->size());
  std::string got = base::Sha256Hex(*bytes);
  if (got != index.sha256)
    return base::Fail("'{}': sha256 mismatch (Release says {}, got {})", Display(index.path),
                      index.sha256, got);
  index.bytes = std::move(*bytes);
  if (cache_root_.empty()) return {};
  DISTILL_TRY(base::MakeDirs(base::JoinPath(cache_root_, "by-hash")));
  return base::WriteFileAtomic(base::JoinPath(cache_root_, "by-hash/" + index.sha256), index.bytes);
}

// Fills `index.bytes` from the cache when a file with the right content is
// there; a damaged cache entry is ignored (and later overwritten).
base::Result<bool> Fetcher::ReadCachedIndex(PackagesIndex& index) {
  if (cache_root_.empty()) return false;
  std::string path = base::JoinPath(cache_root_, "by-hash/" + index.sha256);
  if (!base::PathExists(path)) return false;
  base::Result<std::string> bytes = base::ReadFile(path);
  if (!bytes) return base::Fail(bytes.error());
  if (bytes->size() != index.size || base::Sha256Hex(*bytes) != index.sha256) return false;
  index.bytes = std::move(*bytes);
  return true;
}

base::Result<std::string> Fetcher::DownloadIndex(const Release& release,
                                                 const PackagesIndex& index) {
  // Read little past the promised size (the Release is the authority), but
  // enough that a short index never truncates an error page.
  if (index.size > options_.limits.index_bytes)
    return base::Fail(base::LimitError(
        options_.limits, "index-bytes",
        fmt::format("'{}' ({} bytes, as the Release says)", Display(index.path), index.size)));
  uint64_t limit = std::max<uint64_t>(index.size, 64 << 10);
  const base::Error over("the response is larger than the Release says ({} bytes)", index.size);
  if (release.acquire_by_hash) {
    std::string dir = base::DirName(index.path);
    std::string by_hash = Display((dir == "." ? "" : dir + "/") + "by-hash/SHA256/" + index.sha256);
    base::Result<Fetched> f = Get(http_, by_hash, limit, over);
    if (!f) return base::Fail(f.error());
    if (f->status == 200) return std::move(f->body);
    // A mirror may lag behind the by-hash promise; apt falls back too.
    if (f->status != 404) return base::Fail("fetching '{}': HTTP {}", by_hash, f->status);
  }
  return GetOk(http_, index.url, limit, over);
}

}  // namespace

base::Result<RepositoryIndex> FetchRepository(http::HttpClient& http, const Source& source,
                                              const FetchOptions& options) {
  Fetcher fetcher(http, source, options);
  base::Result<RepositoryIndex> repo = fetcher.FetchRelease();
  if (!repo) return base::Fail(repo.error());
  for (PackagesIndex& index : repo->indexes) DISTILL_TRY(fetcher.FetchIndex(repo->release, index));
  return repo;
}

base::Result<RepositoryIndex> FetchRelease(http::HttpClient& http, const Source& source,
                                           const FetchOptions& options) {
  return Fetcher(http, source, options).FetchRelease();
}

base::Result<void> FetchIndex(http::HttpClient& http, const RepositoryIndex& repo,
                              PackagesIndex& index, const FetchOptions& options) {
  return Fetcher(http, repo.source, options).FetchIndex(repo.release, index);
}

}  // namespace debian
