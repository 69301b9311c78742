// PackageIndex: a dedicated scanner for Packages indexes (formats.md D3) and
// the name tables the resolver looks packages up in.
//
// A bookworm main index is ~50 MB and ~63,000 stanzas, so the scanner makes
// one pass over the text with memchr, keeps string_views into the text it
// owns instead of copying values, and recognises only the fields distill
// uses; the stanza's raw bytes stay available for /var/lib/dpkg/status.d.
// Relationship fields are kept raw and parsed by the resolver only for the
// packages it visits, except Provides, which must be known up front to find
// the providers of virtual names. Field names match case-insensitively and
// continuation lines extend the previous field (deb822(5)).
#include "debian/package_index.h"

#include <strings.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "base/strings.h"
#include "debian/relation.h"

namespace debian {

// The fields of one stanza, as views into the text.
struct PackageIndex::StanzaScan {
  enum FieldKey {
    kPackage,
    kVersion,
    kArchitecture,
    kMultiArch,
    kEssential,
    kPriority,
    kSection,
    kSource,
    kFilename,
    kSha256,
    kSize,
    kInstalledSize,
    kDepends,
    kPreDepends,
    kProvides,
    kBreaks,
    kConflicts,
    kFieldCount
  };
  std::array<std::string_view, kFieldCount> values;
  const char* begin = nullptr;
  const char* end = nullptr;
  int line = 0;
  std::string_view label;
};

namespace {

struct FieldName {
  std::string_view name;
  int key;
};

constexpr FieldName kFields[] = {
    {"Package", 0},    {"Version", 1},      {"Architecture", 2}, {"Multi-Arch", 3},
    {"Essential", 4},  {"Priority", 5},     {"Section", 6},      {"Source", 7},
    {"Filename", 8},   {"SHA256", 9},       {"Size", 10},        {"Installed-Size", 11},
    {"Depends", 12},   {"Pre-Depends", 13}, {"Provides", 14},    {"Breaks", 15},
    {"Conflicts", 16},
};

// The key of a field distill keeps, or -1.
int FieldKeyOf(std::string_view name) {
  // Compare the length and first letter before the full case-insensitive
  // compare: most lines of a Packages file are fields distill ignores.
  char first = name.empty() ? 0 : static_cast<char>(name[0] | 0x20);
  for (const FieldName& f : kFields)
    if (f.name.size() == name.size() && (f.name[0] | 0x20) == first &&
        strncasecmp(f.name.data(), name.data(), name.size()) == 0)
      return f.key;
  return -1;
}

std::string_view TrimValue(std::string_view v) { return base::Trim(v); }

MultiArch ParseMultiArch(std::string_view v) {
  if (v == "same") return MultiArch::kSame;
  if (v == "foreign") return MultiArch::kForeign;
  if (v == "allowed") return MultiArch::kAllowed;
  return MultiArch::kNo;
}

base::Result<uint64_t> ParseSize(std::string_view v, std::string_view field, std::string_view label,
                                 int line) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size())
    return base::Fail("{}:{}: bad {} '{}'", label, line, field, v);
  return n;
}

}  // namespace

uint32_t HashName(std::string_view name) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return static_cast<uint32_t>(h ^ (h >> 32));
}

std::optional<NameId> PackageIndex::FindName(std::string_view name) const {
  if (name_slots_.empty()) return std::nullopt;
  uint64_t hash = HashName(name);
  size_t mask = name_slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint64_t slot = name_slots_[i];
    if (slot == 0) return std::nullopt;
    NameId id = static_cast<NameId>(slot & 0xffffffff) - 1;
    if ((slot >> 32) == hash && names_[id] == name) return id;
  }
}

void PackageIndex::GrowNameSlots() {
  std::vector<uint64_t> old = std::move(name_slots_);
  name_slots_.assign(std::max<size_t>(1024, old.size() * 2), 0);
  size_t mask = name_slots_.size() - 1;
  for (uint64_t slot : old) {
    if (slot == 0) continue;
    size_t i = (slot >> 32) & mask;
    while (name_slots_[i] != 0) i = (i + 1) & mask;
    name_slots_[i] = slot;
  }
}

