// Contents-<arch> scanning (formats.md D6; the Debian repository format,
// "Contents indices"). Each line is a path without its leading '/', a run of
// whitespace, and a comma-separated list of [component/]section/package. A
// path may itself contain spaces, so a line splits at its last whitespace
// run. Older indexes start with free-text lines ending at "FILE  LOCATION";
// those never name a library directory, so they are skipped by the same
// prefix test that skips the other 99% of lines cheaply: only lines starting
// with "lib/" or "usr/lib/" are split at all.
//
// bookworm still lists libraries at their aliased location
// (lib/x86_64-linux-gnu/libz.so.1) while later suites use usr/lib/..., so
// both spellings of each default directory are matched. Multiarch hits win
// over /lib and /usr/lib ones, which tend to be other ABIs' copies.
#include "analyze/contents.h"

#include <utility>

#include "base/strings.h"
#include "fs/merged_usr.h"

namespace analyze {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// `path` (relative, as the index spells it) with a merged-/usr alias
// removed: "usr/bin/sh" and "bin/sh" both become "bin/sh" (formats.md F).
std::string_view Unaliased(std::string_view path) {
  if (!base::StartsWith(path, "usr/")) return path;
  std::string_view rest = path.substr(4);
  std::string_view top = rest.substr(0, rest.find('/'));
  bool aliased = fs::IsMergedUsrDir(top);
  return aliased && top.size() < rest.size() ? rest : path;
}

// The package name in "[component/]section/package".
std::string_view PackageName(std::string_view entry) {
  entry = base::Trim(entry);
  size_t slash = entry.rfind('/');
  return slash == std::string_view::npos ? entry : entry.substr(slash + 1);
}

}  // namespace

ContentsLookup::ContentsLookup(const std::vector<std::string>& names, std::string triplet)
    : triplet_(std::move(triplet)) {
  for (const std::string& n : names) wanted_[n];
}

void ContentsLookup::AddPath(std::string_view path) {
  while (base::StartsWith(path, "/")) path.remove_prefix(1);
  paths_[std::string(Unaliased(path))];
}

base::Result<void> ContentsLookup::Write(std::span<const uint8_t> bytes) {
  std::string_view data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!partial_.empty()) {
    size_t newline = data.find('\n');
    if (newline == std::string_view::npos) newline = data.size();
    if (partial_.size() + newline > kMaxContentsLine)
      return base::Fail("contents line {}: longer than {} bytes", line_number_ + 1,
                        kMaxContentsLine);
    partial_.append(data.substr(0, newline));
    if (newline == data.size()) return {};
    DISTILL_TRY(Line(partial_));
    partial_.clear();
    data.remove_prefix(newline + 1);
  }
  for (size_t newline; (newline = data.find('\n')) != std::string_view::npos;) {
    DISTILL_TRY(Line(data.substr(0, newline)));
    data.remove_prefix(newline + 1);
  }
  if (data.size() > kMaxContentsLine)
    return base::Fail("contents line {}: longer than {} bytes", line_number_ + 1, kMaxContentsLine);
  partial_.assign(data);
  return {};
}

base::Result<void> ContentsLookup::Close() {
  if (partial_.empty()) return {};
  base::Result<void> r = Line(partial_);
  partial_.clear();
  return r;
}

base::Result<void> ContentsLookup::Line(std::string_view line) {
  ++line_number_;
  if (line.size() > kMaxContentsLine)
    return base::Fail("contents line {}: longer than {} bytes", line_number_, kMaxContentsLine);
  bool library_dir = base::StartsWith(line, "lib/") || base::StartsWith(line, "usr/lib/");
  if (!library_dir && paths_.empty()) return {};
  // Split at the last whitespace run: the path may contain spaces.
  while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
  size_t end = line.size();
  while (end > 0 && !IsSpace(line[end - 1])) --end;
  if (end == 0) return {};  // no package list: not an entry
  std::string_view packages = line.substr(end);
  std::string_view path = line.substr(0, end);
  while (!path.empty() && IsSpace(path.back())) path.remove_suffix(1);
  if (!paths_.empty()) {
    if (auto it = paths_.find(Unaliased(path)); it != paths_.end())
      for (std::string_view entry : base::Split(packages, ','))
        if (std::string_view pkg = PackageName(entry); !pkg.empty()) it->second.emplace(pkg);
  }
  if (!library_dir) return {};
  size_t slash = path.rfind('/');
  std::string_view dir = path.substr(0, slash), name = path.substr(slash + 1);
  bool multiarch = dir.size() > triplet_.size() && dir.ends_with(triplet_) &&
                   (dir.substr(0, dir.size() - triplet_.size()) == "lib/" ||
                    dir.substr(0, dir.size() - triplet_.size()) == "usr/lib/");
  if (!multiarch && dir != "lib" && dir != "usr/lib") return {};
  auto it = wanted_.find(name);
  if (it == wanted_.end()) return {};
  std::set<std::string>& into = multiarch ? it->second.multiarch : it->second.plain;
  for (std::string_view entry : base::Split(packages, ','))
    if (std::string_view pkg = PackageName(entry); !pkg.empty()) into.emplace(pkg);
  return {};
}

std::vector<std::string> ContentsLookup::PackagesFor(std::string_view name) const {
  auto it = wanted_.find(name);
  if (it == wanted_.end()) return {};
  const Match& m = it->second;
  const std::set<std::string>& best = m.multiarch.empty() ? m.plain : m.multiarch;
  return {best.begin(), best.end()};
}

std::vector<std::string> ContentsLookup::PackagesForPath(std::string_view path) const {
  while (base::StartsWith(path, "/")) path.remove_prefix(1);
  auto it = paths_.find(Unaliased(path));
  if (it == paths_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::map<std::string, std::vector<std::string>> ContentsLookup::Results() const {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [name, match] : wanted_) out[name] = PackagesFor(name);
  return out;
}

}  // namespace analyze
