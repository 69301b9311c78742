// distill.lock: JSON, one object per platform, written atomically. Keys are
// sorted (nlohmann::json's default std::map) and lists keep a fixed order
// (packages by name, releases in source order), so the same resolution
// always gives the same bytes and a lock diff in review shows only what
// moved. The Release URL, hash and Date record which signed snapshot of
// the archive vouched for the packages (issue 3, item 7).
//
// --locked does not trust the lock instead of the archive: it resolves
// again and compares, so a lock can never smuggle in a package the signed
// indexes do not list with that exact hash.
#include "resolve/lock.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "base/file_util.h"

namespace build {
namespace {

using nlohmann::json;

constexpr int kLockVersion = 1;

json PackageJson(const LockedPackage& p) {
  return {{"name", p.name},     {"version", p.version}, {"architecture", p.architecture},
          {"sha256", p.sha256}, {"size", p.size},       {"filename", p.filename},
          {"suite", p.suite}};
}

json ReleaseJson(const ReleaseUsed& r) {
  return {{"suite", r.suite}, {"url", r.url}, {"sha256", r.sha256}, {"date", r.date}};
}

// json's own accessors throw on a type mismatch; these turn that into the
// "'<lock>': <field> ..." errors that ParseLock promises.
struct Reader {
  std::string_view name;
  base::Error Bad(std::string_view what) const { return base::Error("'{}': {}", name, what); }
  base::Result<std::string> Str(const json& o, const char* key) const {
    auto it = o.find(key);
    if (it == o.end() || !it->is_string())
      return base::Fail(Bad(fmt::format("'{}' must be a string", key)));
    return it->get<std::string>();
  }
  base::Result<const json*> Array(const json& o, const char* key) const {
    auto it = o.find(key);
    if (it == o.end() || !it->is_array())
      return base::Fail(Bad(fmt::format("'{}' must be a list", key)));
    return &*it;
  }
};

base::Result<LockedPackage> ParsePackage(const Reader& r, const json& o) {
  if (!o.is_object()) return base::Fail(r.Bad("a package must be an object"));
  LockedPackage p;
  std::pair<const char*, std::string*> fields[] = {
      {"name", &p.name},     {"version", &p.version},   {"architecture", &p.architecture},
      {"sha256", &p.sha256}, {"filename", &p.filename}, {"suite", &p.suite}};
  for (auto& [key, dst] : fields) {
    base::Result<std::string> v = r.Str(o, key);
    if (!v) return base::Fail(v.error());
    *dst = std::move(*v);
  }
  auto size = o.find("size");
  if (size == o.end() || !size->is_number_unsigned())
    return base::Fail(r.Bad("'size' must be a number"));
  p.size = size->get<uint64_t>();
  return p;
}

base::Result<ReleaseUsed> ParseRelease(const Reader& r, const json& o) {
  if (!o.is_object()) return base::Fail(r.Bad("a release must be an object"));
  ReleaseUsed out;
  std::pair<const char*, std::string*> fields[] = {
      {"suite", &out.suite}, {"url", &out.url}, {"sha256", &out.sha256}, {"date", &out.date}};
  for (auto& [key, dst] : fields) {
    base::Result<std::string> v = r.Str(o, key);
    if (!v) return base::Fail(v.error());
    *dst = std::move(*v);
  }
  return out;
}

base::Result<LockedPlatform> ParsePlatform(const Reader& r, const std::string& platform,
                                           const json& o) {
  if (!o.is_object()) return base::Fail(r.Bad(fmt::format("'{}' must be an object", platform)));
  LockedPlatform out;
  out.platform = platform;
  base::Result<std::string> arch = r.Str(o, "architecture");
  if (!arch) return base::Fail(arch.error());
  out.architecture = *arch;
  base::Result<const json*> requests = r.Array(o, "requests");
  base::Result<const json*> releases = r.Array(o, "releases");
  base::Result<const json*> packages = r.Array(o, "packages");
  for (auto* a : {&requests, &releases, &packages})
    if (!*a) return base::Fail(a->error());
  for (const json& q : **requests) {
    if (!q.is_string()) return base::Fail(r.Bad("'requests' must hold strings"));
    out.requests.push_back(q.get<std::string>());
  }
  for (const json& rel : **releases) {
    base::Result<ReleaseUsed> x = ParseRelease(r, rel);
    if (!x) return base::Fail(x.error());
    out.releases.push_back(std::move(*x));
  }
  for (const json& p : **packages) {
    base::Result<LockedPackage> x = ParsePackage(r, p);
    if (!x) return base::Fail(x.error());
    out.packages.push_back(std::move(*x));
  }
  return out;
}

// The first difference between the lock's packages and the resolution's,
// both sorted by name, as "'<name>' ..." text.
std::string FirstDifference(const std::vector<LockedPackage>& locked,
                            const std::vector<LockedPackage>& now) {
  size_t i = 0, j = 0;
  while (i < locked.size() || j < now.size()) {
    if (j == now.size() || (i < locked.size() && locked[i].name < now[j].name))
      return fmt::format("the lock has '{}' {}, which is no longer needed", locked[i].name,
                         locked[i].version);
    if (i == locked.size() || now[j].name < locked[i].name)
      return fmt::format("'{}' {} is needed now, the lock does not have it", now[j].name,
                         now[j].version);
    const LockedPackage& a = locked[i++];
    const LockedPackage& b = now[j++];
    if (a.version != b.version)
      return fmt::format("'{}' is {} now, the lock has {}", b.name, b.version, a.version);
    if (a.architecture != b.architecture)
      return fmt::format("'{}' is {} now, the lock has {}", b.name, b.architecture, a.architecture);
    if (a.sha256 != b.sha256 || a.size != b.size || a.filename != b.filename)
      return fmt::format("'{}' {} has sha256 {} now, the lock has {}", b.name, b.version, b.sha256,
                         a.sha256);
    if (a.suite != b.suite)
      return fmt::format("'{}' {} comes from '{}' now, the lock has '{}'", b.name, b.version,
                         b.suite, a.suite);
  }
  return "";
}

}  // namespace

std::string LockPath(const std::string& spec_path) {
  std::string dir = base::DirName(spec_path);
  return dir == "." ? "distill.lock" : base::JoinPath(dir, "distill.lock");
}

LockedPlatform LockEntry(const std::string& platform, const PackageSet& set) {
  LockedPlatform out{platform, set.architecture, set.requests, set.releases, {}};
  for (const ResolvedPackage& p : set.packages)
    out.packages.push_back(
        {p.name, p.version, p.architecture, p.sha256, p.size, p.filename, p.suite});
  return out;
}

std::string LockToJson(const LockFile& lock) {
  json platforms = json::object();
  for (const LockedPlatform& p : lock.platforms) {
    json packages = json::array(), releases = json::array();
    for (const LockedPackage& pkg : p.packages) packages.push_back(PackageJson(pkg));
    for (const ReleaseUsed& r : p.releases) releases.push_back(ReleaseJson(r));
    platforms[p.platform] = {{"architecture", p.architecture},
                             {"requests", p.requests},
                             {"releases", releases},
                             {"packages", packages}};
  }
  json j = {{"lockVersion", kLockVersion}, {"platforms", platforms}};
  return j.dump(2) + "\n";
}

base::Result<LockFile> ParseLock(std::string_view text, std::string_view name) {
  Reader r{name};
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return base::Fail(r.Bad("not a JSON object"));
  auto version = j.find("lockVersion");
  if (version == j.end() || !version->is_number_integer() || *version != kLockVersion)
    return base::Fail(r.Bad(fmt::format("unsupported lock version (expected {})", kLockVersion)));
  auto platforms = j.find("platforms");
  if (platforms == j.end() || !platforms->is_object())
    return base::Fail(r.Bad("'platforms' must be an object"));
  LockFile out;
  for (const auto& [platform, entry] : platforms->items()) {
    base::Result<LockedPlatform> p = ParsePlatform(r, platform, entry);
    if (!p) return base::Fail(p.error());
    out.platforms.push_back(std::move(*p));
  }
  return out;
}

base::Result<LockFile> ReadLock(const std::string& path) {
  if (!base::PathExists(path)) return base::Fail("'{}' does not exist (run 'distill lock')", path);
  base::Result<std::string> text = base::ReadFile(path);
  if (!text) return base::Fail(text.error());
  return ParseLock(*text, path);
}

base::Result<void> WriteLock(const std::string& path, const LockFile& lock) {
  return base::WriteFileAtomic(path, LockToJson(lock));
}

const LockedPlatform* FindPlatform(const LockFile& lock, std::string_view arch) {
  for (const LockedPlatform& p : lock.platforms)
    if (p.architecture == arch) return &p;
  return nullptr;
}

base::Result<void> CheckLocked(const LockedPlatform& locked, const PackageSet& set,
                               std::string_view lock_name) {
  LockedPlatform now = LockEntry(locked.platform, set);
  std::string diff = FirstDifference(locked.packages, now.packages);
  if (diff.empty() && locked.requests != now.requests)
    diff = fmt::format("the spec asks for '{}', the lock was made for '{}'",
                       fmt::join(now.requests, ", "), fmt::join(locked.requests, ", "));
  if (diff.empty()) return {};
  return base::Fail("'{}' no longer matches the spec: {} (run 'distill lock')", lock_name, diff);
}

}  // namespace build
