// The dependency resolver (formats.md D4, D5): the closure of Depends and
// Pre-Depends over a PackageIndex, choosing what apt's pkgDepCache::
// MarkInstall chooses for `apt-get install --no-install-recommends` on an
// empty dpkg status (apt 2.6, apt-pkg/depcache.cc).
//
// The rules, in apt's terms:
// - The candidate of a name is its version with the highest pin priority,
//   then the highest version; "name=version" replaces the candidate.
// - Requested packages are all marked first, then their dependencies are
//   followed depth-first in request order, as apt-get marks the command
//   line before auto-installing.
// - An OR group already satisfied by a selected package is skipped, so an
//   alternative that is already selected wins over the first one.
// - Otherwise the possible solutions are, alternative by alternative, the
//   candidates that satisfy it: the real package and every provider (an
//   unversioned Provides never satisfies a versioned dependency). Within
//   one alternative they are ordered as apt's CompareProviders orders them:
//   requested packages first, then the real package of the name, then
//   Essential ones, then the more important Priority (apt ranks a missing
//   Priority above "required"), then the package apt created last, which we
//   approximate by the name interned last. The first solution whose own
//   dependencies all have a candidate (apt's IsInstallOkDependencies-
//   SatisfiableByCandidates) is taken.
// - Where apt would give up because no candidate satisfies a versioned
//   dependency, we go one step further and take the best other version
//   (pin, then version) that does, unless that name is already selected.
// - `name:any` is satisfied only by Multi-Arch: allowed packages; a single
//   architecture is resolved, so Multi-Arch: foreign changes nothing here.
// Essential packages are not added unless something depends on them.
#include "debian/resolver.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "debian/relation.h"
#include "debian/version.h"

namespace debian {
namespace {

// apt's pkgCache::State::VerPriority numbering; no field is 0.
int PriorityRank(std::string_view p) {
  if (p.empty()) return 0;
  if (p == "required") return 1;
  if (p == "important") return 2;
  if (p == "standard") return 3;
  if (p == "optional") return 4;
  return 5;
}

Relation Unversioned(std::string name) {
  Relation r;
  r.name = std::move(name);
  return r;
}

std::string JoinChain(const std::vector<std::string>& chain) {
  return fmt::format("{}", fmt::join(chain, " → "));
}

class Resolver {
 public:
  Resolver(const PackageIndex& index, std::string_view arch, const ResolveOptions& options)
      : index_(index), arch_(arch), options_(options) {}

  base::Result<Resolution> Run(std::span<const std::string> requests);

 private:
  struct Selection {
    PackageId id;
    std::vector<std::string> why;
    bool requested;
  };

  std::string_view NameOf(PackageId id) const { return index_.Name(index_.package(id).name); }
  bool ArchOk(const Package& p) const { return p.architecture == arch_ || p.architecture == "all"; }
  std::vector<PackageId> VersionsFor(NameId name) const;
  std::optional<PackageId> Candidate(NameId name);
  bool Better(PackageId a, PackageId b) const;

  bool QualifierOk(const Relation& r, const Package& p) const;
  std::optional<std::string_view> ProvidedVersion(const Relation& r, PackageId id) const;
  bool Matches(const Relation& r, PackageId id) const;
  bool SelectedSatisfies(const OrGroup& group) const;
  bool CandidateSatisfies(const OrGroup& group);
  bool Installable(PackageId id);
  std::vector<PackageId> Solutions(const Relation& r, bool candidates_only);
  void SortLikeApt(const Relation& r, std::vector<PackageId>& v) const;
  std::optional<PackageId> Choose(const OrGroup& group);

  const RelationList* Dependencies(PackageId id);
  void Select(PackageId id, std::vector<std::string> why, bool requested);
  void Visit(PackageId id);
  void Request(const std::string& request);
  std::string Unsatisfied(const OrGroup& group, const std::vector<std::string>& why);
  std::string Available(NameId name) const;
  void CheckNegative(const Selection& s, std::string_view field, std::string_view text,
                     std::vector<std::string>& problems);

  bool Ignored(const OrGroup& group) const;

