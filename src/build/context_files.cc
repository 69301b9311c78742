// Context files → tree entries. Follows `docker build` COPY semantics where
// users expect them (a directory source copies its contents into dst; a dst
// ending in '/' receives the source's basename) and departs where
// reproducibility demands it: modes are normalized the way git stores them,
// because the same checkout has 0664 or 0644 files depending on the umask.
#include "build/context_files.h"

#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>

#include "archive/tar_reader.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "build/rootfs.h"

namespace build {

namespace {

struct CopyState {
  CopyState(const Spec& s, const FileSpec& e, fs::Tree& t) : spec(s), entry(e), tree(t) {}
  const Spec& spec;
  const FileSpec& entry;
  fs::Tree& tree;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::map<std::pair<dev_t, ino_t>, std::string> seen_inodes;  // hardlinks
};

uint32_t NormalizedMode(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return 0755;
  return (st.st_mode & 0111) ? 0755 : 0644;
}

bool Excluded(const FileSpec& entry, const std::string& rel) {
  std::string base = rel.substr(rel.rfind('/') + 1);
  for (const std::string& pat : entry.exclude) {
    std::string p = pat;
    if (!p.empty() && p.back() == '/') p.pop_back();
    if (fnmatch(p.c_str(), rel.c_str(), 0) == 0 || fnmatch(p.c_str(), base.c_str(), 0) == 0)
      return true;
  }
  return false;
}

base::Result<void> AddOne(CopyState& s, const std::string& src, const std::string& dst,
                          const std::string& rel);

base::Result<void> AddDir(CopyState& s, const std::string& src, const std::string& dst,
                          const std::string& rel) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& de : std::filesystem::directory_iterator(src, ec))
    names.push_back(de.path().filename().string());
  if (ec) return base::Fail("reading directory '{}': {}", src, ec.message());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string child_rel = rel.empty() ? name : rel + "/" + name;
    if (Excluded(s.entry, child_rel)) continue;
    std::string child_dst = dst.empty() ? name : dst + "/" + name;
    DISTILL_TRY(AddOne(s, src + "/" + name, child_dst, child_rel));
  }
  return {};
}

base::Result<void> AddOne(CopyState& s, const std::string& src, const std::string& dst,
                          const std::string& rel) {
  struct stat st;
  if (lstat(src.c_str(), &st) != 0) return base::Fail("'{}': {}", src, base::ErrnoText());
  fs::Node node;
  node.uid = s.uid;
  node.gid = s.gid;
  node.mtime = st.st_mtime;
  node.mode = NormalizedMode(st);
  if (S_ISDIR(st.st_mode)) {
    node.type = fs::NodeType::kDir;
    DISTILL_TRY(s.tree.Add(dst, node));
    return AddDir(s, src, dst, rel);
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

// Dockerfile ADD: unpacks `src` into `dst` when it is a tar archive, keeping
// its entries' types, modes, owners (unless the entry gives one) and times,
// as docker does. Returns false when `src` is not a tar archive (it is then
// copied as a file). The reader rejects entries that escape the root.
base::Result<bool> AddArchive(CopyState& s, const std::string& src, const std::string& dst) {
  constexpr uint64_t kMaxEntry = uint64_t{4} << 30;
  base::Result<std::unique_ptr<archive::TarReader>> tar = archive::TarReader::OpenFile(src);
  if (!tar) return false;
  for (bool first = true;; first = false) {
    base::Result<std::optional<archive::TarEntry>> e = (*tar)->Next();
    if (!e && first) return false;
    if (!e) return base::Fail(e.error());
    if (!*e) return true;
    const archive::TarEntry& t = **e;
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
      base::Result<std::string> data = (*tar)->ReadDataString(kMaxEntry);
      if (!data) return base::Fail(data.error());
      node.size = data->size();
      node.content = fs::Content::Inline(std::move(*data));
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
                                   const fs::Tree& below) {
  auto at = [&](const base::Error& e) {
    return base::Fail(SpecError(spec, entry.src_mark, e.message()));
  };
  base::Result<std::string> dst = fs::NormalizePath(entry.dst);
  if (!dst) return at(dst.error());
  CopyState s(spec, entry, tree);
  if (!entry.owner.empty()) {
    base::Result<std::pair<uint32_t, uint32_t>> owner = ParseOwner(entry.owner, below);
    if (!owner) return at(owner.error());
    s.uid = owner->first;
    s.gid = owner->second;
  }
  base::Result<std::string> rel_src = fs::NormalizePath("/" + entry.src);
  if (!rel_src || base::StartsWith(entry.src, "/"))
    return at(base::Error("source '{}' is outside the context", entry.src));
  std::vector<std::string> sources;
  std::string full = base::JoinPath(context, *rel_src);
  if (IsGlob(entry.src)) {
    glob_t g;
    if (glob(full.c_str(), 0, nullptr, &g) == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i) sources.push_back(g.gl_pathv[i]);
    globfree(&g);
    if (sources.empty())
      return at(base::Error("'{}' matches nothing in the context '{}'", entry.src, context));
  } else {
    if (!base::PathExists(full))
      return at(base::Error("source '{}' not found in the context '{}'", entry.src, context));
    sources.push_back(full);
  }
  bool into_dir = sources.size() > 1 || (!entry.dst.empty() && entry.dst.back() == '/');
  for (const std::string& src : sources) {
    if (entry.extract && !base::IsDirectory(src)) {
      base::Result<bool> unpacked = AddArchive(s, src, *dst);
      if (!unpacked) return at(unpacked.error().Context("unpacking '{}'", entry.src));
      if (*unpacked) continue;
    }
    std::string target = *dst;
    if (into_dir && !base::IsDirectory(src)) {
      std::string name = src.substr(src.rfind('/') + 1);
      target = target.empty() ? name : target + "/" + name;
    }
    base::Result<void> r = AddOne(s, src, target, "");
    if (!r) return at(r.error());
  }
  return {};
}

}  // namespace build
