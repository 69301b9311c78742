// Pulling a registry base (image-spec manifest.md, image-index.md,
// config.md, layer.md; distribution-spec pull, formats.md C2).
//
// Everything lands in the content-addressed cache (cache/store.h) and is
// verified on the way in: manifests and the config by digest, layers by
// digest while they stream, and each layer's uncompressed stream against its
// DiffID from the config, since the DiffIDs are what the built image's
// config will list. What a pull learned is kept so the next build needs at
// most one request: the tag's digest (<cache>/refs/<sha256 of name:tag>.json,
// read instead of the registry under --offline) and each layer's entry list
// (<cache>/baselayers/<DiffID hex>.json, with every regular file's content
// as a blob beside the others), so a warm build reads no layer at all.
//
// The view applies the layers in order as a container engine does
// (layer.md "Applying Changesets"): `.wh.NAME` removes NAME from the layers
// below, `.wh..wh..opq` empties its directory of what the layers below put
// there; both only affect lower layers, so they are applied before the
// layer's own entries. The built image keeps the base's blobs as they are;
// only a Docker layer media type is renamed to its OCI twin (same bytes, as
// `skopeo copy --format oci` does), since the image written is OCI.
#include "compose/registry_base.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>

#include "archive/tar_reader.h"
#include "base/file_util.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "compose/layers.h"
#include "debian/deb822.h"
#include "oci/image_source.h"
#include "oci/media_types.h"
#include "registry/transfer.h"

namespace build {
namespace {

using archive::EntryType;
using nlohmann::json;

constexpr int kLayerCacheFormat = 1;
constexpr uint64_t kMaxSmallBlob = 4 << 20;         // manifests and configs
constexpr uint64_t kInMemoryFile = 1 << 20;         // larger layer files spill to disk
constexpr std::string_view kTypeCodes = "fdlhcbp";  // in EntryType order

static_assert(static_cast<int>(fs::NodeType::kFifo) == static_cast<int>(EntryType::kFifo));

bool IsIndex(const std::string& media_type) {
  return media_type == oci::kMediaTypeIndex || media_type == oci::kDockerManifestList;
}

// The layer media types whose blobs are plain (compressed) tars.
std::optional<std::string> OciLayerType(const std::string& t) {
  if (t == oci::kMediaTypeLayer || t == oci::kMediaTypeLayerGzip || t == oci::kMediaTypeLayerZstd)
    return t;
  if (t == oci::kDockerLayerGzip) return std::string(oci::kMediaTypeLayerGzip);
  if (t == "application/vnd.docker.image.rootfs.diff.tar") return std::string(oci::kMediaTypeLayer);
  return std::nullopt;
}

base::Result<json> ParseObject(const std::string& bytes, const std::string& what) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::Fail("{} is not a JSON object", what);
  return j;
}

// One layer as the cache keeps it: entries with content blobs, plus the
// whiteouts that apply to the layers below.
struct LayerEntry {
  std::string path;
  char type = 'f';  // kTypeCodes, or 'w' (whiteout), 'o' (opaque directory)
  fs::Node node;
};

struct LayerRecord {
  std::vector<LayerEntry> entries;
  uint64_t uncompressed_size = 0;  // of the tar stream
};

// The pull of one reference for one platform.
class Puller {
 public:
  Puller(BuildContext& ctx, const oci::ImageRef& ref, const cache::Store& store)
      : ctx_(ctx), ref_(ref), store_(store) {}

  base::Result<BaseImage> Run(const oci::Platform& platform);

