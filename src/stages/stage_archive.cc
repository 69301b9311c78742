// Stage results as registry-cache blobs (stage_archive.h). Writing reads the
// result directory with lstat(2) into an fs::Tree that keeps what the disk
// says (owners, modes, mtimes, xattrs; hardlinks by inode) and hands it to
// the layer writer, so the blob has the layer writer's guarantees: entries
// in bytewise order, numeric ids only, no atime/ctime, hardlink groups as
// one file plus links, pinned gzip settings (formats.md A7, A8). Unlike an
// image layer, mtimes are kept rather than clamped to SOURCE_DATE_EPOCH: a
// restored result is then the directory another machine made, and a later
// stage's `make` sees the times it would have seen there. (An image never
// sees them: its layers clamp every mtime.) Directory mtimes are not
// restored, as RootDir::Put sets none.
//
// Reading goes through archive::TarReader, which refuses absolute paths,
// ".." components and hardlinks out of the archive, and RootDir::Put, which
// resolves every path inside the directory (openat2 RESOLVE_IN_ROOT): a
// hostile blob writes nowhere else. rootfs/ is a root of its own, so a
// symlink in it to "/" leads to rootfs/, as it would in the container. The top level may hold only
// rootfs/ and stage.json, the two as a real directory and a regular file, since the rest of distill
// opens them by their host paths.
#include "stages/stage_archive.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "archive/tar_reader.h"
#include "base/file_util.h"
#include "base/sha256.h"
#include "stages/stage_rootfs.h"
#include "oci/layer_writer.h"

