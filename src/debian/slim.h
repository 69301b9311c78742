// Slimming: the files a runtime image never reads (documentation, manual and
// info pages, translations, lintian overrides, locales other than C.utf8),
// dropped from a package's tree while every copyright file stays.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "fs/tree.h"

namespace debian {

// What one slimming pass removed.
struct SlimReport {
  uint64_t bytes = 0;    // regular-file bytes removed (hardlinks count 0)
  uint64_t entries = 0;  // entries removed, directories emptied by it included
  bool operator==(const SlimReport&) const = default;
};

// True when the rules drop `path` (a normalized tree path, "usr/share/man/x").
// A directory is never dropped by this test itself, only when slimming has
// emptied it. Kept: usr/share/doc/<pkg>/copyright, the usr/share/doc/<pkg>
// symlinks that lead to another package's copyright, usr/lib/locale/C.utf8/**.
bool IsSlimmed(std::string_view path, fs::NodeType type);

// A rule naming entries to drop: a normalized tree path and its entry type.
using DropRule = std::function<bool(std::string_view path, fs::NodeType type)>;

// Removes from `tree` every entry `drop` names, a directory with everything
// below it (`drop` is not asked about those): slimming's removal for rules
// beyond it, the spec's `exclude:`. Entries are asked in path order, parents
// first. As in SlimTree, a kept hardlink whose target is removed becomes the
// regular file in its place.
SlimReport DropEntries(fs::Tree& tree, const DropRule& drop);

// Removes from `tree` every entry IsSlimmed() names, then every directory
// that held removed entries and is left empty (up to the root). A kept
// hardlink whose target is removed becomes the regular file in its place.
SlimReport SlimTree(fs::Tree& tree);

}  // namespace debian
