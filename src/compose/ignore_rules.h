// Ignore patterns for copies from the build context: the `.distillignore`
// file in the context root and a files entry's `exclude:` list; also the
// spec's top-level `exclude:` over image paths (compose/image_exclude.h). The pattern
// language is gitignore's (gitignore(5)), which most users already write:
//   #c      a comment (a line starting with '#'; "\#" for a literal '#')
//   *.pyc   no '/' but a trailing one: matches that name at any depth
//   a/b     a '/' at the start or inside anchors the pattern to the root
//   dir/    a trailing '/' matches directories only
//   **      as a whole segment: any number of directories ("**/x", "a/**/b",
//           "a/**" = everything inside a)
//   !p      re-includes what an earlier pattern excluded
// Within a segment, `*`, `?` and `[...]` are fnmatch(3)'s and never match
// '/'. The last matching pattern decides. As in git, nothing below an
// excluded directory is looked at, so it cannot be re-included.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace build {

class IgnoreRules {
 public:
  IgnoreRules() = default;

  // Rules from a file's text; `line` of each rule is its 1-based line.
  static IgnoreRules Parse(std::string_view text);
  // Rules from a list of patterns (a files entry's `exclude:`); `line` is
  // the 1-based position in the list.
  static IgnoreRules FromList(const std::vector<std::string>& patterns);

  // The last pattern that matches `rel` (as for ExcludedBy) by its own
  // name: its line, and whether it is a negation ("!p"), which keeps `rel`.
  struct Match {
    int line = 0;
    bool negate = false;
  };
  std::optional<Match> LastMatch(const std::string& rel, bool is_dir) const;

  // If `rel` (a '/'-separated path relative to the rules' root, no leading
  // '/') is excluded by its own name, the line of the deciding pattern;
  // nullopt when no pattern matches or the last match is a negation.
  // Parents are not consulted: directory walks prune excluded directories.
  std::optional<int> ExcludedBy(const std::string& rel, bool is_dir) const;

  // Like ExcludedBy, but also excluded when one of `rel`'s parent
  // directories is: for a path named directly rather than found by a walk.
  std::optional<int> PathExcludedBy(const std::string& rel, bool is_dir) const;

  // The text of the pattern on `line`, for messages.
  std::string PatternAt(int line) const;

 private:
  struct Rule {
    std::vector<std::string> segments;
    bool negate = false;
    bool dir_only = false;
    int line = 0;
    std::string text;
  };
  void Add(std::string pattern, int line);

  std::vector<Rule> rules_;
};

}  // namespace build
