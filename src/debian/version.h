// Debian package versions: parsing and ordering exactly as dpkg does
// (lib/dpkg/version.c, lib/dpkg/parsehelp.c; Debian Policy §5.6.12;
// formats.md E).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace debian {

// A parsed version "[epoch:]upstream[-revision]".
struct Version {
  uint32_t epoch = 0;
  std::string upstream;
  std::string revision;  // "" when the version has no '-'

  // The canonical spelling: the epoch only when non-zero, the revision only
  // when non-empty.
  std::string ToString() const;
  bool operator==(const Version&) const = default;
};

// Parses `text` with dpkg's validity rules (surrounding blanks are trimmed).
// Errors read "invalid version '<text>': <reason>", e.g. an embedded space,
// a non-numeric epoch, an empty upstream or revision, a character outside
// [A-Za-z0-9.+~] (plus ':' and '-' in the upstream part). An upstream part
// not starting with a digit is only a warning for dpkg, so it is accepted.
base::Result<Version> ParseVersion(std::string_view text);

// Orders two version strings as dpkg's verrevcmp does: epochs numerically,
// then upstream, then revision. Returns <0, 0 or >0. Never fails: strings
// that ParseVersion would reject are compared by the same splitting rules.
int CompareVersions(std::string_view a, std::string_view b);
int CompareVersions(const Version& a, const Version& b);

}  // namespace debian
