// The layer writer: fs::Tree → tar (archive::TarWriter) → DiffID hash →
// compressor → digest hash → blob file, one pass, no re-reading (formats.md
// A7, A8). Reproducibility rests on the tree's sorted order, the clamp of
// every mtime to SOURCE_DATE_EPOCH, and pinned compressor settings.
#include "oci/layer_writer.h"

#include "fs/tar_node.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <vector>

#include "archive/tar_writer.h"
#include "base/file_util.h"
#include "base/sink.h"
#include "oci/media_types.h"

namespace oci {

const char* LayerMediaType(archive::Compression c) {
  switch (c) {
    case archive::Compression::kNone:
      return kMediaTypeLayer;
    case archive::Compression::kGzip:
      return kMediaTypeLayerGzip;
    case archive::Compression::kZstd:
      return kMediaTypeLayerZstd;
  }
  return kMediaTypeLayerGzip;
}

namespace {

// Streams a regular file's content into the tar writer.
base::Result<void> CopyContent(const fs::Node& node, archive::TarWriter& tar) {
  if (node.size == 0) return {};
  if (node.content.kind == fs::Content::Kind::kInline) {
    const std::string& b = *node.content.bytes;
    return tar.WriteData(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()),
                                                  std::min<uint64_t>(b.size(), node.size)));
  }
  const std::string& path = node.content.path;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::Fail("reading '{}': {}", path, base::ErrnoText());
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  static thread_local std::vector<uint8_t> buf(1 << 20);
  uint64_t offset = node.content.offset;
  uint64_t left = node.size;
  while (left > 0) {
    ssize_t n =
        pread(fd, buf.data(), std::min<uint64_t>(left, buf.size()), static_cast<off_t>(offset));
    if (n <= 0) {
      std::string why = n < 0 ? base::ErrnoText() : "file changed while reading";
      close(fd);
      return base::Fail("reading '{}': {}", path, why);
    }
    base::Result<void> w = tar.WriteData(std::span<const uint8_t>(buf.data(), n));
    if (!w) {
      close(fd);
      return w;
    }
    offset += n;
    left -= n;
  }
  close(fd);
  return {};
}

// Hardlink groups: every member of a group (the target and its links) maps
// to the member that comes first in tar order, which carries the content.
std::map<std::string, std::string> HardlinkLeaders(const fs::Tree& tree) {
  std::map<std::string, std::string> leader;
  for (const auto& [path, node] : tree.entries()) {
    if (node.type != fs::NodeType::kHardlink) continue;
    const std::string& target = node.link;
    auto it = leader.find(target);
    std::string first = it == leader.end() ? target : it->second;
    first = std::min(first, path);
    leader[target] = first;
  }
  std::map<std::string, std::string> out;
  for (const auto& [path, node] : tree.entries())
    if (node.type == fs::NodeType::kHardlink) out[path] = leader[node.link];
  for (const auto& [target, first] : leader) out[target] = first;
  return out;
}

base::Result<void> WriteEntries(const fs::Tree& tree, const LayerOptions& opts,
                                archive::TarWriter& tar) {
  std::map<std::string, std::string> leaders = HardlinkLeaders(tree);
  for (const auto& [path, node] : tree.entries()) {
    if (path.empty()) continue;
    const fs::Node* data = &node;
    auto lead = leaders.find(path);
    if (lead != leaders.end()) {
      // The group's content lives in the target node, wherever it sorts.
      const fs::Node* target = node.type == fs::NodeType::kHardlink ? tree.Find(node.link) : &node;
      if (!target || target->type != fs::NodeType::kFile)
        return base::Fail("hardlink '/{}' points at '/{}', which is not a regular file", path,
                          node.link);
      data = target;
    }
    archive::TarEntry e = fs::TarFromNode(path, *data);
    if (data->type != fs::NodeType::kSymlink) e.link.clear();
    if (lead != leaders.end() && lead->second != path) {
      e.type = archive::EntryType::kHardlink;
      e.link = lead->second;
      e.size = 0;
    }
    e.mtime = std::max<int64_t>(0, std::min(data->mtime, opts.source_date_epoch));
    base::Result<void> added = tar.Add(e);
    if (!added) return base::Fail(added.error().Context("writing '/{}'", path));
    if (e.type == archive::EntryType::kFile) DISTILL_TRY(CopyContent(*data, tar));
  }
  return tar.Finish();
}

}  // namespace

base::Result<Layer> WriteLayer(const fs::Tree& tree, const LayerOptions& opts,
                               std::string created_by) {
  static std::atomic<unsigned> counter{0};
  std::string pending = base::JoinPath(opts.blob_dir, "layer-" + std::to_string(counter++));
  base::Result<base::AtomicFile> file = base::AtomicFile::Create(pending);
  if (!file) return base::Fail(file.error());
  base::FileSink file_sink(file->file(), pending);
  base::HashingSink blob_hash(&file_sink);
  std::unique_ptr<base::Sink> compressor =
      archive::NewCompressor(opts.compression, &blob_hash, opts.threads);
  base::HashingSink diff_hash(compressor.get());
  base::Result<std::unique_ptr<archive::TarWriter>> tar = archive::TarWriter::Create(&diff_hash);
  if (!tar) return base::Fail(tar.error());
  DISTILL_TRY(WriteEntries(tree, opts, **tar));
  DISTILL_TRY(diff_hash.Close());
  DISTILL_TRY(file->Commit());

  Layer layer;
  layer.diff_id = diff_hash.Digest();
  layer.uncompressed_size = diff_hash.size();
  layer.descriptor.media_type = LayerMediaType(opts.compression);
  layer.descriptor.digest = blob_hash.Digest();
  layer.descriptor.size = static_cast<int64_t>(blob_hash.size());
  layer.path = base::JoinPath(opts.blob_dir, layer.descriptor.digest.substr(7));
  layer.created_by = std::move(created_by);
  if (rename(pending.c_str(), layer.path.c_str()) != 0) {
    base::Error e("renaming '{}': {}", pending, base::ErrnoText());
    unlink(pending.c_str());
    return base::Fail(e);
  }
  return layer;
}

}  // namespace oci
