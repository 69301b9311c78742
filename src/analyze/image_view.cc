// ImageView: path lookup and resolution over a stack of layer trees, as an
// overlay filesystem presents them to a container (image-spec layer.md,
// "Applying Changesets"): the topmost entry at a path wins, directories
// merge, and a non-directory at some path hides every lower entry below it.
//
// Resolution works like the kernel's path walk rooted at the image root
// (path_resolution(7)): components are taken one at a time; a symlink met
// along the way is replaced by its target's components (absolute targets
// restart at the image root, relative ones continue from the link's parent);
// '..' moves to the parent of the directory actually reached, which is why it
// is applied during the walk and not lexically beforehand; and '..' at the
// root stays there, as it does in a chroot. At most 40 links are followed.
#include "analyze/image_view.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <utility>

namespace analyze {
namespace {

// Splits `path` at '/' into its non-empty components (".." and "." kept).
std::deque<std::string> Components(std::string_view path) {
  std::deque<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) out.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

std::string Absolute(const std::string& tree_path) { return "/" + tree_path; }

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

}  // namespace

ImageView::ImageView(std::vector<const fs::Tree*> layers) : layers_(std::move(layers)) {}

// A lower layer's entry at `path` is hidden when this layer holds a
// non-directory at one of its ancestors (a file or symlink replaced the
// directory, dropping its subtree).
bool ImageView::HiddenIn(size_t layer, const std::string& path) const {
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const fs::Node* n = layers_[layer]->Find(path.substr(0, slash));
    if (n && n->type != fs::NodeType::kDir) return true;
  }
  return false;
}

ImageView::Entry ImageView::Lookup(const std::string& path) const {
  for (size_t i = layers_.size(); i-- > 0;) {
    if (const fs::Node* n = layers_[i]->Find(path)) return Entry{n, i};
    if (HiddenIn(i, path)) return Entry{};
  }
  return Entry{};
}

base::Result<ImageView::Resolved> ImageView::Resolve(std::string_view path,
                                                     bool follow_last) const {
  if (path.empty() || path[0] != '/') return base::Fail("'{}' is not an absolute path", path);
  std::deque<std::string> pending = Components(path);
  std::string current;  // tree path of the directory reached so far
  Entry entry = Lookup("");
  int hops = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      current = fs::ParentPath(current);
      entry = Lookup(current);
      continue;
    }
    std::string next = Join(current, part);
    Entry e = Lookup(next);
    if (!e.node) return base::Fail("'{}': no such file or directory", path);
    if (e.node->type == fs::NodeType::kSymlink && (follow_last || !pending.empty())) {
      if (++hops > kMaxSymlinkHops)
        return base::Fail("'{}': too many levels of symbolic links", path);
      std::deque<std::string> target = Components(e.node->link);
      if (!e.node->link.empty() && e.node->link[0] == '/') current.clear();
      pending.insert(pending.begin(), target.begin(), target.end());
      entry = Lookup(current);
      continue;
    }
    if (!pending.empty() && e.node->type != fs::NodeType::kDir)
      return base::Fail("'{}': not a directory", path);
    current = std::move(next);
    entry = e;
  }
  return Resolved{Absolute(current), entry};
}

base::Result<ByteSource> ImageView::Open(const Resolved& file) const {
  const fs::Node* node = file.entry.node;
  // A hard link shares the content of a file in its own layer (the tar rule);
  // a link to a link is followed a few times at most.
  for (int i = 0; node && node->type == fs::NodeType::kHardlink && i < 8; ++i) {
    const fs::Node* target = layers_[file.entry.layer]->Find(node->link);
    node = target ? target : Lookup(node->link).node;
  }
  if (!node || node->type != fs::NodeType::kFile)
    return base::Fail("'{}' is not a regular file", file.path);
  const fs::Content& c = node->content;
  if (c.kind == fs::Content::Kind::kDiskFile) return FileSource(c.path, c.offset, node->size);
  std::shared_ptr<const std::string> bytes =
      c.bytes ? c.bytes : std::make_shared<const std::string>();
  ByteSource source = BytesSource(*bytes);
  // The lambda holds the shared bytes, so the view into them stays valid.
  return ByteSource{bytes->size(), [bytes, read = std::move(source.read_at)](
                                       uint64_t offset, uint64_t n) { return read(offset, n); }};
}

base::Result<std::string> ImageView::ReadPrefix(const Resolved& file, uint64_t n) const {
  base::Result<ByteSource> source = Open(file);
  if (!source) return base::Fail(source.error());
  return source->Read(0, std::min(n, source->size));
}

base::Result<std::string> ImageView::ReadFile(const Resolved& file, uint64_t max_bytes) const {
  base::Result<ByteSource> source = Open(file);
  if (!source) return base::Fail(source.error());
  if (source->size > max_bytes)
    return base::Fail("'{}' is larger than {} bytes", file.path, max_bytes);
  return source->Read(0, source->size);
}

}  // namespace analyze
