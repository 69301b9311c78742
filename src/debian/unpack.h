// Unpacking a .deb into a filesystem tree whose file contents live in the
// content-addressed cache, once per .deb.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/limits.h"
#include "cache/store.h"
#include "fs/tree.h"

namespace debian {

struct UnpackOptions {
  // Rewrite bin/ sbin/ lib*/ to usr/… and drop those top-level directory
  // entries (trixie and later; formats.md F2).
  bool merged_usr = false;
  // Apply the slimming rules of debian/slim.h.
  bool slim = true;
  // Add var/lib/dpkg/status.d/<pkg> and <pkg>.md5sums (distroless.md 1.4).
  bool status_d = true;
  // The packages unpacked before this one, merged; an entry written through
  // a symlink there is an error as it is within the package. May be null.
  const fs::Tree* below = nullptr;
  // How errors name the .deb ("libc6_2.36-9_amd64.deb"); empty: the file
  // name of the path given, which in the cache is only a digest.
  std::string name;
  // Bounds on the data.tar (archive/tar_reader.h SetLimits).
  base::Limits limits;
};

struct UnpackedDeb {
  std::string package;  // the control fields Package, Version, Architecture
  std::string version;
  std::string architecture;
  std::string control;                             // ./control, verbatim
  std::string md5sums;                             // ./md5sums, verbatim ("" when absent)
  std::vector<std::string> scripts;                // maintainer scripts present, as DebControl
  std::map<std::string, std::string> script_text;  // script name → its text
  std::vector<std::string> conffiles;              // absolute paths from ./conffiles
  // The package's files (after the merged-/usr rewrite and slimming, with
  // status.d); regular files are Content::Disk(<blob in the store>).
  fs::Tree tree;
  uint64_t installed_bytes = 0;  // regular-file bytes in data.tar
  uint64_t slimmed_bytes = 0;    // of those, the bytes slimming removed
  bool from_cache = false;       // true when data.tar was not read again
};

// Unpacks the .deb at `deb_path`, whose SHA-256 (verified by the caller when
// it was fetched) is `deb_sha256`. data.tar is read once: each distinct file
// content becomes one blob in `store`, and the list of entries is kept at
// <store root>/unpacked/<deb_sha256>.json, so a later call with the same
// digest reads neither the .deb nor data.tar. Errors name the .deb
// (options.name) and the entry: "'evil_1.0_amd64.deb': entry
// '../../etc/passwd' escapes the root"; likewise for an entry written through
// a symlink (of this package, or of a package below that it ships only as a
// directory), a device node outside dev/, a hardlink to anything but an
// earlier file, a truncated .deb or a data.tar compression dpkg does not
// know. Nothing is cached for a .deb that cannot be read; blobs stored before
// the fault are whole.
base::Result<UnpackedDeb> UnpackDeb(cache::Store& store, const std::string& deb_path,
                                    const std::string& deb_sha256, const UnpackOptions& options);

}  // namespace debian
