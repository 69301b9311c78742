// The lock file, distill.lock beside the spec: per platform, the exact
// packages a spec resolved to and the Release files that vouched for them,
// so `distill build --locked` reproduces a build or says what moved.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "resolve/packages.h"

namespace build {

struct LockedPackage {
  std::string name;
  std::string version;
  std::string architecture;
  std::string sha256;
  uint64_t size = 0;
  std::string filename;
  std::string suite;
  bool operator==(const LockedPackage&) const = default;
};

struct LockedPlatform {
  std::string platform;               // "linux/amd64"
  std::string architecture;           // "amd64"
  std::vector<std::string> requests;  // the spec's packages when locked
  std::vector<ReleaseUsed> releases;
  std::vector<LockedPackage> packages;  // sorted by name
  bool operator==(const LockedPlatform&) const = default;
};

struct LockFile {
  std::vector<LockedPlatform> platforms;  // sorted by platform
  bool operator==(const LockFile&) const = default;
};

// "<spec's directory>/distill.lock", or "distill.lock" for a spec in the
// current directory.
std::string LockPath(const std::string& spec_path);

// The lock entry for `set`, resolved for `platform`.
LockedPlatform LockEntry(const std::string& platform, const PackageSet& set);

// JSON with a fixed key order (keys sorted) and a final newline: the same
// lock gives the same bytes.
std::string LockToJson(const LockFile& lock);
// Parses LockToJson's output. Errors: "'<name>': <what>" for invalid JSON
// or a missing or mistyped field.
base::Result<LockFile> ParseLock(std::string_view text, std::string_view name);
// Reads and parses the lock at `path`; a missing file is
// "'<path>' does not exist (run 'distill lock')".
base::Result<LockFile> ReadLock(const std::string& path);
// Writes `lock` to `path` atomically (temp file + rename).
base::Result<void> WriteLock(const std::string& path, const LockFile& lock);

// The entry of `lock` for Debian architecture `arch`, or null.
const LockedPlatform* FindPlatform(const LockFile& lock, std::string_view arch);

// Fails when `set` differs from `locked`, naming the first differing
// package in name order, e.g.
//   'distill.lock' no longer matches the spec: 'libpq5' is 15.9-0+deb12u1
//   now, the lock has 15.8-0+deb12u1 (run 'distill lock')
// `lock_name` is how the message names the lock file.
base::Result<void> CheckLocked(const LockedPlatform& locked, const PackageSet& set,
                               std::string_view lock_name);

}  // namespace build
