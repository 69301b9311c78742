// Package sources: where Debian indexes come from. By default these are the
// host's apt sources (sources.list(5): the one-line format and the deb822
// .sources format); a spec's `debian:` block replaces them (docs/design.md,
// "The spec"; formats.md D1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace debian {

// The keyring used when neither the host nor the spec names one.
inline constexpr std::string_view kDefaultKeyring =
    "/usr/share/keyrings/debian-archive-keyring.gpg";

// One `deb <uri> <suite> <components…>` line, with one suite. A suite ending
// in '/' is a flat repository (its components are empty).
struct Source {
  std::string uri;  // without a trailing '/'
  std::string suite;
  std::vector<std::string> components;
  // A keyring path, or inline ASCII-armored key text (deb822 Signed-By).
  std::string keyring;
  // Empty: every architecture the caller asks for.
  std::vector<std::string> architectures;

  bool operator==(const Source&) const = default;
};

// The spec's `debian:` block; empty members keep the host's values.
struct SourceOverride {
  std::string mirror;
  std::string suite;
  std::vector<std::string> components;
  std::string keyring;
};

// Parses one-line sources.list text; `name` names the file in errors
// ("<name>:<line>: ..."). deb-src lines are skipped; a missing keyring
// becomes kDefaultKeyring.
base::Result<std::vector<Source>> ParseSourcesList(std::string_view text, std::string_view name);

// Parses deb822 .sources text: one Source per URI × suite of every enabled
// stanza whose Types include "deb".
base::Result<std::vector<Source>> ParseDeb822Sources(std::string_view text, std::string_view name);

// Reads <root>/etc/apt/sources.list and <root>/etc/apt/sources.list.d/*.list
// and *.sources (in name order, as apt does; other suffixes are ignored).
// Keyring paths are kept as written, not prefixed with `root`.
base::Result<std::vector<Source>> ReadHostSources(const std::string& root = "/");

// Applies the spec's override to the host sources:
//  - nothing set: the host sources unchanged;
//  - mirror set: that one mirror with the given (else the host's) suite;
//  - suite set without mirror: the host's URI for its own suite, plus
//    <suite>-updates and <suite>-security at the URIs the host uses for its
//    own -updates and -security, when it has them;
//  - components / keyring set: they replace the host's everywhere.
// Fails when the host has no source to take a suite or mirror from.
base::Result<std::vector<Source>> ApplyOverride(const std::vector<Source>& host,
                                                const SourceOverride& spec);

}  // namespace debian
