// Reading build stages' results: `files: - from: STAGE` entries resolved
// inside a stage's result root (symlinks never reach the host), a whole
// root read as the filesystem it is, and, for a stage that starts from an
// image, only what its commands changed (DropUnchanged) with a whiteout for
// each path they removed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "base/file_util.h"
#include "compose/context_files.h"
#include "compose/layers.h"
#include "stages/stage.h"
#include "stages/stage_archive.h"
#include "stages/stage_rootfs.h"

namespace build {

const std::string* StageResults::Find(const std::string& ref) const {
  auto it = roots_.find(ref);
  return it == roots_.end() ? nullptr : &it->second;
}

base::Result<StageSource> StageFileSource(const StageResults& results, const Spec& spec,
                                          const FileSpec& entry) {
  const std::string* root_dir = results.Find(StageRef(spec.path, entry.from));
  if (!root_dir)
    return base::Fail(
        SpecError(spec, entry.mark, fmt::format("no build stage named '{}'", entry.from)));
  base::Result<std::string> norm = fs::NormalizePath("/" + entry.src, false);
  if (!norm) return base::Fail(SpecError(spec, entry.src_mark, norm.error().message()));
  base::Result<RootDir> root = RootDir::Open(*root_dir, false);
  if (!root) return base::Fail(root.error());
  // A glob is matched on the host below its directory, which is resolved
  // here; without one the whole path is (a symlink is followed as COPY does).
  std::string dir = *norm, leaf;
  bool glob = norm->find_first_of("*?[") != std::string::npos;
  if (glob) {
    dir = fs::ParentPath(*norm);
    leaf = norm->substr(dir.empty() ? 0 : dir.size() + 1);
    if (dir.find_first_of("*?[") != std::string::npos)
      return base::Fail(SpecError(spec, entry.src_mark,
                                  "a glob in a stage path may only be in its last component"));
  }
  base::Result<std::string> real = root->Resolve(dir);
  if (!real)
    return base::Fail(SpecError(spec, entry.src_mark,
                                fmt::format("'/{}' not found in stage '{}'", dir, entry.from)));
  StageSource out{*root_dir, entry, "", false};
  // The whole root of a stage that starts from an image: the image (whose
  // base is that image) takes only what the stage changed.
  if (*norm == "" && entry.dst == "/" && entry.owner.empty() && !entry.mode) {
    out.whole_root = true;
    base::Result<std::string> meta = base::ReadFile(base::DirName(*root_dir) + "/stage.json");
    nlohmann::json j = meta ? nlohmann::json::parse(*meta, nullptr, false) : nlohmann::json();
    if (j.is_object()) out.image_root = j.value("image_root", "");
  }
  out.entry.from.clear();
  out.entry.src = glob ? (real->empty() ? leaf : *real + "/" + leaf) : *real;
  if (out.entry.src.empty()) out.entry.src = ".";
  return out;
}

base::Result<void> StageResults::AddFiles(const Spec& spec, const FileSpec& entry, fs::Tree& layer,
                                          const fs::Tree& below) const {
  base::Result<StageSource> src = StageFileSource(*this, spec, entry);
  if (!src) return base::Fail(src.error());
  if (!src->whole_root) return AddContextFiles(spec, src->entry, src->dir, layer, below);
  // A stage's whole root as it is; after a RUN on an image base, only
  // what the commands changed.
  base::Result<fs::Tree> read = ReadDirTree(src->dir);
  if (!read) return base::Fail(read.error());
  fs::Tree& all = *read;
  // Of the host's extended attributes only file capabilities belong in
  // an image (ping's cap_net_raw); SELinux labels and the like do not.
  for (const auto& [path, node] : all.entries()) {
    auto& x = all.FindMutable(path)->xattrs;
    std::erase_if(x, [](const auto& kv) { return kv.first != "security.capability"; });
  }
  if (!src->image_root.empty()) {
    std::vector<std::string> removed;
    base::Result<size_t> same = DropUnchanged(all, src->image_root, src->dir, &removed);
    if (!same) return base::Fail(same.error());
    // What the commands deleted from the image: a whiteout each
    // (`.wh.NAME` beside it), as a container engine's diff layer says it.
    for (const std::string& gone : removed)
      DISTILL_TRY(
          all.Add(WhiteoutPath(gone.substr(1)), fs::Node::File(fs::Content::Inline(""), 0, 0)));
  }
  for (const auto& [path, node] : all.entries())
    if (!path.empty()) DISTILL_TRY(layer.Add(path, node));
  return {};
}

namespace {

// The host path of `rel` in `root` with its parents resolved inside the
// root and its last component not followed; "" when a parent is missing.
std::string PathInRoot(const RootDir& root, const std::string& rel) {
  std::string parent = fs::ParentPath(rel);
  if (!root.Exists(parent)) return "";
  base::Result<std::string> real = root.Resolve(parent);
  if (!real) return "";
  std::string leaf = parent.empty() ? rel : rel.substr(parent.size() + 1);
  return root.path() + "/" + (real->empty() ? "" : *real + "/") + leaf;
}

bool SameBytes(const std::string& a, const std::string& b) {
  base::UniqueFd fa(open(a.c_str(), O_RDONLY | O_CLOEXEC));
  base::UniqueFd fb(open(b.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fa.fd < 0 || fb.fd < 0) return false;
  static thread_local char x[1 << 16], y[1 << 16];
  for (;;) {
    ssize_t n = read(fa.fd, x, sizeof x);
    if (n < 0) return false;
    ssize_t m = 0;
    while (m < n) {
      ssize_t k = read(fb.fd, y + m, static_cast<size_t>(n - m));
      if (k <= 0) return false;
      m += k;
    }
    if (n == 0) return read(fb.fd, y, 1) == 0;
    if (memcmp(x, y, static_cast<size_t>(n)) != 0) return false;
  }
}

// True when the entry at `host` (lstat'ed) is what `node` describes.
bool Unchanged(const fs::Node& node, const std::string& host) {
  struct stat st;
  if (host.empty() || lstat(host.c_str(), &st) != 0) return false;
  if ((st.st_mode & 07777) != node.mode || st.st_uid != node.uid || st.st_gid != node.gid)
    return false;
  switch (node.type) {
    case fs::NodeType::kDir:
      return S_ISDIR(st.st_mode);
    case fs::NodeType::kSymlink: {
      if (!S_ISLNK(st.st_mode)) return false;
      char buf[4096];
      ssize_t n = readlink(host.c_str(), buf, sizeof buf);
      return n >= 0 && std::string_view(buf, static_cast<size_t>(n)) == node.link;
    }
    case fs::NodeType::kFile:
      return S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) == node.size &&
             node.content.kind == fs::Content::Kind::kDiskFile && node.content.offset == 0 &&
             SameBytes(node.content.path, host);
    default:
      return false;  // devices, FIFOs and hardlinks are kept
  }
}

}  // namespace

base::Result<size_t> DropUnchanged(fs::Tree& tree, const std::string& image_root,
                                   const std::string& stage_root,
                                   std::vector<std::string>* removed) {
  base::Result<RootDir> root = RootDir::Open(image_root, false);
  if (!root) return base::Fail(root.error());
  // Children first, so a directory left empty by them can go too.
  std::vector<std::string> drop;
  std::set<std::string> kept_parents;
  const auto& entries = tree.entries();
  // Hardlinks are always kept, and so are the files they name.
  std::set<std::string> link_targets;
  for (const auto& [path, node] : entries)
    if (node.type == fs::NodeType::kHardlink) link_targets.insert(node.link);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const auto& [path, node] = *it;
    if (path.empty()) continue;
    if (!kept_parents.contains(path) && !link_targets.contains(path) &&
        Unchanged(node, PathInRoot(*root, path))) {
      drop.push_back(path);
      continue;
    }
    for (std::string p = fs::ParentPath(path); kept_parents.insert(p).second && !p.empty();
         p = fs::ParentPath(p)) {
    }
  }
  for (const std::string& p : drop) tree.Remove(p);
  // What the stage removed from the image, the topmost path of each removed
  // subtree: the caller writes a whiteout for each.
  if (removed) {
    base::Result<RootDir> stage = RootDir::Open(stage_root, false);
    if (!stage) return base::Fail(stage.error());
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(image_root, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      std::string rel = it->path().string().substr(image_root.size() + 1);
      std::string host = PathInRoot(*stage, rel);
      struct stat st;
      if (host.empty() || lstat(host.c_str(), &st) != 0) {
        removed->push_back("/" + rel);
        it.disable_recursion_pending();
      } else if (!S_ISDIR(st.st_mode)) {
        // A directory replaced by a file or link: the new entry hides
        // everything that was below it.
        it.disable_recursion_pending();
      }
    }
    if (ec) return base::Fail("reading '{}': {}", image_root, ec.message());
  }
  return drop.size();
}

}  // namespace build
