// gitignore-style matching (see ignore_rules.h for the language). A pattern
// is split into '/'-separated segments and matched against the path's
// segments: `**` segments by backtracking over any number of path segments,
// every other segment by fnmatch(3) (no FNM_PERIOD: as in git, `*` matches
// dot files). Unanchored patterns get a leading `**`, and a trailing `**`
// becomes `**/*`, so "a/**" matches what is inside a but not a itself.
#include "compose/ignore_rules.h"

#include <fnmatch.h>

#include "base/strings.h"

namespace build {

namespace {

bool MatchSegments(const std::vector<std::string>& pat, size_t pi,
                   const std::vector<std::string>& path, size_t si) {
  if (pi == pat.size()) return si == path.size();
  if (pat[pi] == "**") {
    for (size_t k = si; k <= path.size(); ++k)
      if (MatchSegments(pat, pi + 1, path, k)) return true;
    return false;
  }
  if (si == path.size() || fnmatch(pat[pi].c_str(), path[si].c_str(), 0) != 0) return false;
  return MatchSegments(pat, pi + 1, path, si + 1);
}

// Trailing spaces are dropped unless escaped with a backslash (gitignore).
std::string TrimTrailingSpaces(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    if (s.size() >= 2 && s[s.size() - 2] == '\\') break;
    s.pop_back();
  }
  return s;
}

}  // namespace

void IgnoreRules::Add(std::string pattern, int line) {
  Rule r;
  r.line = line;
  r.text = pattern;
  if (pattern.starts_with("!")) {
    r.negate = true;
    pattern.erase(0, 1);
  } else if (pattern.starts_with("\\!") || pattern.starts_with("\\#")) {
    pattern.erase(0, 1);
  }
  while (pattern.size() > 1 && pattern.back() == '/') {
    r.dir_only = true;
    pattern.pop_back();
  }
  bool anchored = pattern.find('/') != std::string::npos;
  for (const std::string& seg : base::Split(pattern, '/'))
    if (!seg.empty()) r.segments.push_back(seg);
  if (r.segments.empty()) return;
  if (!anchored) r.segments.insert(r.segments.begin(), "**");
  if (r.segments.back() == "**") r.segments.push_back("*");
  rules_.push_back(std::move(r));
}

IgnoreRules IgnoreRules::Parse(std::string_view text) {
  IgnoreRules rules;
  int line = 0;
  for (const std::string& raw : base::Split(std::string(text), '\n')) {
    ++line;
    std::string s = TrimTrailingSpaces(raw);
    if (s.empty() || s.starts_with("#")) continue;
    rules.Add(std::move(s), line);
  }
  return rules;
}

IgnoreRules IgnoreRules::FromList(const std::vector<std::string>& patterns) {
  IgnoreRules rules;
  for (size_t i = 0; i < patterns.size(); ++i)
    if (!patterns[i].empty()) rules.Add(patterns[i], static_cast<int>(i) + 1);
  return rules;
}

std::optional<IgnoreRules::Match> IgnoreRules::LastMatch(const std::string& rel,
                                                         bool is_dir) const {
  if (rel.empty() || rules_.empty()) return std::nullopt;
  std::vector<std::string> path = base::Split(rel, '/');
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    if (MatchSegments(it->segments, 0, path, 0)) return Match{it->line, it->negate};
  }
  return std::nullopt;
}

std::optional<int> IgnoreRules::ExcludedBy(const std::string& rel, bool is_dir) const {
  std::optional<Match> m = LastMatch(rel, is_dir);
  if (!m || m->negate) return std::nullopt;
  return m->line;
}

std::optional<int> IgnoreRules::PathExcludedBy(const std::string& rel, bool is_dir) const {
  if (rules_.empty()) return std::nullopt;
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1))
    if (std::optional<int> line = ExcludedBy(rel.substr(0, slash), true)) return line;
  return ExcludedBy(rel, is_dir);
}

std::string IgnoreRules::PatternAt(int line) const {
  for (const Rule& r : rules_)
    if (r.line == line) return r.text;
  return "";
}

}  // namespace build
