// Release: a suite's signed table of contents (formats.md D2): its identity,
// dates, and the SHA256 and size of every index file under dists/<suite>/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace debian {

struct FileHash {
  std::string sha256;  // 64 lowercase hex
  uint64_t size = 0;
  bool operator==(const FileHash&) const = default;
};

struct Release {
  std::string origin;
  std::string label;
  std::string suite;
  std::string codename;
  std::string version;
  std::string date_text;  // as written, e.g. "Sat, 11 Jul 2026 10:16:37 UTC"
  int64_t date = 0;       // Unix seconds; 0 when the Release has no Date
  std::string valid_until_text;
  std::optional<int64_t> valid_until;
  bool acquire_by_hash = false;
  std::vector<std::string> architectures;
  // "updates/main" style entries reduced to the part after the last '/'.
  std::vector<std::string> components;
  // No-Support-for-Architecture-all: Packages — arch:all packages are listed
  // in every binary-<arch>/Packages, so binary-all is not needed.
  bool all_in_arch_indexes = false;
  // Default pin: 500; NotAutomatic → 1; NotAutomatic + ButAutomaticUpgrades → 100.
  int pin = 500;
  // Path relative to dists/<suite>/ → its SHA256 and size.
  std::map<std::string, FileHash> sha256;

  // Codename if known, else Suite: how messages name the suite.
  const std::string& name() const { return codename.empty() ? suite : codename; }
};

// Parses verified Release text (its first stanza). Errors name `name`:
// a malformed Date/Valid-Until, a bad SHA256 line, no SHA256 list.
base::Result<Release> ParseRelease(std::string_view text, std::string_view name);

// Parses an RFC 1123 date in UTC ("Sat, 11 Jul 2026 10:16:37 UTC"; zone
// UTC, GMT, Z or +0000) into Unix seconds.
base::Result<int64_t> ParseReleaseDate(std::string_view text);

// Checks a Release's dates against `now` (Unix seconds) as apt does: fails
// with "'<suite>' Release expired on <date>" when Valid-Until has passed
// (unless `ignore_valid_until`, for snapshot archives), and when Date is more
// than 10 s in the future (Acquire::Max-FutureTime).
base::Result<void> CheckReleaseDates(const Release& release, int64_t now, bool ignore_valid_until);

}  // namespace debian
