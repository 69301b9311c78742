// Filesystem tree rules: normalization, implicit parents, replacement. These
// mirror how container engines apply a layer (image-spec layer.md, "Changeset
// over existing files"): a later entry replaces an earlier one, directories
// merge, and every parent exists as an explicit directory entry so engines
// never invent its metadata.
#include "fs/tree.h"

#include <vector>

#include "base/strings.h"

namespace fs {

base::Result<std::string> NormalizePath(std::string_view path, bool require_absolute) {
  if (require_absolute && (path.empty() || path[0] != '/'))
    return base::Fail("'{}' is not an absolute path", path);
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return base::Fail("'{}' escapes the image root", path);
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::string ParentPath(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

Tree::Tree() {
  Node root = Node::Dir();
  root.implicit = true;
  entries_.emplace("", root);
}

base::Result<void> Tree::EnsureParents(const std::string& path, int64_t mtime) {
  if (path.empty()) return {};
  std::string parent = ParentPath(path);
  auto it = entries_.find(parent);
  if (it != entries_.end()) {
    if (it->second.type != NodeType::kDir)
      return base::Fail("'/{}' is not a directory (needed for '/{}')", parent, path);
    return {};
  }
  DISTILL_TRY(EnsureParents(parent, mtime));
  Node dir = Node::Dir();
  dir.implicit = true;
  dir.mtime = mtime;
  entries_.emplace(parent, dir);
  return {};
}

base::Result<void> Tree::Add(const std::string& path, Node node) {
  DISTILL_TRY(EnsureParents(path, node.implicit ? node.mtime : 0));
  auto it = entries_.find(path);
  if (it == entries_.end()) {
    entries_.emplace(path, std::move(node));
    return {};
  }
  Node& old = it->second;
  if (old.type == NodeType::kDir && node.type == NodeType::kDir) {
    if (!node.implicit) old = std::move(node);
    return {};
  }
  if (old.type == NodeType::kDir) Remove(path);
  entries_[path] = std::move(node);
  return {};
}

const Node* Tree::Find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

Node* Tree::FindMutable(const std::string& path) {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

size_t Tree::Remove(const std::string& path) {
  if (path.empty()) {  // the root stays; its children go
    size_t n = entries_.size() - 1;
    Node root = entries_[""];
    entries_.clear();
    entries_.emplace("", root);
    return n;
  }
  size_t n = entries_.erase(path);
  std::string prefix = path + "/";
  auto it = entries_.lower_bound(prefix);
  while (it != entries_.end() && base::StartsWith(it->first, prefix)) {
    it = entries_.erase(it);
    ++n;
  }
  return n;
}

}  // namespace fs
