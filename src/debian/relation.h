// Relationship fields of Debian control data: Depends, Pre-Depends,
// Recommends, Suggests, Breaks, Conflicts, Provides, Replaces (Debian Policy
// §7.1; formats.md D4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace debian {

// The version operator of a relation; kNone when the relation names no
// version.
enum class RelationOp { kNone, kLess, kLessEqual, kEqual, kGreaterEqual, kGreater };

// One atom: `name[:archqual] [(op version)] [[arch list]] [<profiles>...]`.
struct Relation {
  std::string name;
  std::string arch_qualifier;  // "any", "native", a concrete arch, or ""
  RelationOp op = RelationOp::kNone;
  std::string version;  // "" when op is kNone
  // The [arch list] restriction as written, e.g. {"amd64", "!i386"}.
  std::vector<std::string> architectures;
  // Each <...> group, e.g. <!nocheck> <stage1 cross> → {{"!nocheck"},
  // {"stage1", "cross"}}: the terms of a group are ANDed, groups are ORed.
  std::vector<std::vector<std::string>> profiles;

  // The canonical spelling, e.g. "libc6 (>= 2.36)" or "python3:any".
  std::string ToString() const;
  bool operator==(const Relation&) const = default;
};

// Alternatives separated by '|': satisfied when any one is.
using OrGroup = std::vector<Relation>;
// Groups separated by ',': satisfied when every group is.
using RelationList = std::vector<OrGroup>;

// Parses a relationship field value. Whitespace (newlines included, as in
// folded fields) may appear anywhere outside names, versions and operators.
// Legacy '<' and '>' mean '<=' and '>='. An empty or blank field gives an
// empty list. Errors read "invalid relationship field '<text>': <reason>".
base::Result<RelationList> ParseRelations(std::string_view text);

// True when `version` meets the relation's version constraint (always true
// for an unversioned relation). Names and architectures are not looked at.
bool Satisfies(const Relation& relation, std::string_view version);

// "<<", "<=", "=", ">=", ">>", or "" for kNone.
std::string_view OpString(RelationOp op);

// "a (>= 1) | b".
std::string FormatOrGroup(const OrGroup& group);

}  // namespace debian
