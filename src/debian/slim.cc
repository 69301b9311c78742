// The slimming rules (issue 4, item 2). A distroless image runs programs; it
// never shows a manual page, reads a changelog or switches the language of
// its messages, so these paths are dropped from every package by default:
//   usr/share/doc/**      except usr/share/doc/<pkg>/copyright, and the
//                         usr/share/doc/<pkg> symlinks Debian uses to point a
//                         package at the copyright of its source's main
//                         package (Policy 12.5 requires the copyright file;
//                         scanners read it for licenses)
//   usr/share/doc-base/** usr/share/man/** usr/share/info/**
//   usr/share/lintian/**  usr/share/locale/** (gettext translations)
//   usr/lib/locale/**     except usr/lib/locale/C.utf8/** (libc-bin ships the
//                         C.utf8 locale there; LANG=C.UTF-8 needs nothing else)
// Changelogs live under usr/share/doc, so the first rule covers them.
// A directory goes only when the rules left it empty, so a package's own
// empty directories elsewhere (var/cache/foo) stay as shipped. DropEntries
// is the same removal for another rule (the spec's `exclude:`).
#include "debian/slim.h"

#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/strings.h"

namespace debian {

namespace {

constexpr std::array<std::string_view, 6> kDroppedTrees = {
    "usr/share/doc/",  "usr/share/doc-base/", "usr/share/man/",
    "usr/share/info/", "usr/share/lintian/",  "usr/share/locale/"};
constexpr std::string_view kDoc = "usr/share/doc/";
constexpr std::string_view kLocales = "usr/lib/locale/";
constexpr std::string_view kCUtf8 = "usr/lib/locale/C.utf8";

// True for paths strictly inside a dropped tree, exceptions aside.
bool InDroppedTree(std::string_view path) {
  for (std::string_view prefix : kDroppedTrees)
    if (base::StartsWith(path, prefix)) return true;
  if (!base::StartsWith(path, kLocales)) return false;
  return !(path == kCUtf8 || base::StartsWith(path, std::string(kCUtf8) + "/"));
}

// usr/share/doc/<pkg>/copyright, or the symlink usr/share/doc/<pkg>.
bool IsKeptDoc(std::string_view path, fs::NodeType type) {
  if (!base::StartsWith(path, kDoc)) return false;
  std::string_view rest = path.substr(kDoc.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return type == fs::NodeType::kSymlink;
  return slash > 0 && rest.substr(slash + 1) == "copyright" && type != fs::NodeType::kDir;
}

bool HasChildren(const fs::Tree& tree, const std::string& dir) {
  std::string prefix = dir + "/";
  auto it = tree.entries().lower_bound(prefix);
  return it != tree.entries().end() && base::StartsWith(it->first, prefix);
}

// Kept hardlinks whose target goes: the first (in path order, which is the
// order a layer writes them) takes the target's place as a regular file, and
// the others link to it.
void PromoteHardlinks(fs::Tree& tree, const std::set<std::string>& removed) {
  std::map<std::string, std::string> moved;  // removed target → new file
  std::vector<std::pair<std::string, fs::Node>> updates;
  for (const auto& [path, node] : tree.entries()) {
    if (node.type != fs::NodeType::kHardlink || removed.count(path) || !removed.count(node.link))
      continue;
    auto it = moved.find(node.link);
    if (it != moved.end()) {
      fs::Node link = node;
      link.link = it->second;
      updates.emplace_back(path, std::move(link));
      continue;
    }
    const fs::Node* target = tree.Find(node.link);
    if (target == nullptr) continue;
    updates.emplace_back(path, *target);
    moved.emplace(node.link, path);
  }
  for (auto& [path, node] : updates) *tree.FindMutable(path) = std::move(node);
}

}  // namespace

bool IsSlimmed(std::string_view path, fs::NodeType type) {
  return InDroppedTree(path) && !IsKeptDoc(path, type);
}

SlimReport DropEntries(fs::Tree& tree, const DropRule& drop) {
  std::set<std::string> removed;
  std::vector<std::string> tops;  // removed entries whose parent stays
  for (const auto& [path, node] : tree.entries()) {
    if (path.empty()) continue;  // the root
    bool below = removed.contains(fs::ParentPath(path));
    if (!below && !drop(path, node.type)) continue;
    removed.insert(path);
    if (!below) tops.push_back(path);
  }
  PromoteHardlinks(tree, removed);
  SlimReport report;
  for (const std::string& path : removed) {
    const fs::Node* node = tree.Find(path);
    if (node && node->type == fs::NodeType::kFile) report.bytes += node->size;
  }
  for (const std::string& path : tops) report.entries += tree.Remove(path);
  return report;
}

SlimReport SlimTree(fs::Tree& tree) {
  std::set<std::string> removed;
  std::set<std::string> dirs;  // directories to drop once empty
  for (const auto& [path, node] : tree.entries()) {
    if (!IsSlimmed(path, node.type)) continue;
    (node.type == fs::NodeType::kDir ? dirs : removed).insert(path);
  }
  PromoteHardlinks(tree, removed);
  SlimReport report;
  for (const std::string& path : removed) {
    const fs::Node* node = tree.Find(path);
    if (node && node->type == fs::NodeType::kFile) report.bytes += node->size;
    report.entries += tree.Remove(path);
    if (!path.empty()) dirs.insert(fs::ParentPath(path));
  }
  // Deepest first: std::set orders "a/b" after "a", so take from the back.
  while (!dirs.empty()) {
    std::string dir = *dirs.rbegin();
    dirs.erase(std::prev(dirs.end()));
    const fs::Node* node = tree.Find(dir);
    if (dir.empty() || node == nullptr || node->type != fs::NodeType::kDir ||
        HasChildren(tree, dir))
      continue;
    report.entries += tree.Remove(dir);
    dirs.insert(fs::ParentPath(dir));
  }
  return report;
}

}  // namespace debian
