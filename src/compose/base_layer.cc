// A registry base's layer as entries (image-spec layer.md), and its record.
//
// The first build reads the layer blob: its uncompressed stream is hashed
// against the DiffID from the config (which the built image's config will
// list), and each regular file goes into the content-addressed store as a
// blob of its own. The entry list, whiteouts included, is then written as an
// entry record (fs/entry_record.h) at <cache>/baselayers/<DiffID hex>.json,
// so a warm build reads the record and no layer. A record is only a cache:
// one that does not decode, names another blob or lacks a content blob is
// ignored and the layer read (and recorded) again. Nothing here changes what
// the built image holds: the base's layer blobs are reused as they are.
#include "compose/base_layer.h"

#include <stdlib.h>
#include <unistd.h>

#include <charconv>
#include <memory>
#include <optional>

#include "archive/tar_reader.h"
#include "base/file_util.h"
#include "base/sha256.h"
#include "compose/layers.h"
#include "fs/tar_node.h"
#include "oci/image_source.h"

namespace build {
namespace {

using archive::EntryType;

constexpr std::string_view kRecordKind = "base-layer";
constexpr uint64_t kInMemoryFile = 1 << 20;  // larger layer files spill to disk

static_assert(static_cast<int>(fs::NodeType::kFifo) == static_cast<int>(EntryType::kFifo));

std::string RecordPath(const cache::Store& store, const oci::Layer& layer) {
  return store.root() + "/baselayers/" + layer.diff_id.substr(7) + ".json";
}

}  // namespace

base::Result<std::string> StoreContent(const cache::Store& store, archive::TarReader& tar,
                                       uint64_t size) {
  if (size <= kInMemoryFile) {
    base::Result<std::string> bytes = tar.ReadDataString(kInMemoryFile);
    if (!bytes) return base::Fail(bytes.error());
    std::string hex = base::Sha256Hex(*bytes);
    if (store.Has(hex)) return hex;
    base::Result<cache::BlobWriter> w = store.Insert(hex, bytes->size());
    if (!w) return base::Fail(w.error());
    DISTILL_TRY(w->Write(*bytes));
    DISTILL_TRY(w->Commit());
    return hex;
  }
  std::string tmp = store.root() + "/tmp/baselayer.XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return base::Fail("creating '{}': {}", tmp, base::ErrnoText());
  std::unique_ptr<FILE, int (*)(FILE*)> f(fdopen(fd, "wb"), fclose);
  struct Unlink {
    std::string path;
    ~Unlink() {
      if (!path.empty()) unlink(path.c_str());
    }
  } cleanup{tmp};
  if (!f) return base::Fail("opening '{}': {}", tmp, base::ErrnoText());
  base::FileSink file(f.get(), tmp);
  base::HashingSink hashing(&file);
  DISTILL_TRY(tar.ReadData(&hashing));
  std::string hex = hashing.Digest().substr(7);
  if (fflush(f.get()) != 0 || fsync(fileno(f.get())) != 0)
    return base::Fail("writing '{}': {}", tmp, base::ErrnoText());
  if (store.Has(hex)) return hex;
  if (rename(tmp.c_str(), store.Path(hex).c_str()) != 0)
    return base::Fail("storing '{}': {}", tmp, base::ErrnoText());
  cleanup.path.clear();
  return hex;
}

namespace {

// A tar entry as a record entry: a whiteout, or a node whose regular-file
// content is taken into the store.
base::Result<fs::RecordEntry> TakeEntry(const cache::Store& store, archive::TarReader& tar,
                                        const archive::TarEntry& t) {
  fs::RecordEntry e;
  e.path = t.path;
  Whiteout w = ParseWhiteout(t.path);
  if (w.kind != Whiteout::Kind::kNone) {
    if (w.kind == Whiteout::Kind::kRemove && (w.name.empty() || w.name == "." || w.name == ".."))
      return base::Fail("invalid whiteout '{}'", t.path);
    e.kind = w.kind == Whiteout::Kind::kOpaque ? fs::RecordEntry::Kind::kOpaque
                                               : fs::RecordEntry::Kind::kWhiteout;
    e.path = w.target;
    return e;
  }
  fs::Node& n = e.node;
  n = fs::NodeFromTar(t);
  if (t.type == EntryType::kFile) {
    base::Result<std::string> hex = StoreContent(store, tar, t.size);
    if (!hex) return base::Fail(hex.error().Context("'{}'", t.path));
    e.blob = std::move(*hex);
    n.content = fs::Content::Disk(store.Path(e.blob));
  }
  return e;
}

// Reads a layer blob: its uncompressed stream must hash to its DiffID, then
// each entry is taken, regular files into the store.
base::Result<LayerRecord> ReadLayer(const cache::Store& store, const oci::Layer& layer,
                                    const base::Limits& limits, std::atomic<uint64_t>* image_used) {
  const std::string& digest = layer.descriptor.digest;
  std::string path = store.Path(digest.substr(7));
  base::Result<oci::Uncompressed> u = oci::HashUncompressed(path, limits);
  if (!u) return base::Fail(u.error().Context("layer '{}'", digest));
  if (u->digest != layer.diff_id)
    return base::Fail("layer '{}' does not match its DiffID '{}'", digest, layer.diff_id);
  base::Result<std::unique_ptr<archive::TarReader>> tar =
      archive::TarReader::OpenFile(path, "layer " + digest);
  if (!tar) return base::Fail(tar.error());
  (*tar)->SetLimits(limits, image_used);
  LayerRecord record;
  record.uncompressed_size = u->size;
  for (;;) {
    base::Result<std::optional<archive::TarEntry>> next = (*tar)->Next();
    if (!next) return base::Fail(next.error());
    if (!*next) break;
    if ((*next)->path.empty()) continue;  // the root itself
    base::Result<fs::RecordEntry> e = TakeEntry(store, **tar, **next);
    if (!e) return base::Fail(e.error().Context("layer '{}'", digest));
    record.entries.push_back(std::move(*e));
  }
  return record;
}

// The record of `layer`, when there is a usable one.
std::optional<LayerRecord> LoadRecord(const cache::Store& store, const oci::Layer& layer) {
  std::string file = RecordPath(store, layer);
  if (!base::PathExists(file)) return std::nullopt;
  base::Result<std::string> text = base::ReadFile(file);
  if (!text) return std::nullopt;
  base::Result<fs::EntryRecord> r = fs::DecodeEntryRecord(*text, kRecordKind, file);
  if (!r) return std::nullopt;  // damaged, or another version's: read the layer again
  // Keyed by DiffID, but made from one blob; another compression of the
  // same tar is read again rather than trusted.
  if (r->fields["digest"] != layer.descriptor.digest) return std::nullopt;
  LayerRecord out;
  const std::string& size = r->fields["uncompressedSize"];
  std::from_chars_result parsed =
      std::from_chars(size.data(), size.data() + size.size(), out.uncompressed_size);
  if (size.empty() || parsed.ec != std::errc() || parsed.ptr != size.data() + size.size())
    return std::nullopt;
  for (fs::RecordEntry& e : r->entries) {
    if (e.kind == fs::RecordEntry::Kind::kNode && e.node.type == fs::NodeType::kFile) {
      if (!store.Has(e.blob)) return std::nullopt;  // the cache was pruned
      e.node.content = fs::Content::Disk(store.Path(e.blob));
    }
  }
  out.entries = std::move(r->entries);
  return out;
}

void SaveRecord(const cache::Store& store, const oci::Layer& layer, const LayerRecord& record) {
  fs::EntryRecord r;
  r.kind = kRecordKind;
  r.fields = {{"digest", layer.descriptor.digest},
              {"uncompressedSize", std::to_string(record.uncompressed_size)}};
  r.entries = record.entries;
  std::string file = RecordPath(store, layer);
  if (base::MakeDirs(base::DirName(file)))
    (void)base::WriteFileAtomic(file, fs::EncodeEntryRecord(r));
}

}  // namespace

base::Result<LayerRecord> LayerEntries(const cache::Store& store, const oci::Layer& layer,
                                       const base::Limits& limits,
                                       std::atomic<uint64_t>* image_used) {
  if (std::optional<LayerRecord> cached = LoadRecord(store, layer)) return std::move(*cached);
  base::Result<LayerRecord> record = ReadLayer(store, layer, limits, image_used);
  if (record) SaveRecord(store, layer, *record);
  return record;
}

base::Result<void> ApplyLayer(fs::Tree& view, const std::vector<fs::RecordEntry>& entries) {
  for (const fs::RecordEntry& e : entries)
    if (e.kind != fs::RecordEntry::Kind::kNode)
      ApplyWhiteout(view, {e.kind == fs::RecordEntry::Kind::kWhiteout ? Whiteout::Kind::kRemove
                                                                      : Whiteout::Kind::kOpaque,
                           "", e.path});
  for (const fs::RecordEntry& e : entries)
    if (e.kind == fs::RecordEntry::Kind::kNode) DISTILL_TRY(view.Add(e.path, e.node));
  return {};
}

}  // namespace build