 private:
  base::Result<registry::Repository*> Repo();
  base::Result<std::string> ResolveTop(std::string& bytes);
  base::Result<std::string> Manifest(const std::string& digest);
  base::Result<std::string> SmallBlob(const std::string& digest, int64_t size);
  base::Result<std::string> ChooseManifest(const std::string& index, const std::string& digest,
                                           const oci::Platform& platform);
  base::Result<void> FetchLayers(const std::vector<oci::Layer>& layers);
  base::Result<LayerRecord> LayerEntries(const oci::Layer& layer);
  base::Result<LayerRecord> ReadLayer(const oci::Layer& layer);
  base::Result<std::string> StoreContent(archive::TarReader& tar, uint64_t size);
  std::string TagFile() const;
  base::Error Offline(const std::string& what) const {
    return base::Error("{} is not in the cache (--offline)", what);
  }

  BuildContext& ctx_;
  const oci::ImageRef& ref_;
  const cache::Store& store_;
  std::unique_ptr<registry::Repository> repo_;
  std::atomic<int> fetched_{0};
};

base::Result<registry::Repository*> Puller::Repo() {
  if (!repo_) {
    base::Result<std::unique_ptr<registry::Repository>> r =
        ctx_.registry_client().Open(ref_, false);
    if (!r) return base::Fail(r.error());
    repo_ = std::move(*r);
  }
  return repo_.get();
}

std::string Puller::TagFile() const {
  return store_.root() + "/refs/" + base::Sha256Hex(ref_.name + ":" + ref_.tag) + ".json";
}

// The digest the reference names and the bytes of that manifest or index.
base::Result<std::string> Puller::ResolveTop(std::string& bytes) {
  if (!ref_.digest.empty()) {
    base::Result<std::string> m = Manifest(ref_.digest);
    if (!m) return base::Fail(m.error());
    bytes = std::move(*m);
    return ref_.digest;
  }
  if (ctx_.options().offline) {
    base::Result<std::string> text = base::ReadFile(TagFile());
    json j = text ? json::parse(*text, nullptr, false) : json();
    std::string digest = j.is_object() ? j.value("digest", "") : "";
    if (!base::IsSha256Digest(digest)) return base::Fail(Offline("the tag's digest"));
    base::Result<std::string> m = Manifest(digest);
    if (!m) return base::Fail(m.error());
    bytes = std::move(*m);
    return digest;
  }
  // One request tells whether the tag moved; the bytes are verified by the
  // repository against Docker-Content-Digest.
  base::Result<registry::Repository*> repo = Repo();
  if (!repo) return base::Fail(repo.error());
  base::Result<registry::Manifest> m = (*repo)->FetchManifest(ref_.tag);
  if (!m) return base::Fail(m.error());
  std::string hex = m->digest.substr(7);
  if (!store_.Has(hex)) {
    base::Result<cache::BlobWriter> w = store_.Insert(hex, m->bytes.size());
    if (!w) return base::Fail(w.error());
    DISTILL_TRY(w->Write(m->bytes));
    DISTILL_TRY(w->Commit());
  }
  json record = {{"reference", ref_.name + ":" + ref_.tag}, {"digest", m->digest}};
  DISTILL_TRY(base::MakeDirs(store_.root() + "/refs"));
  DISTILL_TRY(base::WriteFileAtomic(TagFile(), record.dump()));
  bytes = std::move(m->bytes);
  return m->digest;
}

// A manifest by digest: the cache's copy, else the registry's, verified.
base::Result<std::string> Puller::Manifest(const std::string& digest) {
  std::string hex = digest.substr(7);
  if (store_.Has(hex)) return base::ReadFile(store_.Path(hex));
  if (ctx_.options().offline) return base::Fail(Offline(fmt::format("manifest '{}'", digest)));
  base::Result<registry::Repository*> repo = Repo();
  if (!repo) return base::Fail(repo.error());
  base::Result<registry::Manifest> m = (*repo)->FetchManifest(digest);
  if (!m) return base::Fail(m.error());
  base::Result<cache::BlobWriter> w = store_.Insert(hex, m->bytes.size());
  if (!w) return base::Fail(w.error());
  DISTILL_TRY(w->Write(m->bytes));
  DISTILL_TRY(w->Commit());
  ++fetched_;
  return std::move(m->bytes);
}

// A config blob: cached, else fetched into the cache, verified either way
// on its way in.
base::Result<std::string> Puller::SmallBlob(const std::string& digest, int64_t size) {
  std::string hex = digest.substr(7);
  if (!store_.Has(hex)) {
    if (ctx_.options().offline) return base::Fail(Offline(fmt::format("blob '{}'", digest)));
    if (size < 0 || static_cast<uint64_t>(size) > kMaxSmallBlob)
      return base::Fail("config '{}' is larger than 4 MiB", digest);
    base::Result<registry::Repository*> repo = Repo();
    if (!repo) return base::Fail(repo.error());
    base::Result<cache::BlobWriter> w = store_.Insert(hex, static_cast<uint64_t>(size));
    if (!w) return base::Fail(w.error());
    DISTILL_TRY((*repo)->FetchBlob(digest, size, *w));
    DISTILL_TRY(w->Commit());
    ++fetched_;
  }
  return base::ReadFile(store_.Path(hex));
}

bool PlatformMatches(const oci::Platform& have, const oci::Platform& want) {
  if (have.os != want.os || have.architecture != want.architecture) return false;
  if (have.variant == want.variant || want.variant.empty()) return true;
  // arm64 images usually carry no variant; "v8" is the only one there is.
  return want.architecture == "arm64" && (have.variant.empty() || have.variant == "v8") &&
         want.variant == "v8";
}

base::Result<std::string> Puller::ChooseManifest(const std::string& index,
                                                 const std::string& digest,
                                                 const oci::Platform& platform) {
  base::Result<json> j = ParseObject(index, fmt::format("index '{}'", digest));
  if (!j) return base::Fail(j.error());
  std::vector<std::string> seen;
  for (const json& m : j->value("manifests", json::array())) {
    base::Result<oci::Descriptor> d = oci::DescriptorFromJson(m);
    if (!d) return base::Fail(d.error().Context("index '{}'", digest));
    if (!d->platform) continue;
    seen.push_back(d->platform->ToString());
    if (PlatformMatches(*d->platform, platform) && !IsIndex(d->media_type)) return d->digest;
  }
  std::string list;
  for (const std::string& s : seen) list += (list.empty() ? "" : ", ") + s;
  return base::Fail("no image for platform '{}' (the index has {})", platform.ToString(),
                    list.empty() ? "no platforms" : list);
}

base::Result<void> Puller::FetchLayers(const std::vector<oci::Layer>& layers) {
  std::vector<const oci::Layer*> missing;
  for (const oci::Layer& l : layers)
    if (!store_.Has(l.descriptor.digest.substr(7))) missing.push_back(&l);
  if (missing.empty()) return {};
  if (ctx_.options().offline)
    return base::Fail(Offline(fmt::format("blob '{}'", missing[0]->descriptor.digest)));
  base::Result<registry::Repository*> repo = Repo();
  if (!repo) return base::Fail(repo.error());
  ctx_.reporter().Status(fmt::format("pulling {} layers of {}", missing.size(), ref_.text));
  return registry::ParallelFor(
      missing.size(), ctx_.options().registry.jobs, [&](size_t i) -> base::Result<void> {
        const oci::Descriptor& d = missing[i]->descriptor;
        base::Result<cache::BlobWriter> w =
            store_.Insert(d.digest.substr(7), static_cast<uint64_t>(d.size));
        if (!w) return base::Fail(w.error());
        // FetchBlob checks digest and size before the writer commits; on a
        // mismatch the writer is dropped and nothing enters the cache.
        DISTILL_TRY((*repo)->FetchBlob(d.digest, d.size, *w));
        DISTILL_TRY(w->Commit());
        ++fetched_;
        return {};
      });
}

// Moves the current entry's content into the store; returns its hex digest.
base::Result<std::string> Puller::StoreContent(archive::TarReader& tar, uint64_t size) {
  if (size <= kInMemoryFile) {
    base::Result<std::string> bytes = tar.ReadDataString(kInMemoryFile);
    if (!bytes) return base::Fail(bytes.error());
    std::string hex = base::Sha256Hex(*bytes);
    if (store_.Has(hex)) return hex;
    base::Result<cache::BlobWriter> w = store_.Insert(hex, bytes->size());
    if (!w) return base::Fail(w.error());
    DISTILL_TRY(w->Write(*bytes));
    DISTILL_TRY(w->Commit());
    return hex;
  }
  std::string tmp = store_.root() + "/tmp/baselayer.XXXXXX";
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
  if (store_.Has(hex)) return hex;
  if (rename(tmp.c_str(), store_.Path(hex).c_str()) != 0)
    return base::Fail("storing '{}': {}", tmp, base::ErrnoText());
  cleanup.path.clear();
  return hex;
}

json EntryToJson(const LayerEntry& e) {
  const fs::Node& n = e.node;
  json j = {{"p", e.path}, {"t", std::string(1, e.type)}};
  if (e.type == 'w' || e.type == 'o') return j;
  j["m"] = n.mode, j["u"] = n.uid, j["g"] = n.gid, j["mt"] = n.mtime;
  if (e.type == 'f') j["s"] = n.size, j["b"] = n.content.path.substr(n.content.path.rfind('/') + 1);
  if (!n.link.empty()) j["l"] = n.link;
  if (n.dev_major || n.dev_minor) j["dev"] = {n.dev_major, n.dev_minor};
  for (const auto& [k, v] : n.xattrs) j["x"].push_back({k, v});
  return j;
}

std::optional<LayerEntry> EntryFromJson(const json& j, const cache::Store& store) {
  LayerEntry e;
  e.path = j.at("p").get<std::string>();
  e.type = j.at("t").get<std::string>().at(0);
  if (e.type == 'w' || e.type == 'o') return e;
  size_t type = kTypeCodes.find(e.type);
  if (type == std::string_view::npos) return std::nullopt;
  fs::Node& n = e.node;
  n.type = static_cast<fs::NodeType>(type);
  n.mode = j.at("m").get<uint32_t>();
  n.uid = j.at("u").get<uint32_t>();
  n.gid = j.at("g").get<uint32_t>();
  n.mtime = j.at("mt").get<int64_t>();
  n.link = j.value("l", std::string());
  if (j.contains("dev")) {
    n.dev_major = j.at("dev").at(0).get<uint32_t>();
    n.dev_minor = j.at("dev").at(1).get<uint32_t>();
  }
  if (j.contains("x"))
    for (const json& x : j.at("x"))
      n.xattrs.emplace_back(x.at(0).get<std::string>(), x.at(1).get<std::string>());
  if (e.type == 'f') {
    std::string hex = j.at("b").get<std::string>();
    if (!store.Has(hex)) return std::nullopt;
    n.size = j.at("s").get<uint64_t>();
    n.content = fs::Content::Disk(store.Path(hex));
  }
  return e;
}

// Reads a layer blob: its uncompressed stream must hash to its DiffID, then
// each entry is taken, regular files into the store.
base::Result<LayerRecord> Puller::ReadLayer(const oci::Layer& layer) {
  const std::string& digest = layer.descriptor.digest;
  std::string path = store_.Path(digest.substr(7));
  base::Result<oci::Uncompressed> u = oci::HashUncompressed(path);
  if (!u) return base::Fail(u.error().Context("layer '{}'", digest));
  if (u->digest != layer.diff_id)
    return base::Fail("layer '{}' does not match its DiffID '{}'", digest, layer.diff_id);
  base::Result<std::unique_ptr<archive::TarReader>> tar =
      archive::TarReader::OpenFile(path, "layer " + digest);
  if (!tar) return base::Fail(tar.error());
  LayerRecord record;
  record.uncompressed_size = u->size;
  std::vector<LayerEntry>& out = record.entries;
  for (;;) {
    base::Result<std::optional<archive::TarEntry>> next = (*tar)->Next();
    if (!next) return base::Fail(next.error());
    if (!*next) break;
    archive::TarEntry& t = **next;
    if (t.path.empty()) continue;  // the root itself
    Whiteout w = ParseWhiteout(t.path);
    if (w.kind == Whiteout::Kind::kOpaque) {
      out.push_back({w.target, 'o', {}});
      continue;
    }
    if (w.kind == Whiteout::Kind::kRemove) {
      if (w.name.empty() || w.name == "." || w.name == "..")
        return base::Fail("layer '{}': invalid whiteout '{}'", digest, t.path);
      out.push_back({w.target, 'w', {}});
      continue;
    }
    LayerEntry e{t.path, kTypeCodes[static_cast<size_t>(t.type)], {}};
    fs::Node& n = e.node;
    n.type = static_cast<fs::NodeType>(t.type);
    n.mode = t.mode;
    n.uid = t.uid;
    n.gid = t.gid;
    n.mtime = t.mtime;
    n.link = t.link;
    n.dev_major = t.dev_major;
    n.dev_minor = t.dev_minor;
    n.xattrs = t.xattrs;
    if (t.type == EntryType::kFile) {
      base::Result<std::string> hex = StoreContent(**tar, t.size);
      if (!hex) return base::Fail(hex.error().Context("layer '{}': '{}'", digest, t.path));
      n.size = t.size;
      n.content = fs::Content::Disk(store_.Path(*hex));
    }
    out.push_back(std::move(e));
  }
  return record;
}

// The layer's entries from the cache's record, else read from the blob and
// recorded (a failed record only costs the next build a re-read).
base::Result<LayerRecord> Puller::LayerEntries(const oci::Layer& layer) {
  std::string file = store_.root() + "/baselayers/" + layer.diff_id.substr(7) + ".json";
  if (base::Result<std::string> text = base::ReadFile(file); text) {
    try {
      json j = json::parse(*text);
      if (j.at("format").get<int>() == kLayerCacheFormat &&
          j.at("digest").get<std::string>() == layer.descriptor.digest) {
        LayerRecord out;
        out.uncompressed_size = j.at("uncompressedSize").get<uint64_t>();
        bool complete = true;
        for (const json& e : j.at("entries")) {
          std::optional<LayerEntry> le = EntryFromJson(e, store_);
          if (!le) complete = false;
          if (!complete) break;
          out.entries.push_back(std::move(*le));
        }
        if (complete) return out;
      }
    } catch (const std::exception&) {  // a damaged record: read the layer again
    }
  }
  base::Result<LayerRecord> record = ReadLayer(layer);
  if (!record) return record;
  try {
    json j = {{"format", kLayerCacheFormat},
              {"digest", layer.descriptor.digest},
              {"uncompressedSize", record->uncompressed_size},
              {"entries", json::array()}};
    for (const LayerEntry& e : record->entries) j["entries"].push_back(EntryToJson(e));
    if (base::MakeDirs(base::DirName(file))) (void)base::WriteFileAtomic(file, j.dump());
  } catch (const json::exception&) {  // a name that is not UTF-8
  }
  return record;
}

// Applies one layer to the merged view: whiteouts first (they hide lower
// layers only), then the entries.
base::Result<void> Apply(fs::Tree& view, const std::vector<LayerEntry>& entries) {
  for (const LayerEntry& e : entries)
    if (e.type == 'w' || e.type == 'o')
      ApplyWhiteout(
          view, {e.type == 'w' ? Whiteout::Kind::kRemove : Whiteout::Kind::kOpaque, "", e.path});
  for (const LayerEntry& e : entries)
    if (e.type != 'w' && e.type != 'o') DISTILL_TRY(view.Add(e.path, e.node));
  return {};
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const json& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::vector<std::string> Keys(const json& j) {
  std::vector<std::string> out;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

// The config's run settings (config.md "config"), as Docker's FROM takes them.
oci::RunConfig RunConfigFrom(const json& config) {
  oci::RunConfig run;
  json c =
      config.contains("config") && config["config"].is_object() ? config["config"] : json::object();
  auto str = [&](const char* key) {
    return c.contains(key) && c[key].is_string() ? c[key].get<std::string>() : std::string();
  };
  run.user = str("User");
  run.workdir = str("WorkingDir");
  run.stop_signal = str("StopSignal");
  run.env = Strings(c.value("Env", json()));
  run.entrypoint = Strings(c.value("Entrypoint", json()));
  run.cmd = Strings(c.value("Cmd", json()));
  run.ports = Keys(c.value("ExposedPorts", json()));
  run.volumes = Keys(c.value("Volumes", json()));
  if (c.contains("Labels") && c["Labels"].is_object())
    for (auto it = c["Labels"].begin(); it != c["Labels"].end(); ++it)
      if (it.value().is_string()) run.labels[it.key()] = it.value().get<std::string>();
  return run;
}

base::Result<BaseImage> Puller::Run(const oci::Platform& platform) {
  BaseImage out;
  std::string bytes;
  base::Result<std::string> top = ResolveTop(bytes);
  if (!top) return base::Fail(top.error());
  out.digest = *top;
  base::Result<json> j = ParseObject(bytes, fmt::format("manifest '{}'", *top));
  if (!j) return base::Fail(j.error());
  std::string media_type = j->value("mediaType", "");
  if (IsIndex(media_type) || (media_type.empty() && j->contains("manifests"))) {
    base::Result<std::string> chosen = ChooseManifest(bytes, *top, platform);
    if (!chosen) return base::Fail(chosen.error());
    base::Result<std::string> m = Manifest(*chosen);
    if (!m) return base::Fail(m.error());
    out.manifest_digest = *chosen;
    j = ParseObject(*m, fmt::format("manifest '{}'", *chosen));
    if (!j) return base::Fail(j.error());
  } else {
    out.manifest_digest = *top;
  }
  const std::string& md = out.manifest_digest;
  if (!j->contains("config") || !(*j)["layers"].is_array())
    return base::Fail("manifest '{}' is not an image manifest (no config or layers)", md);
  base::Result<oci::Descriptor> config = oci::DescriptorFromJson((*j)["config"]);
  if (!config) return base::Fail(config.error().Context("manifest '{}'", md));
  base::Result<std::string> config_bytes = SmallBlob(config->digest, config->size);
  if (!config_bytes) return base::Fail(config_bytes.error());
  base::Result<json> cfg = ParseObject(*config_bytes, fmt::format("config '{}'", config->digest));
  if (!cfg) return base::Fail(cfg.error());
  oci::Platform have{cfg->value("os", ""), cfg->value("architecture", ""),
                     cfg->value("variant", "")};
  if (!PlatformMatches(have, platform))
    return base::Fail("the image is for '{}', not '{}'", have.ToString(), platform.ToString());
  std::vector<std::string> diff_ids;
  if ((*cfg).contains("rootfs") && (*cfg)["rootfs"].is_object())
    diff_ids = Strings((*cfg)["rootfs"].value("diff_ids", json()));
  std::vector<std::string> history;
  for (const json& h : cfg->value("history", json::array()))
    if (h.is_object() && !h.value("empty_layer", false))
      history.push_back(h.value("created_by", ""));
  const json& layers = (*j)["layers"];
  if (diff_ids.size() != layers.size())
    return base::Fail("config '{}' lists {} DiffIDs for {} layers", config->digest, diff_ids.size(),
                      layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    base::Result<oci::Descriptor> d = oci::DescriptorFromJson(layers[i]);
    if (!d) return base::Fail(d.error().Context("manifest '{}'", md));
    std::optional<std::string> type = OciLayerType(d->media_type);
    if (!type)
      return base::Fail("layer '{}' has media type '{}', which is not a tar layer", d->digest,
                        d->media_type);
    if (!base::IsSha256Digest(diff_ids[i]))
      return base::Fail("config '{}': invalid DiffID '{}'", config->digest, diff_ids[i]);
    oci::Layer l;
    l.descriptor = oci::Descriptor{*type, d->digest, d->size, {}, std::nullopt};
    l.diff_id = diff_ids[i];
    l.created_by = i < history.size() ? history[i] : "";
    l.path = store_.Path(d->digest.substr(7));
    out.layers.push_back(std::move(l));
  }
  DISTILL_TRY(FetchLayers(out.layers));
  // Layers are read in parallel (each a decompression), applied in order.
  std::vector<LayerRecord> records(out.layers.size());
  DISTILL_TRY(registry::ParallelFor(out.layers.size(), ctx_.options().threads,
                                    [&](size_t i) -> base::Result<void> {
                                      base::Result<LayerRecord> e = LayerEntries(out.layers[i]);
                                      if (!e) return base::Fail(e.error());
                                      records[i] = std::move(*e);
                                      return {};
                                    }));
  for (size_t i = 0; i < records.size(); ++i) {
    base::Result<void> r = Apply(out.view, records[i].entries);
    if (!r) return base::Fail(r.error().Context("layer '{}'", out.layers[i].descriptor.digest));
    out.layers[i].uncompressed_size = records[i].uncompressed_size;
  }
  out.run = RunConfigFrom(*cfg);
  out.packages = InstalledPackages(out.view);
  out.blobs_fetched = fetched_;
  return out;
}

// The bytes of a regular file of the view, up to 16 MiB.
std::optional<std::string> ReadViewFile(const fs::Node& n) {
  if (n.type != fs::NodeType::kFile || n.size > (16u << 20)) return std::nullopt;
  if (n.content.kind == fs::Content::Kind::kInline)
    return n.content.bytes ? *n.content.bytes : std::string();
  base::Result<std::string> all = base::ReadFile(n.content.path);
  if (!all || all->size() < n.content.offset + n.size) return std::nullopt;
  return all->substr(n.content.offset, n.size);
}

void AddStanzas(const std::string& text, bool need_installed,
                std::map<std::string, std::string>& out) {
  base::Result<std::vector<debian::Stanza>> stanzas = debian::ParseDeb822(text, "status");
  if (!stanzas) return;
  for (const debian::Stanza& s : *stanzas) {
    if (s.Get("Package").empty() || s.Get("Version").empty()) continue;
    if (need_installed && !base::EndsWith(s.Get("Status"), " installed")) continue;
    out[std::string(s.Get("Package"))] = std::string(s.Get("Version"));
  }
}

}  // namespace

std::map<std::string, std::string> InstalledPackages(const fs::Tree& view) {
  std::map<std::string, std::string> out;
  if (const fs::Node* status = view.Find("var/lib/dpkg/status"))
    if (std::optional<std::string> text = ReadViewFile(*status)) AddStanzas(*text, true, out);
  const std::string dir = "var/lib/dpkg/status.d/";
  for (auto it = view.entries().lower_bound(dir);
       it != view.entries().end() && base::StartsWith(it->first, dir); ++it) {
    if (it->first.find('/', dir.size()) != std::string::npos) continue;
    if (base::EndsWith(it->first, ".md5sums")) continue;
    if (std::optional<std::string> text = ReadViewFile(it->second)) AddStanzas(*text, false, out);
  }
  return out;
}

base::Result<BaseImage> PullBaseImage(BuildContext& ctx, const oci::ImageRef& ref,
                                      const oci::Platform& platform) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  base::Result<BaseImage> image = Puller(ctx, ref, **store).Run(platform);
  if (!image) return base::Fail(image.error().Context("pulling base '{}'", ref.text));
  return image;
}

}  // namespace build