namespace build {

namespace {

// The store entry kind mapping sha256(kind, key) to a stage blob.
constexpr char kBlobEntryKind[] = "stage-blobs";

struct Walk {
  std::string root;
  fs::Tree tree;
  std::map<std::pair<dev_t, ino_t>, std::string> inodes;  // first path of each shared inode
};

// The extended attributes of `path` (not followed), sorted by name.
base::Result<std::vector<std::pair<std::string, std::string>>> ReadXattrs(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  ssize_t n = llistxattr(path.c_str(), nullptr, 0);
  if (n < 0 && (errno == ENOTSUP || errno == ENODATA)) return out;
  if (n < 0) return base::Fail("listing extended attributes of '{}': {}", path, base::ErrnoText());
  std::string names(static_cast<size_t>(n), '\0');
  n = llistxattr(path.c_str(), names.data(), names.size());
  if (n < 0) return base::Fail("listing extended attributes of '{}': {}", path, base::ErrnoText());
  names.resize(static_cast<size_t>(n));
  for (size_t i = 0; i < names.size(); i += strlen(names.c_str() + i) + 1) {
    const char* name = names.c_str() + i;
    ssize_t v = lgetxattr(path.c_str(), name, nullptr, 0);
    if (v < 0)
      return base::Fail("reading attribute '{}' of '{}': {}", name, path, base::ErrnoText());
    std::string value(static_cast<size_t>(v), '\0');
    v = lgetxattr(path.c_str(), name, value.data(), value.size());
    if (v < 0)
      return base::Fail("reading attribute '{}' of '{}': {}", name, path, base::ErrnoText());
    value.resize(static_cast<size_t>(v));
    out.emplace_back(name, std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

base::Result<void> AddEntry(Walk& w, const std::string& rel) {
  std::string abs = rel.empty() ? w.root : w.root + "/" + rel;
  struct stat st;
  if (lstat(abs.c_str(), &st) != 0) return base::Fail("'{}': {}", abs, base::ErrnoText());
  if (S_ISSOCK(st.st_mode)) return {};
  fs::Node n;
  n.mode = st.st_mode & 07777;
  n.uid = st.st_uid;
  n.gid = st.st_gid;
  n.mtime = st.st_mtim.tv_sec;
  if (!S_ISLNK(st.st_mode)) {  // symlinks' own attributes are not restored
    base::Result<std::vector<std::pair<std::string, std::string>>> x = ReadXattrs(abs);
    if (!x) return base::Fail(x.error());
    n.xattrs = std::move(*x);
  }
  if (S_ISDIR(st.st_mode)) {
    n.type = fs::NodeType::kDir;
    if (!rel.empty()) DISTILL_TRY(w.tree.Add(rel, n));
    DIR* d = opendir(abs.c_str());
    if (!d) return base::Fail("reading '{}': {}", abs, base::ErrnoText());
    std::vector<std::string> names;
    while (dirent* e = readdir(d))
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names)
      DISTILL_TRY(AddEntry(w, rel.empty() ? name : rel + "/" + name));
    return {};
  }
  if (S_ISREG(st.st_mode)) {
    if (st.st_nlink > 1) {
      auto [it, fresh] = w.inodes.emplace(std::make_pair(st.st_dev, st.st_ino), rel);
      if (!fresh) {
        n.type = fs::NodeType::kHardlink;
        n.link = it->second;
        return w.tree.Add(rel, n);
      }
    }
    n.type = fs::NodeType::kFile;
    n.content = fs::Content::Disk(abs);
    n.size = static_cast<uint64_t>(st.st_size);
  } else if (S_ISLNK(st.st_mode)) {
    std::vector<char> buf(static_cast<size_t>(std::max<off_t>(st.st_size, PATH_MAX)) + 1);
    ssize_t len = readlink(abs.c_str(), buf.data(), buf.size());
    if (len < 0) return base::Fail("'{}': {}", abs, base::ErrnoText());
    n.type = fs::NodeType::kSymlink;
    n.link.assign(buf.data(), static_cast<size_t>(len));
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    n.type = S_ISCHR(st.st_mode) ? fs::NodeType::kCharDev : fs::NodeType::kBlockDev;
    n.dev_major = major(st.st_rdev);
    n.dev_minor = minor(st.st_rdev);
  } else {
    n.type = fs::NodeType::kFifo;
  }
  return w.tree.Add(rel, n);
}

// The top level of a stage result: rootfs/ (a directory) and its contents,
// and stage.json (a regular file).
bool TopLevelAllowed(const archive::TarEntry& e) {
  if (e.path == "rootfs") return e.type == archive::EntryType::kDir;
  if (e.path == "stage.json") return e.type == archive::EntryType::kFile;
  return e.path.starts_with("rootfs/");
}

std::string BlobEntryKey(std::string_view kind, const std::string& key) {
  return base::Sha256Hex(std::string(kind) + "\n" + key);
}

}  // namespace

base::Result<fs::Tree> ReadDirTree(const std::string& dir) {
  Walk w;
  w.root = dir;
  DISTILL_TRY(AddEntry(w, ""));
  return std::move(w.tree);
}

base::Result<oci::Layer> WriteStageArchive(const std::string& dir, const std::string& blob_dir,
                                           int threads) {
  base::Result<fs::Tree> tree = ReadDirTree(dir);
  if (!tree) return base::Fail(tree.error());
  // Only what a stage result is (a runtime bundle left behind is not).
  std::vector<std::string> extra;
  for (const auto& [path, node] : tree->entries())
    if (!path.empty() && path.find('/') == std::string::npos && path != "rootfs" &&
        path != "stage.json")
      extra.push_back(path);
  for (const std::string& p : extra) tree->Remove(p);
  oci::LayerOptions opts;
  opts.compression = archive::Compression::kGzip;
  opts.source_date_epoch = INT64_MAX;  // mtimes kept (see the top of this file)
  opts.threads = threads;
  opts.blob_dir = blob_dir;
  base::Result<oci::Layer> layer = oci::WriteLayer(*tree, opts, "distill stage result");
  if (!layer) return base::Fail(layer.error().Context("archiving '{}'", dir));
  return layer;
}

base::Result<void> UnpackStageArchive(const std::string& blob, const std::string& name,
                                      const std::string& dir, const std::string& key,
                                      uint64_t max_bytes) {
  base::Result<RootDir> outer = RootDir::Open(dir, false);
  if (!outer) return base::Fail(outer.error());
  // rootfs/'s entries are written relative to rootfs/ itself, so its
  // absolute symlinks resolve as they do inside the container.
  std::optional<RootDir> rootfs;
  base::Result<std::unique_ptr<archive::TarReader>> opened =
      archive::TarReader::OpenFile(blob, name);
  if (!opened) return base::Fail(opened.error());
  archive::TarReader& reader = **opened;
  uint64_t total = 0;
  for (;;) {
    base::Result<std::optional<archive::TarEntry>> next = reader.Next();
    if (!next) return base::Fail(next.error());
    if (!*next) break;
    archive::TarEntry e = std::move(**next);
    if (!TopLevelAllowed(e))
      return base::Fail("'{}': entry '{}' is not part of a stage result", name, e.path);
    if (e.type == archive::EntryType::kFile) {
      total += e.size;
      if (total > max_bytes)
        return base::Fail("'{}': holds more than the {} bytes its cache entry declares", name,
                          max_bytes);
    }
    RootDir* root = &*outer;
    if (e.path.starts_with("rootfs/")) {
      if (!rootfs) {
        DISTILL_TRY(outer->MakeDirs("rootfs"));
        base::Result<RootDir> r = RootDir::Open(dir + "/rootfs", false);
        if (!r) return base::Fail(r.error());
        rootfs.emplace(std::move(*r));
      }
      root = &*rootfs;
      e.path = e.path.substr(7);
      if (e.type == archive::EntryType::kHardlink) {
        if (!e.link.starts_with("rootfs/"))
          return base::Fail("'{}': hardlink 'rootfs/{}' leaves rootfs/", name, e.path);
        e.link = e.link.substr(7);
      }
    }
    base::Result<void> put = root->Put(e, [&](int fd) -> base::Result<void> {
      base::FdSink sink(fd, "/" + e.path);
      return reader.ReadData(&sink);
    });
    if (put && !e.xattrs.empty() && e.type != archive::EntryType::kSymlink &&
        e.type != archive::EntryType::kHardlink)
      put = root->SetXattrs(e.path, e.xattrs);
    if (!put) return base::Fail(put.error().Context("'{}'", name));
  }
  struct stat st;
  std::string rootfs_path = dir + "/rootfs";
  if (lstat(rootfs_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return base::Fail("'{}': no rootfs directory", name);
  base::Result<std::string> meta = outer->ReadFile("stage.json");
  if (!meta) return base::Fail(meta.error());
  nlohmann::json j = nlohmann::json::parse(*meta, nullptr, false);
  std::string got = j.is_object() && j.contains("key") && j["key"].is_string() ? j["key"] : "";
  if (got != key)
    return base::Fail("'{}': holds the result for key '{}', not '{}'", name,
                      got.empty() ? "(none)" : got, key);
  return {};
}

base::Result<CacheEntry> StageCacheEntry(BuildContext& ctx, std::string_view kind,
                                         const std::string& key, const std::string& dir) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  std::string entry_key = BlobEntryKey(kind, key);
  if (std::optional<std::string> text = (*store)->GetEntry(kBlobEntryKind, entry_key)) {
    base::Result<std::vector<CacheEntry>> known = ParseCacheConfig(*text);
    if (known && known->size() == 1 && (*known)[0].kind == kind && (*known)[0].key == key &&
        (*store)->Has((*known)[0].blob.digest.substr(7))) {
      CacheEntry e = (*known)[0];
      e.path = (*store)->Path(e.blob.digest.substr(7));
      return e;
    }
  }
  ctx.reporter().Status(fmt::format("archiving {} {} for --cache-to", kind, key.substr(0, 12)));
  std::string tmp = ctx.CacheRoot() + "/tmp";
  DISTILL_TRY(base::MakeDirs(tmp));
  base::Result<oci::Layer> layer = WriteStageArchive(dir, tmp, ctx.options().threads);
  if (!layer) return base::Fail(layer.error());
  std::string hex = layer->descriptor.digest.substr(7);
  std::string dst = (*store)->Path(hex);
  if (!(*store)->Has(hex)) {
    DISTILL_TRY(base::MakeDirs(base::DirName(dst)));
    if (rename(layer->path.c_str(), dst.c_str()) != 0) {
      base::Result<void> put = (*store)->PutFile(hex, layer->path);
      unlink(layer->path.c_str());
      if (!put) return base::Fail(put.error());
    }
  } else {
    unlink(layer->path.c_str());
  }
  layer->path = dst;
  CacheEntry e = LayerCacheEntry(key, *layer, kind);
  RememberStageBlob(ctx, e);
  return e;
}

void RememberStageBlob(BuildContext& ctx, const CacheEntry& entry) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return;
  CacheEntry e = entry;
  e.path.clear();
  (void)(*store)->PutEntry(kBlobEntryKind, BlobEntryKey(e.kind, e.key), SerializeCacheConfig({e}));
}

}  // namespace build