NameId PackageIndex::Intern(std::string_view name) {
  // Keep the table at most half full so that probe runs stay short.
  if (names_.size() * 2 >= name_slots_.size()) GrowNameSlots();
  uint64_t hash = HashName(name);
  size_t mask = name_slots_.size() - 1;
  size_t i = hash & mask;
  for (; name_slots_[i] != 0; i = (i + 1) & mask) {
    NameId id = static_cast<NameId>(name_slots_[i] & 0xffffffff) - 1;
    if ((name_slots_[i] >> 32) == hash && names_[id] == name) return id;
  }
  NameId id = static_cast<NameId>(names_.size());
  name_slots_[i] = hash << 32 | (uint64_t{id} + 1);
  names_.push_back(name);
  version_head_.push_back(kNone);
  version_tail_.push_back(kNone);
  provide_head_.push_back(kNone);
  provide_tail_.push_back(kNone);
  return id;
}

std::vector<PackageId> PackageIndex::Versions(NameId id) const {
  std::vector<PackageId> out;
  for (uint32_t p = version_head_[id]; p != kNone; p = next_version_[p]) out.push_back(p);
  return out;
}

std::vector<Provider> PackageIndex::Providers(NameId id) const {
  std::vector<Provider> out;
  for (uint32_t e = provide_head_[id]; e != kNone; e = provides_[e].next)
    out.push_back(provides_[e].provider);
  return out;
}

// Scans a Provides value, "name[:arch] [(= version)], ...", calling
// add(name, version) for each item. Returns false on anything else; the
// caller then asks ParseRelations for a precise error.
template <typename Add>
bool ScanProvides(std::string_view v, Add add) {
  size_t i = 0;
  auto skip = [&] {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n')) ++i;
  };
  auto word = [&](auto pred) {
    size_t start = i;
    while (i < v.size() && pred(v[i])) ++i;
    return v.substr(start, i - start);
  };
  auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
           (c >= 'A' && c <= 'Z') || c == '_';
  };
  for (;;) {
    skip();
    std::string_view name = word(name_char);
    if (name.empty()) return false;
    if (i < v.size() && v[i] == ':') {
      ++i;
      if (word(name_char).empty()) return false;
    }
    skip();
    std::string_view version;
    if (i < v.size() && v[i] == '(') {
      ++i;
      skip();
      if (i >= v.size() || v[i] != '=') return false;
      ++i;
      skip();
      version = word([](char c) { return c != ' ' && c != ')' && c != '\t' && c != '\n'; });
      skip();
      if (version.empty() || i >= v.size() || v[i] != ')') return false;
      ++i;
      skip();
    }
    add(name, version);
    if (i == v.size()) return true;
    if (v[i] != ',') return false;
    ++i;
  }
}

base::Result<void> PackageIndex::AddProvides(PackageId id) {
  std::string_view text = packages_[id].provides;
  bool ok = ScanProvides(text, [&](std::string_view name, std::string_view version) {
    NameId n = Intern(name);
    uint32_t e = static_cast<uint32_t>(provides_.size());
    provides_.push_back(ProvideEntry{Provider{id, version}, kNone});
    if (provide_tail_[n] == kNone)
      provide_head_[n] = e;
    else
      provides_[provide_tail_[n]].next = e;
    provide_tail_[n] = e;
  });
  if (ok) return {};
  const Package& p = packages_[id];
  auto list = ParseRelations(text);
  base::Error e =
      list ? base::Error("provides '{}': only '=' versions are allowed", text) : list.error();
  return base::Fail(e.Context("package '{}' {}", names_[p.name], p.version));
}

base::Result<void> PackageIndex::AddStanza(const StanzaScan& s, uint32_t origin) {
  auto v = [&](int key) { return TrimValue(s.values[key]); };
  if (v(StanzaScan::kPackage).empty())
    return base::Fail("{}:{}: stanza has no Package field", s.label, s.line);
  if (v(StanzaScan::kVersion).empty())
    return base::Fail("{}:{}: package '{}' has no Version field", s.label, s.line,
                      v(StanzaScan::kPackage));
  Package p;
  p.name = Intern(v(StanzaScan::kPackage));
  p.origin = origin;
  p.version = v(StanzaScan::kVersion);
  p.architecture = v(StanzaScan::kArchitecture);
  p.multi_arch = ParseMultiArch(v(StanzaScan::kMultiArch));
  p.essential = v(StanzaScan::kEssential) == "yes";
  p.priority = v(StanzaScan::kPriority);
  p.section = v(StanzaScan::kSection);
  p.source = v(StanzaScan::kSource);
  p.filename = v(StanzaScan::kFilename);
  p.sha256 = v(StanzaScan::kSha256);
  if (!v(StanzaScan::kSize).empty()) {
    auto n = ParseSize(v(StanzaScan::kSize), "Size", s.label, s.line);
    if (!n) return base::Fail(n.error());
    p.size = *n;
  }
  if (!v(StanzaScan::kInstalledSize).empty()) {
    auto n = ParseSize(v(StanzaScan::kInstalledSize), "Installed-Size", s.label, s.line);
    if (!n) return base::Fail(n.error());
    p.installed_size = *n;
  }
  p.depends = v(StanzaScan::kDepends);
  p.pre_depends = v(StanzaScan::kPreDepends);
  p.provides = v(StanzaScan::kProvides);
  p.breaks = v(StanzaScan::kBreaks);
  p.conflicts = v(StanzaScan::kConflicts);
  p.stanza = std::string_view(s.begin, static_cast<size_t>(s.end - s.begin));
  PackageId id = static_cast<PackageId>(packages_.size());
  packages_.push_back(p);
  next_version_.push_back(kNone);
  if (version_tail_[p.name] == kNone)
    version_head_[p.name] = id;
  else
    next_version_[version_tail_[p.name]] = id;
  version_tail_[p.name] = id;
  if (!p.provides.empty()) {
    if (auto r = AddProvides(id); !r)
      return base::Fail(r.error().Context("{}:{}", s.label, s.line));
  }
  return {};
}

