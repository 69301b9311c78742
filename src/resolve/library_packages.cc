// Contents lookups for the run-check (formats.md D6; the Debian repository
// format, "Contents indices"). A suite publishes
// dists/<suite>/<component>/Contents-<arch>.gz (older suites: directly in
// dists/<suite>/), listed with its SHA256 in the Release, whose signature the
// package pass has already verified: so the index is trusted exactly as a
// Packages index is, by hash. It is 11 MB of gzip and 148 MB of text for
// bookworm main amd64, which is why it is fetched only when a check fails
// or `packages: auto` asks, kept in the content-addressed cache under that
// hash (a second lookup downloads nothing; a new Release names a new hash),
// and streamed: only the lines under library directories, or the paths
// asked for, are even split. Contents-all is not read: arch:all packages do
// not ship ELF libraries in the loader's directories, and it is 520 MB.
#include "resolve/library_packages.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <optional>
#include <set>

#include "analyze/contents.h"
#include "analyze/library_search.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "http/downloader.h"
#include "resolve/packages.h"

namespace build {
namespace {

constexpr size_t kChunk = 1 << 20;

// One Contents file a Release vouches for.
struct ContentsFile {
  std::string path;  // relative to dists/<suite>/, e.g. "main/Contents-amd64.gz"
  std::string url;
  std::string by_hash_url;  // "" unless the Release says Acquire-By-Hash
  debian::FileHash hash;
};

std::vector<ContentsFile> ContentsFiles(const debian::RepositoryIndex& repo,
                                        const std::string& arch) {
  std::string dists = base::DirName(repo.release_url);
  std::vector<std::string> candidates;
  for (const std::string& comp : repo.source.components)
    candidates.push_back(comp + "/Contents-" + arch + ".gz");
  // Suites before the per-component layout kept one index for all of them.
  candidates.push_back("Contents-" + arch + ".gz");
  std::vector<ContentsFile> out;
  for (const std::string& path : candidates) {
    auto it = repo.release.sha256.find(path);
    if (it == repo.release.sha256.end()) continue;
    ContentsFile f{path, dists + "/" + path, "", it->second};
    if (repo.release.acquire_by_hash) {
      std::string dir = base::DirName(path);
      f.by_hash_url =
          dists + "/" + (dir == "." ? "" : dir + "/") + "by-hash/SHA256/" + f.hash.sha256;
    }
    out.push_back(std::move(f));
  }
  // The per-component files make the top-level one redundant.
  if (out.size() > 1 && out.back().path.find('/') == std::string::npos) out.pop_back();
  return out;
}

// Makes `file` present in the cache: through by-hash first (it cannot
// change while the mirror updates), then by name, as apt falls back.
base::Result<std::string> FetchContents(BuildContext& ctx, const ContentsFile& file) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  if ((*store)->Has(file.hash.sha256)) return (*store)->Path(file.hash.sha256);
  if (ctx.options().offline) return base::Fail("offline: '{}' is not in the cache", file.url);
  ctx.reporter().Status(
      fmt::format("fetching '{}' ({})", file.url, base::HumanBytes(file.hash.size)));
  http::DownloadOptions opts;
  opts.progress = ctx.progress();
  opts.retry.operation_seconds = ctx.options().limits.operation_seconds;
  base::Result<void> got = base::Fail("no url");
  for (const std::string& url : {file.by_hash_url, file.url}) {
    if (url.empty()) continue;
    got = http::Download(ctx.http(), **store, {{url, file.hash.sha256, file.hash.size, file.url}},
                         opts);
    if (got) break;
  }
  if (!got) return base::Fail(got.error());
  return (*store)->Path(file.hash.sha256);
}

}  // namespace