  const PackageIndex& index_;
  std::string_view arch_;
  const ResolveOptions& options_;
  std::unordered_map<NameId, std::optional<PackageId>> candidates_;
  std::unordered_map<PackageId, RelationList> deps_;
  std::unordered_map<NameId, Selection> selected_;
  std::vector<PackageId> requested_;
  std::vector<std::string> errors_;
};

std::vector<PackageId> Resolver::VersionsFor(NameId name) const {
  std::vector<PackageId> out;
  for (PackageId id : index_.Versions(name))
    if (ArchOk(index_.package(id))) out.push_back(id);
  return out;
}

// True when `a` is preferred to `b` as a candidate: pin, then version.
bool Resolver::Better(PackageId a, PackageId b) const {
  const Package& pa = index_.package(a);
  const Package& pb = index_.package(b);
  int pin_a = index_.origin(pa.origin).pin_priority;
  int pin_b = index_.origin(pb.origin).pin_priority;
  if (pin_a != pin_b) return pin_a > pin_b;
  return CompareVersions(pa.version, pb.version) > 0;
}

std::optional<PackageId> Resolver::Candidate(NameId name) {
  auto it = candidates_.find(name);
  if (it != candidates_.end()) return it->second;
  std::optional<PackageId> best;
  for (PackageId id : VersionsFor(name))
    if (!best || Better(id, *best)) best = id;
  candidates_[name] = best;
  return best;
}

bool Resolver::QualifierOk(const Relation& r, const Package& p) const {
  if (r.arch_qualifier.empty() || r.arch_qualifier == "native") return true;
  if (r.arch_qualifier == "any") return p.multi_arch == MultiArch::kAllowed;
  return r.arch_qualifier == arch_;
}

// The version `id` provides `r.name` at ("" when unversioned), if it does.
std::optional<std::string_view> Resolver::ProvidedVersion(const Relation& r, PackageId id) const {
  std::optional<NameId> n = index_.FindName(r.name);
  if (!n) return std::nullopt;
  for (const Provider& p : index_.Providers(*n))
    if (p.package == id) return p.version;
  return std::nullopt;
}

bool Resolver::Matches(const Relation& r, PackageId id) const {
  const Package& p = index_.package(id);
  if (!ArchOk(p) || !QualifierOk(r, p)) return false;
  if (index_.Name(p.name) == r.name && Satisfies(r, p.version)) return true;
  std::optional<std::string_view> provided = ProvidedVersion(r, id);
  if (!provided) return false;
  if (r.op == RelationOp::kNone) return true;
  return !provided->empty() && Satisfies(r, *provided);
}

bool Resolver::SelectedSatisfies(const OrGroup& group) const {
  for (const Relation& r : group) {
    std::optional<NameId> n = index_.FindName(r.name);
    if (!n) continue;
    if (auto it = selected_.find(*n); it != selected_.end() && Matches(r, it->second.id))
      return true;
    for (const Provider& p : index_.Providers(*n)) {
      auto it = selected_.find(index_.package(p.package).name);
      if (it != selected_.end() && it->second.id == p.package && Matches(r, p.package)) return true;
    }
  }
  return false;
}

// The stanzas that could satisfy `r`: with `candidates_only`, apt's rule
// (each name's candidate); otherwise every version of a name not selected.
std::vector<PackageId> Resolver::Solutions(const Relation& r, bool candidates_only) {
  std::vector<PackageId> out;
  std::optional<NameId> n = index_.FindName(r.name);
  if (!n) return out;
  auto consider = [&](NameId name, PackageId id) {
    if (!Matches(r, id)) return;
    if (candidates_only ? Candidate(name) == id : !selected_.contains(name)) out.push_back(id);
  };
  for (PackageId id : VersionsFor(*n)) consider(*n, id);
  for (const Provider& p : index_.Providers(*n))
    consider(index_.package(p.package).name, p.package);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  SortLikeApt(r, out);
  return out;
}

void Resolver::SortLikeApt(const Relation& r, std::vector<PackageId>& v) const {
  auto key = [&](PackageId id) {
    const Package& p = index_.package(id);
    bool requested = std::find(requested_.begin(), requested_.end(), id) != requested_.end();
    return std::tuple(!requested, index_.Name(p.name) != r.name, !p.essential,
                      PriorityRank(p.priority));
  };
  std::stable_sort(v.begin(), v.end(), [&](PackageId a, PackageId b) {
    if (key(a) != key(b)) return key(a) < key(b);
    const Package& pa = index_.package(a);
    const Package& pb = index_.package(b);
    if (pa.name != pb.name) return pa.name > pb.name;
    return Better(a, b);
  });
}

bool Resolver::CandidateSatisfies(const OrGroup& group) {
  for (const Relation& r : group)
    if (!Solutions(r, true).empty()) return true;
  return false;
}

// apt refuses to auto-install a version with a dependency that neither a
// selected package nor any candidate satisfies, and tries the next solution.
bool Resolver::Installable(PackageId id) {
  const RelationList* deps = Dependencies(id);
  if (!deps) return false;
  for (const OrGroup& group : *deps)
    if (!SelectedSatisfies(group) && !CandidateSatisfies(group)) return false;
  return true;
}

std::optional<PackageId> Resolver::Choose(const OrGroup& group) {
  for (bool candidates_only : {true, false}) {
    std::optional<PackageId> fallback;
    for (const Relation& r : group) {
      for (PackageId id : Solutions(r, candidates_only)) {
        if (Installable(id)) return id;
        if (!fallback) fallback = id;
      }
    }
    // Nothing installable: take the first solution anyway, so that the
    // error names the deeper dependency that is missing.
    if (fallback) return fallback;
  }
  return std::nullopt;
}

// Pre-Depends then Depends, parsed once; null (and an error recorded) when
// a field does not parse.
const RelationList* Resolver::Dependencies(PackageId id) {
  auto it = deps_.find(id);
  if (it != deps_.end()) return &it->second;
  const Package& p = index_.package(id);
  RelationList all;
  for (auto [field, text] : {std::pair{"Pre-Depends", p.pre_depends}, {"Depends", p.depends}}) {
    auto list = ParseRelations(text);
    if (!list) {
      errors_.push_back(
          list.error().Context("package '{}' {}: {}", NameOf(id), p.version, field).message());
      deps_[id] = {};
      return nullptr;
    }
    all.insert(all.end(), list->begin(), list->end());
  }
  return &(deps_[id] = std::move(all));
}

void Resolver::Select(PackageId id, std::vector<std::string> why, bool requested) {
  if (requested) requested_.push_back(id);
  // What is selected becomes the name's candidate, as in apt's depcache.
  candidates_[index_.package(id).name] = id;
  selected_[index_.package(id).name] = Selection{id, std::move(why), requested};
}

// A group naming an ignored package counts as satisfied (dpkg
// --ignore-depends): recipes use it for packages that only maintainer
// scripts need.
bool Resolver::Ignored(const OrGroup& group) const {
  if (options_.no_depends) return true;
  if (std::find(options_.ignore_depends.begin(), options_.ignore_depends.end(), "*") !=
      options_.ignore_depends.end())
    return true;
  for (const Relation& r : group)
    if (std::find(options_.ignore_depends.begin(), options_.ignore_depends.end(), r.name) !=
        options_.ignore_depends.end())
      return true;
  return false;
}

void Resolver::Visit(PackageId id) {
  if (options_.no_depends) return;
  const RelationList* deps = Dependencies(id);
  if (!deps) return;
  std::vector<std::string> why = selected_.at(index_.package(id).name).why;
  for (const OrGroup& group : *deps) {
    if (SelectedSatisfies(group) || Ignored(group)) continue;
    std::optional<PackageId> choice = Choose(group);
    if (!choice) {
      errors_.push_back(Unsatisfied(group, why));
      continue;
    }
    std::vector<std::string> chain = why;
    chain.emplace_back(NameOf(*choice));
    Select(*choice, std::move(chain), false);
    Visit(*choice);
  }
}

// Available versions of `name`, highest first, e.g. "1.5-1, 1.4-2".
std::string Resolver::Available(NameId name) const {
  std::vector<std::string_view> versions;
  for (PackageId id : VersionsFor(name)) versions.push_back(index_.package(id).version);
  std::sort(versions.begin(), versions.end(),
            [](std::string_view a, std::string_view b) { return CompareVersions(a, b) > 0; });
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  return fmt::format("{}", fmt::join(versions, ", "));
}

std::string Resolver::Unsatisfied(const OrGroup& group, const std::vector<std::string>& why) {
  std::string needed = fmt::format("needed by {}", JoinChain(why));
  if (group.size() > 1)
    return fmt::format("'{}' ({}) cannot be satisfied", FormatOrGroup(group), needed);
  const Relation& r = group[0];
  std::optional<NameId> n = index_.FindName(r.name);
  if (!n || (VersionsFor(*n).empty() && index_.Providers(*n).empty()))
    return fmt::format("'{}' ({}) is not in any index", r.name, needed);
  if (VersionsFor(*n).empty())
    return fmt::format("'{}' ({}) has no provider satisfying '{}'", r.name, needed, r.ToString());
  std::string selected;
  if (auto it = selected_.find(*n); it != selected_.end())
    selected = fmt::format(", selected: {}", index_.package(it->second.id).version);
  if (r.op == RelationOp::kNone)
    return fmt::format("'{}' ({}) cannot be satisfied (available: {}{})", r.ToString(), needed,
                       Available(*n), selected);
  return fmt::format("'{}' ({}) has no version satisfying '{} {}' (available: {}{})", r.name,
                     needed, OpString(r.op), r.version, Available(*n), selected);
}

void Resolver::Request(const std::string& request) {
  size_t eq = request.find('=');
  std::string name = request.substr(0, eq);
  std::optional<NameId> n = index_.FindName(name);
  bool real = n && !VersionsFor(*n).empty();
  if (real && eq == std::string::npos) {
    Select(*Candidate(*n), {name}, true);
  } else if (real) {
    std::string_view version = std::string_view(request).substr(eq + 1);
    std::optional<PackageId> best;
    for (PackageId id : VersionsFor(*n))
      if (CompareVersions(index_.package(id).version, version) == 0 && (!best || Better(id, *best)))
        best = id;
    if (!best) {
      errors_.push_back(
          fmt::format("'{}' has no version '{}' (available: {})", name, version, Available(*n)));
      return;
    }
    candidates_[*n] = best;  // apt's SetCandidateVersion
    Select(*best, {name}, true);
  } else if (std::vector<PackageId> providers =
                 n ? Solutions(Unversioned(name), true) : std::vector<PackageId>{};
             providers.size() == 1 && eq == std::string::npos) {
    // apt: "Note, selecting 'x' instead of 'virtual'".
    Select(providers[0], {std::string(NameOf(providers[0]))}, true);
  } else if (!providers.empty() && eq == std::string::npos) {
    std::vector<std::string> names;
    for (PackageId id : providers) names.push_back(fmt::format("'{}'", NameOf(id)));
    std::sort(names.begin(), names.end());
    errors_.push_back(fmt::format("'{}' is a virtual package provided by {}: request one of them",
                                  name, fmt::join(names, ", ")));
  } else {
    std::string guess = index_.ClosestName(name);
    errors_.push_back(guess.empty()
                          ? fmt::format("unknown package '{}'", name)
                          : fmt::format("unknown package '{}' (did you mean '{}'?)", name, guess));
  }
}

void Resolver::CheckNegative(const Selection& s, std::string_view field, std::string_view text,
                             std::vector<std::string>& problems) {
  if (text.empty()) return;
  const Package& p = index_.package(s.id);
  auto list = ParseRelations(text);
  if (!list) {
    problems.push_back(
        list.error().Context("package '{}' {}: {}", NameOf(s.id), p.version, field).message());
    return;
  }
  std::string_view verb = field == "Breaks" ? "breaks" : "conflicts with";
  for (const OrGroup& group : *list) {
    for (const Relation& r : group) {
      for (const auto& [name, other] : selected_) {
        // A package never conflicts with itself, even through Provides.
        if (other.id == s.id || !Matches(r, other.id)) continue;
        problems.push_back(fmt::format("'{}' {} {} '{}' {} ('{}')", NameOf(s.id), p.version, verb,
                                       NameOf(other.id), index_.package(other.id).version,
                                       r.ToString()));
      }
    }
  }
}

base::Result<Resolution> Resolver::Run(std::span<const std::string> requests) {
  // Mark every requested package first, then follow dependencies in
  // request order, as apt-get does with its command line.
  for (const std::string& r : requests) Request(r);
  std::vector<PackageId> roots = requested_;
  for (PackageId id : roots) Visit(id);
  if (!errors_.empty()) return base::Fail("{}", fmt::join(errors_, "\n"));
  Resolution out;
  for (const auto& [name, s] : selected_) out.packages.push_back(SelectedPackage{s.id, s.why});
  std::sort(out.packages.begin(), out.packages.end(),
            [&](const SelectedPackage& a, const SelectedPackage& b) {
              return NameOf(a.id) < NameOf(b.id);
            });
  for (const SelectedPackage& sp : out.packages) {
    const Selection& s = selected_.at(index_.package(sp.id).name);
    CheckNegative(s, "Breaks", index_.package(s.id).breaks, out.problems);
    CheckNegative(s, "Conflicts", index_.package(s.id).conflicts, out.problems);
  }
  return out;
}

}  // namespace

std::string FormatWhy(const SelectedPackage& p) {
  return p.why.size() <= 1 ? "requested" : JoinChain(p.why);
}

base::Result<Resolution> Resolve(const PackageIndex& index, std::span<const std::string> requests,
                                 std::string_view arch, const ResolveOptions& options) {
  return Resolver(index, arch, options).Run(requests);
}

}  // namespace debian