base::Result<uint32_t> PackageIndex::Add(std::string text, IndexOrigin origin) {
  uint32_t origin_id = static_cast<uint32_t>(origins_.size());
  std::string label = origin.suite + "/" + origin.component;
  origins_.push_back(std::move(origin));
  texts_.push_back(std::make_unique<std::string>(std::move(text)));
  const std::string& t = *texts_.back();
  if (packages_.empty()) {
    // A rough guess from the size of a typical stanza avoids rehashing.
    packages_.reserve(t.size() / 700 + 16);
    next_version_.reserve(t.size() / 700 + 16);
  }
  const char* p = t.data();
  const char* end = p + t.size();
  StanzaScan s;
  s.label = label;
  std::string_view* field = nullptr;  // the field continuation lines extend
  int lineno = 0;
  auto flush = [&]() -> base::Result<void> {
    if (!s.begin) return {};
    DISTILL_TRY(AddStanza(s, origin_id));
    s.values = {};
    s.begin = nullptr;
    field = nullptr;
    return {};
  };
  while (p < end) {
    const char* eol = static_cast<const char*>(memchr(p, '\n', static_cast<size_t>(end - p)));
    if (!eol) eol = end;
    ++lineno;
    std::string_view line(p, static_cast<size_t>(eol - p));
    const char* next = eol < end ? eol + 1 : end;
    bool blank = line.empty() || ((line[0] == ' ' || line[0] == '\t' || line[0] == '\r') &&
                                  base::Trim(line).empty());
    if (blank) {
      DISTILL_TRY(flush());
    } else if (line[0] == ' ' || line[0] == '\t') {
      if (!s.begin) return base::Fail("{}:{}: continuation line outside a field", label, lineno);
      if (field) *field = std::string_view(field->data(), static_cast<size_t>(eol - field->data()));
      s.end = eol;
    } else {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos)
        return base::Fail("{}:{}: line has no ':'", label, lineno);
      if (!s.begin) {
        s.begin = p;
        s.line = lineno;
      }
      s.end = eol;
      int key = FieldKeyOf(line.substr(0, colon));
      field = key < 0 ? nullptr : &s.values[key];
      if (field) *field = line.substr(colon + 1);
    }
    p = next;
  }
  DISTILL_TRY(flush());
  return origin_id;
}

std::string PackageIndex::ClosestName(std::string_view word) const {
  size_t limit = std::max<size_t>(2, word.size() / 3);
  // The edit distance is at least half the difference of the letter counts,
  // which rules out nearly every name without the quadratic comparison.
  std::array<int, 256> have{};
  std::vector<std::string> close;
  for (std::string_view name : names_) {
    size_t diff = name.size() > word.size() ? name.size() - word.size() : word.size() - name.size();
    if (diff > limit) continue;
    for (unsigned char c : word) ++have[c];
    for (unsigned char c : name) --have[c];
    // Sum the surpluses on both sides, zeroing `have` again on the way.
    size_t total = 0;
    for (unsigned char c : word) total += static_cast<size_t>(std::abs(std::exchange(have[c], 0)));
    for (unsigned char c : name) total += static_cast<size_t>(std::abs(std::exchange(have[c], 0)));
    if ((total + 1) / 2 > limit) continue;
    close.emplace_back(name);
  }
  std::sort(close.begin(), close.end());
  return base::ClosestMatch(word, close);
}

}  // namespace debian