base::Result<void> StreamGunzipFile(const std::string& path, std::string_view name,
                                    base::Sink& sink) {
  base::UniqueFile file(fopen(path.c_str(), "rb"));
  if (!file) return base::Fail("opening '{}': {}", path, base::ErrnoText());
  std::string in(kChunk, '\0'), out(kChunk, '\0');
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return base::Fail("'{}': cannot start zlib", name);
  struct Ender {
    z_stream* s;
    ~Ender() { inflateEnd(s); }
  } ender{&s};
  bool first = true, gzip = true, ended = false;
  for (;;) {
    size_t n = fread(in.data(), 1, in.size(), file.get());
    if (n == 0) {
      if (ferror(file.get())) return base::Fail("reading '{}': {}", path, base::ErrnoText());
      break;
    }
    if (first) {
      gzip = n >= 2 && static_cast<uint8_t>(in[0]) == 0x1f && static_cast<uint8_t>(in[1]) == 0x8b;
      first = false;
    }
    if (!gzip) {
      DISTILL_TRY(sink.Write(std::string_view(in.data(), n)));
      continue;
    }
    s.next_in = reinterpret_cast<Bytef*>(in.data());
    s.avail_in = static_cast<uInt>(n);
    while (s.avail_in > 0) {
      if (ended) {
        // Another member follows (gzip allows concatenation).
        if (inflateReset(&s) != Z_OK) return base::Fail("'{}': cannot restart zlib", name);
        ended = false;
      }
      s.next_out = reinterpret_cast<Bytef*>(out.data());
      s.avail_out = static_cast<uInt>(out.size());
      int r = inflate(&s, Z_NO_FLUSH);
      if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
        return base::Fail("'{}': corrupt gzip data", name);
      DISTILL_TRY(sink.Write(std::string_view(out.data(), out.size() - s.avail_out)));
      if (r == Z_STREAM_END) ended = true;
      if (r == Z_BUF_ERROR && s.avail_out == out.size()) break;
    }
  }
  // Drain what zlib still holds once the input is exhausted.
  while (gzip && !first && !ended) {
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    int r = inflate(&s, Z_FINISH);
    DISTILL_TRY(sink.Write(std::string_view(out.data(), out.size() - s.avail_out)));
    if (r == Z_STREAM_END)
      ended = true;
    else if (s.avail_out == out.size())
      return base::Fail("'{}': truncated gzip data", name);
  }
  return sink.Close();
}

base::Result<Shipping> FindShippingPackages(Resolver& r, const Spec& spec,
                                            const std::string& debian_arch,
                                            const ShippingQuery& query) {
  BuildContext& ctx = r.ctx();
  base::Result<analyze::LoaderArch> arch = analyze::LoaderArchFor(debian_arch);
  if (!arch) return base::Fail(arch.error());
  base::Result<std::vector<debian::RepositoryIndex>> repos = SpecRepositories(r, spec, debian_arch);
  if (!repos) return base::Fail(repos.error());
  Shipping out;
  for (const debian::RepositoryIndex& repo : *repos) {
    if (out.suite.empty()) out.suite = repo.release.name();
    for (const ContentsFile& file : ContentsFiles(repo, debian_arch)) {
      base::Result<std::string> blob = FetchContents(ctx, file);
      if (!blob) return base::Fail(blob.error());
      ctx.reporter().Status(
          fmt::format("looking up {} in '{}'",
                      query.libraries.size() + query.paths.size() == 1
                          ? "1 file"
                          : fmt::format("{} files", query.libraries.size() + query.paths.size()),
                      file.path));
      // Each file is a fresh stream: a last line without a newline must
      // not run into the next file's first.
      analyze::ContentsLookup one(query.libraries, arch->triplet);
      for (const std::string& p : query.paths) one.AddPath(p);
      DISTILL_TRY(StreamGunzipFile(*blob, file.url, one));
      for (const std::string& name : query.libraries)
        for (const std::string& pkg : one.PackagesFor(name)) {
          std::vector<std::string>& v = out.libraries[name];
          if (std::find(v.begin(), v.end(), pkg) == v.end()) v.push_back(pkg);
        }
      for (const std::string& path : query.paths)
        for (const std::string& pkg : one.PackagesForPath(path)) {
          std::vector<std::string>& v = out.paths[path];
          if (std::find(v.begin(), v.end(), pkg) == v.end()) v.push_back(pkg);
        }
    }
  }
  for (const std::string& name : query.libraries)
    std::sort(out.libraries[name].begin(), out.libraries[name].end());
  for (const std::string& path : query.paths)
    std::sort(out.paths[path].begin(), out.paths[path].end());
  return out;
}

}  // namespace build
