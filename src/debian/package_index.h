// PackageIndex: one or more Packages indexes of a Debian repository held in
// memory, with interned names and lookups by name and by provided name
// (formats.md D3).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace debian {

// Where an index came from. The pin priority follows apt_preferences(5):
// 500 by default, 1 for NotAutomatic suites, 100 for ButAutomaticUpgrades.
struct IndexOrigin {
  std::string suite;      // e.g. "bookworm-security"
  std::string component;  // e.g. "main"
  int pin_priority = 500;
  std::string source_id;  // opaque to this module; recorded in the lock file
};

enum class MultiArch { kNo, kSame, kForeign, kAllowed };

// Dense handles: a package (one stanza) and an interned name.
using PackageId = uint32_t;
using NameId = uint32_t;

// One stanza of a Packages index. The string_views point into the index
// text, which the PackageIndex owns; relationship fields are kept raw (parse
// them with ParseRelations when needed) and may contain folded newlines.
struct Package {
  NameId name = 0;
  uint32_t origin = 0;  // index into PackageIndex::origin()
  std::string_view version;
  std::string_view architecture;
  MultiArch multi_arch = MultiArch::kNo;
  bool essential = false;
  std::string_view priority;
  std::string_view section;
  std::string_view source;  // "" when the binary and source names agree
  std::string_view filename;
  std::string_view sha256;
  uint64_t size = 0;
  uint64_t installed_size = 0;  // KiB; 0 when absent
  std::string_view depends;
  std::string_view pre_depends;
  std::string_view provides;
  std::string_view breaks;
  std::string_view conflicts;
  std::string_view stanza;  // the raw stanza, without its final newline
};

// A package that provides a name, with the version it provides ("" for an
// unversioned Provides, which never satisfies a versioned dependency).
struct Provider {
  PackageId package = 0;
  std::string_view version;
  bool operator==(const Provider&) const = default;
};

class PackageIndex {
 public:
  PackageIndex() = default;
  PackageIndex(PackageIndex&&) = default;
  PackageIndex& operator=(PackageIndex&&) = default;

  // Scans the decompressed text of one Packages file and adds its stanzas.
  // Errors name the index ("<suite>/<component>:<line>: ...") for a stanza
  // without Package or Version, a line without ':', a continuation line with
  // no field, a bad Size or Installed-Size, or an unparsable Provides.
  // Returns the origin number given to the stanzas.
  base::Result<uint32_t> Add(std::string text, IndexOrigin origin);

  size_t size() const { return packages_.size(); }
  const Package& package(PackageId id) const { return packages_[id]; }
  std::span<const Package> packages() const { return packages_; }
  const IndexOrigin& origin(uint32_t n) const { return origins_[n]; }

  // Interned names are package names and provided names.
  std::optional<NameId> FindName(std::string_view name) const;
  std::string_view Name(NameId id) const { return names_[id]; }
  size_t name_count() const { return names_.size(); }
  // Every stanza of the real package `id` (all versions and architectures),
  // in the order added.
  std::vector<PackageId> Versions(NameId id) const;
  // Every stanza whose Provides lists `id`, in the order added.
  std::vector<Provider> Providers(NameId id) const;

  // The interned name closest to `word`, for "did you mean" (base::
  // ClosestMatch rules), or "". Candidates that cannot be close enough are
  // skipped cheaply, so this costs a few milliseconds on a full archive.
  std::string ClosestName(std::string_view word) const;

 private:
  struct StanzaScan;
  NameId Intern(std::string_view name);
  void GrowNameSlots();
  base::Result<void> AddStanza(const StanzaScan& s, uint32_t origin);
  base::Result<void> AddProvides(PackageId id);

  std::vector<std::unique_ptr<std::string>> texts_;  // stable addresses
  std::vector<IndexOrigin> origins_;
  std::vector<Package> packages_;
  std::vector<std::string_view> names_;
  std::vector<uint64_t> name_slots_;  // open addressing: hash << 32 | (id + 1)
  // Singly linked lists in insertion order, so that adding a stanza never
  // allocates per name: heads and tails per name, links per entry.
  static constexpr uint32_t kNone = UINT32_MAX;
  struct ProvideEntry {
    Provider provider;
    uint32_t next = kNone;
  };
  std::vector<uint32_t> version_head_, version_tail_, next_version_;
  std::vector<uint32_t> provide_head_, provide_tail_;
  std::vector<ProvideEntry> provides_;
};

}  // namespace debian
