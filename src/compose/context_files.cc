// Context files → tree entries. Follows `docker build` COPY semantics where
// users expect them (a directory source copies its contents into dst; a dst
// ending in '/' receives the source's basename; `.distillignore` plays
// `.dockerignore`'s part) and departs where reproducibility demands it: modes
// are normalized the way git stores them, because the same checkout has 0664
// or 0644 files depending on the umask. Sources never leave the context: a
// source path through a symlink that points outside it is an error, and
// symlinks inside copied directories are copied as symlinks, not followed.
#include "compose/context_files.h"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>

#include "archive/tar_reader.h"
#include "base/file_util.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "compose/base_layer.h"
#include "compose/ignore_rules.h"
#include "compose/layers.h"
#include "compose/rootfs.h"

namespace build {

namespace {

constexpr char kIgnoreFile[] = ".distillignore";

struct CopyState {
  CopyState(const Spec& s, const FileSpec& e, fs::Tree& t, const ContextOptions& o)
      : spec(s), entry(e), tree(t), options(o) {}
  const Spec& spec;
  const FileSpec& entry;
  fs::Tree& tree;
  const ContextOptions& options;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::map<std::pair<dev_t, ino_t>, std::string> seen_inodes;  // hardlinks
  IgnoreRules context_ignore;  // .distillignore, paths relative to the context
  IgnoreRules exclude;         // the entry's `exclude:`, relative to its source
};

// Where a walk is: the source path on disk, its path relative to the context
// root and relative to the entry's source, and the destination in the tree.
struct Place {
  std::string src;
  std::string ctx_rel;
  std::string rel;
  std::string dst;
};

std::string Child(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "/" + name;
}

uint32_t NormalizedMode(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return 0755;
  return (st.st_mode & 0111) ? 0755 : 0644;
}

bool Excluded(const CopyState& s, const Place& p, bool is_dir) {
  return s.exclude.ExcludedBy(p.rel, is_dir) || s.context_ignore.ExcludedBy(p.ctx_rel, is_dir);
}

base::Result<void> AddOne(CopyState& s, const Place& p);

// A name a layer would read as a whiteout (`.wh.NAME`, `.wh..wh..opq`):
// only compose's WhiteoutPath may make one.
bool IsWhiteoutName(std::string_view name) { return name.starts_with(kWhiteoutPrefix); }

// `s` with each NUL shown as "\\0", for messages.
std::string ShowNul(std::string_view s) {
  std::string out;
  for (char c : s) c == '\0' ? out += "\\0" : out += c;
  return out;
}

// The first component of `path` that is a whiteout name, or "".
std::string_view WhiteoutComponent(std::string_view path) {
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (IsWhiteoutName(part)) return part;
    path = slash == std::string_view::npos ? "" : path.substr(slash + 1);
  }
  return "";
}

base::Result<void> AddDir(CopyState& s, const Place& p) {
  std::vector<std::pair<std::string, bool>> children;  // name, is a directory
  std::error_code ec;
  for (const auto& de : std::filesystem::directory_iterator(p.src, ec))
    children.emplace_back(de.path().filename().string(), de.is_directory() && !de.is_symlink());
  if (ec) return base::Fail("reading directory '{}': {}", p.src, ec.message());
  std::sort(children.begin(), children.end());
  for (const auto& [name, is_dir] : children) {
    Place child{p.src + "/" + name, Child(p.ctx_rel, name), Child(p.rel, name), Child(p.dst, name)};
    if (Excluded(s, child, is_dir)) continue;
    DISTILL_TRY(AddOne(s, child));
  }
  return {};
}

base::Result<void> AddOne(CopyState& s, const Place& p) {
  const std::string& src = p.src;
  const std::string& dst = p.dst;
  if (IsWhiteoutName(dst.substr(dst.rfind('/') + 1)))
    return base::Fail(
        "context file '{}' would be '/{}' in the layer, a name starting with '{}' "
        "that layers read as a whiteout",
        p.ctx_rel, dst, kWhiteoutPrefix);
  struct stat st;
  if (lstat(src.c_str(), &st) != 0) return base::Fail("'{}': {}", src, base::ErrnoText());
  fs::Node node;
  node.uid = s.uid;
  node.gid = s.gid;
  node.mtime = st.st_mtime;
  node.mode = NormalizedMode(st);
  if (S_ISDIR(st.st_mode)) {
    node.type = fs::NodeType::kDir;
    // The top of a directory copy onto a directory the image already has
    // (`dst: /etc`, `dst: /tmp`) merges into it and keeps its owner and mode,
    // as a parent does, unless the entry sets an owner.
    node.implicit = p.rel.empty() && s.entry.owner.empty();
    DISTILL_TRY(s.tree.Add(dst, node));
    return AddDir(s, p);
  }
  if (S_ISLNK(st.st_mode)) {
    std::vector<char> buf(st.st_size + 1 > 4096 ? st.st_size + 1 : 4096);
    ssize_t n = readlink(src.c_str(), buf.data(), buf.size());
    if (n < 0) return base::Fail("'{}': {}", src, base::ErrnoText());
    node.type = fs::NodeType::kSymlink;
    node.mode = 0777;
    node.link.assign(buf.data(), n);
    return s.tree.Add(dst, node);
  }
  if (!S_ISREG(st.st_mode))
    return base::Fail("'{}': not a regular file, directory or symlink", src);
  if (s.entry.mode) node.mode = *s.entry.mode;
  if (st.st_nlink > 1) {
    auto [it, fresh] = s.seen_inodes.emplace(std::make_pair(st.st_dev, st.st_ino), dst);
    if (!fresh) {
      node.type = fs::NodeType::kHardlink;
      node.link = it->second;
      return s.tree.Add(dst, node);
    }
  }
  node.type = fs::NodeType::kFile;
  node.size = static_cast<uint64_t>(st.st_size);
  node.content = fs::Content::Disk(src);
  return s.tree.Add(dst, node);
}

bool IsGlob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// The context's .distillignore, if it has one.
base::Result<IgnoreRules> ReadContextIgnore(const std::string& context) {
  std::string path = base::JoinPath(context, kIgnoreFile);
  if (!base::PathExists(path)) return IgnoreRules();
  base::Result<std::string> text = base::ReadFile(path);
  if (!text) return base::Fail(text.error());
  return IgnoreRules::Parse(*text);
}

// Whether `path`'s parent directory, symlinks resolved, is inside
// `real_context` (the context's realpath); the last component itself is
// copied as it is (a symlink stays a symlink).
bool InsideContext(const std::string& real_context, const std::string& path) {
  char* real = realpath(base::DirName(path).c_str(), nullptr);
  if (!real) return false;
  std::string r = real;
  free(real);
  return r == real_context || r.starts_with(real_context == "/" ? "/" : real_context + "/");
}

// The context files that `entry.src` names: one path, or a glob's matches in
// sorted order, less what .distillignore excludes. Each is paired with its
// path relative to the context root.
base::Result<std::vector<std::pair<std::string, std::string>>> Sources(const FileSpec& entry,
                                                                       const std::string& context,
                                                                       const std::string& rel_src,
                                                                       const IgnoreRules& ignore) {
  std::string prefix = base::JoinPath(context, "");
  std::string full = prefix + rel_src;
  std::vector<std::pair<std::string, std::string>> out;
  if (!IsGlob(entry.src)) {
    struct stat st;
    if (lstat(full.c_str(), &st) != 0)
      return base::Fail("source '{}' not found in the context '{}'", entry.src, context);
    if (std::optional<int> line = ignore.PathExcludedBy(rel_src, base::IsDirectory(full)))
      return base::Fail("source '{}' is excluded by {}:{} ('{}')", entry.src, kIgnoreFile, *line,
                        ignore.PatternAt(*line));
    out.emplace_back(full, rel_src);
    return out;
  }
  glob_t g;
  if (glob(full.c_str(), 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      std::string path = g.gl_pathv[i];
      std::string rel = path.starts_with(prefix) ? path.substr(prefix.size()) : path;
      if (!ignore.PathExcludedBy(rel, base::IsDirectory(path))) out.emplace_back(path, rel);
    }
  globfree(&g);
  if (out.empty())
    return base::Fail("'{}' matches nothing in the context '{}'", entry.src, context);
  return out;
}

// Dockerfile ADD: unpacks `src` into `dst` when it is a tar archive, keeping
// its entries' types, modes, owners (unless the entry gives one) and times,
// as docker does. Returns false when `src` is not a tar archive (it is then
// copied as a file); a tar archive whose first entry is bad (escapes the
// root, exceeds a limit) is an error, not a file to copy.
base::Result<bool> AddArchive(CopyState& s, const std::string& src, const std::string& dst) {
  base::Result<std::unique_ptr<archive::TarReader>> tar = archive::TarReader::OpenFile(src);
  if (!tar) return false;
  (*tar)->SetLimits(s.options.limits);
  for (bool first = true;; first = false) {
    base::Result<std::optional<archive::TarEntry>> e = (*tar)->Next();
    if (!e && first && !(*tar)->is_tar()) return false;
    if (!e) return base::Fail(e.error());
    if (!*e) return true;
    const archive::TarEntry& t = **e;
    if (!WhiteoutComponent(t.path).empty())
      return base::Fail(
          "entry '{}' has a name starting with '{}', which layers read as a "
          "whiteout",
          t.path, kWhiteoutPrefix);
    std::string path = t.path.empty() ? dst : dst.empty() ? t.path : dst + "/" + t.path;
    fs::Node node;
    node.type = static_cast<fs::NodeType>(t.type);  // the same kinds, in the same order
    node.mode = t.mode;
    node.uid = s.entry.owner.empty() ? t.uid : s.uid;
    node.gid = s.entry.owner.empty() ? t.gid : s.gid;
    node.mtime = t.mtime;
    node.link = t.link;
    node.dev_major = t.dev_major;
    node.dev_minor = t.dev_minor;
    if (t.type == archive::EntryType::kHardlink)
      node.link = dst.empty() ? t.link : dst + "/" + t.link;
    if (t.type == archive::EntryType::kFile) {
      node.size = t.size;
      if (s.options.store != nullptr) {
        // Streamed into the store: an entry never has to fit in memory.
        base::Result<std::string> hex = StoreContent(*s.options.store, **tar, t.size);
        if (!hex) return base::Fail(hex.error().Context("entry '{}'", t.path));
        node.content = fs::Content::Disk(s.options.store->Path(*hex));
      } else {
        base::Result<std::string> data = (*tar)->ReadDataString(s.options.limits.value_bytes);
        if (!data) return base::Fail(data.error());
        node.content = fs::Content::Inline(std::move(*data));
      }
    }
    if (path.empty() && t.type == archive::EntryType::kDir) continue;  // the root itself
    DISTILL_TRY(s.tree.Add(path, node));
  }
}

}  // namespace

base::Result<std::pair<uint32_t, uint32_t>> ParseOwner(const std::string& owner,
                                                       const fs::Tree& below) {
  std::vector<std::string> parts = base::Split(owner, ':');
  if (parts.size() > 2 || parts[0].empty())
    return base::Fail("invalid owner '{}' (expected user[:group])", owner);
  auto number = [](const std::string& s) -> std::optional<uint32_t> {
    if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    uint64_t v = std::stoull(s);
    if (v > 0xffffffffu) return std::nullopt;
    return static_cast<uint32_t>(v);
  };
  std::optional<uint32_t> uid = number(parts[0]);
  std::optional<uint32_t> gid;
  if (!uid) {
    base::Result<User> u = LookupUser(below, parts[0]);
    if (!u) return base::Fail("owner '{}': {}", owner, u.error().message());
    uid = u->uid;
    gid = u->gid;
  } else {
    gid = uid;  // "1000" means 1000:1000, as Docker's --chown
  }
  if (parts.size() == 2) {
    gid = number(parts[1]);
    if (!gid) {
      base::Result<Group> g = LookupGroup(below, parts[1]);
      if (!g) return base::Fail("owner '{}': {}", owner, g.error().message());
      gid = g->gid;
    }
  }
  return std::make_pair(*uid, *gid);
}

base::Result<void> AddContextFiles(const Spec& spec, const FileSpec& entry,
                                   const std::string& context, fs::Tree& tree,
                                   const fs::Tree& below, const ContextOptions& options) {
  auto at = [&](const base::Error& e) {
    return base::Fail(SpecError(spec, entry.src_mark, e.message()));
  };
  // A path is a C string below this point: a NUL would cut it short.
  if (entry.src.find('\0') != std::string::npos)
    return at(base::Error("source '{}' contains a NUL byte", ShowNul(entry.src)));
  if (entry.dst.find('\0') != std::string::npos)
    return at(base::Error("destination '{}' contains a NUL byte", ShowNul(entry.dst)));
  base::Result<std::string> dst = fs::NormalizePath(entry.dst);
  if (!dst) return at(dst.error());
  if (!WhiteoutComponent(*dst).empty())
    return at(
        base::Error("destination '{}' has a name starting with '{}', which layers read as a "
                    "whiteout",
                    entry.dst, kWhiteoutPrefix));
  CopyState s(spec, entry, tree, options);
  if (!entry.owner.empty()) {
    base::Result<std::pair<uint32_t, uint32_t>> owner = ParseOwner(entry.owner, below);
    if (!owner) return at(owner.error());
    s.uid = owner->first;
    s.gid = owner->second;
  }
  base::Result<std::string> rel_src = fs::NormalizePath("/" + entry.src);
  if (!rel_src || base::StartsWith(entry.src, "/"))
    return at(base::Error("source '{}' is outside the context", entry.src));
  base::Result<IgnoreRules> ignore = ReadContextIgnore(context);
  if (!ignore) return at(ignore.error());
  s.context_ignore = std::move(*ignore);
  s.exclude = IgnoreRules::FromList(entry.exclude);
  base::Result<std::vector<std::pair<std::string, std::string>>> sources =
      Sources(entry, context, *rel_src, s.context_ignore);
  if (!sources) return at(sources.error());
  char* real = realpath(context.c_str(), nullptr);
  if (!real) return at(base::Error("context '{}': {}", context, base::ErrnoText()));
  std::string real_context = real;
  free(real);
  bool into_dir = sources->size() > 1 || (!entry.dst.empty() && entry.dst.back() == '/');
  for (const auto& [src, ctx_rel] : *sources) {
    if (!InsideContext(real_context, src))
      return at(base::Error("source '{}' leaves the context through a symlink", ctx_rel));
    if (entry.extract && !base::IsDirectory(src)) {
      base::Result<bool> unpacked = AddArchive(s, src, *dst);
      if (!unpacked) return at(unpacked.error().Context("unpacking '{}'", entry.src));
      if (*unpacked) continue;
    }
    std::string target = *dst;
    if (into_dir && !base::IsDirectory(src)) target = Child(target, src.substr(src.rfind('/') + 1));
    base::Result<void> r = AddOne(s, {src, ctx_rel, "", target});
    if (!r) return at(r.error());
  }
  return {};
}

base::Result<std::string> FilesLayerInputs(const fs::Tree& tree, int64_t source_date_epoch) {
  std::string out = "files-v1\n";
  for (const auto& [path, n] : tree.entries()) {
    if (path.empty()) continue;
    // The layer writer clamps times this way; equal clamped times make equal layers.
    int64_t mtime = std::max<int64_t>(0, std::min(n.mtime, source_date_epoch));
    std::string content;
    if (n.type == fs::NodeType::kFile) {
      if (n.content.kind == fs::Content::Kind::kInline) {
        content = base::Sha256Hex(n.content.bytes ? *n.content.bytes : "");
      } else if (n.content.offset == 0) {
        base::Result<std::string> h = base::Sha256FileHex(n.content.path);
        if (!h) return base::Fail(h.error().Context("hashing '{}'", n.content.path));
        content = *h;
      } else {
        return base::Fail("'/{}': a files layer cannot hash a byte range", path);
      }
    }
    out += fmt::format("{} {} {:o} {}:{} {} {} {} {}\n", path, static_cast<int>(n.type), n.mode,
                       n.uid, n.gid, mtime, n.size, n.link, content);
  }
  return out;
}

}  // namespace build
