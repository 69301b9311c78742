// The spec's top-level `exclude:` (docs/contract.md): image paths removed
// from every layer distill writes — what packages install (after slimming),
// the synthesized files and the `files:` layers. Patterns are gitignore's
// (compose/ignore_rules.h) written as absolute image paths
// ("/usr/share/locale/**"); a directory that matches goes with everything
// below it. The package records (var/lib/dpkg/status.d) are never removed:
// as with slimming, a package whose files are excluded stays installed for
// scanners. A pattern that matches nothing in the image is an error at its
// spec line, as is one that matches a file of a registry base's layers,
// which distill does not rewrite.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "compose/ignore_rules.h"
#include "fs/tree.h"
#include "spec/chain.h"

namespace build {

class ImageExclude {
 public:
  ImageExclude() = default;
  // The `exclude:` of every spec of `chain`, root first: a base spec's
  // patterns apply to the images built on it, and later patterns decide.
  // `chain` must outlive this object (errors point into its specs).
  explicit ImageExclude(const Chain& chain);

  // The patterns as a cache-key component ("" when there are none), so a
  // package layer unpacked under other patterns is another layer.
  std::string Key() const;

  // Removes every excluded entry from `tree` (a layer's tree), a directory
  // with everything below it.
  void Prune(fs::Tree& tree);

  // An error when a pattern matches a path of `view`, the registry base
  // named `base` (its layers stay as pulled: removing a file needs a
  // whiteout, and the base's bytes would ship anyway).
  base::Result<void> CheckBase(const fs::Tree& view, const std::string& base) const;

  // An error at the first pattern that decided nothing since construction.
  base::Result<void> CheckMatched() const;

 private:
  // Whether `path` (a normalized tree path, "usr/share/x") is excluded by
  // its own name; parents are debian::DropEntries'. Records which pattern
  // decided, for CheckMatched.
  bool Excludes(std::string_view path, fs::NodeType type);

  struct Pattern {
    const Spec* spec;
    ExcludeSpec entry;
  };
  std::vector<Pattern> patterns_;
  IgnoreRules rules_;          // pattern i is on line i + 1
  std::vector<bool> matched_;  // per pattern
};

}  // namespace build
