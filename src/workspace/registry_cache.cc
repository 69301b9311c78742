// The registry build cache (registry_cache.h has the format). Import reads
// only the manifest and the config of each --cache-from image: a build then
// pulls a blob only when its local cache misses a key the config lists.
// Export runs after a successful build and goes through registry::Push, so
// its order is that of any push (blobs, each after a HEAD, then the
// manifest): a failure half-way leaves the previous cache image in place.
//
// What a cache holds is trusted as far as the people who can push to it:
// digests prove the bytes are those the cache's writer listed, not that the
// writer built them honestly (as with BuildKit's registry cache). Import
// problems are warnings, because a cache only saves time; an export problem
// fails the command, because a CI job asked for it to be written.
#include "workspace/registry_cache.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "base/sha256.h"
#include "oci/media_types.h"
#include "registry/transfer.h"

namespace build {
namespace {

using nlohmann::json;

constexpr int kCacheVersion = 1;
constexpr int64_t kMaxConfig = 4 << 20;

std::string MapKey(std::string_view kind, std::string_view key) {
  return std::string(kind) + "\n" + std::string(key);
}

bool IsLayerType(const std::string& t) {
  return t == oci::kMediaTypeLayer || t == oci::kMediaTypeLayerGzip ||
         t == oci::kMediaTypeLayerZstd;
}

std::string RefText(const oci::ImageRef& r) { return r.text; }

}  // namespace

std::string SerializeCacheConfig(const std::vector<CacheEntry>& entries) {
  std::map<std::string, const CacheEntry*> sorted;
  for (const CacheEntry& e : entries) sorted[MapKey(e.kind, e.key)] = &e;
  json list = json::array();
  for (const auto& [k, e] : sorted)
    list.push_back({{"kind", e->kind},
                    {"key", e->key},
                    {"mediaType", e->blob.media_type},
                    {"digest", e->blob.digest},
                    {"size", e->blob.size},
                    {"meta", e->meta}});
  return json{{"version", kCacheVersion}, {"entries", list}}.dump();
}

base::Result<std::vector<CacheEntry>> ParseCacheConfig(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return base::Fail("the cache config is not a JSON object");
  if (!j.contains("version") || j["version"] != kCacheVersion)
    return base::Fail("unsupported cache config version '{}'", j.value("version", json()).dump());
  if (!j.contains("entries") || !j["entries"].is_array())
    return base::Fail("the cache config has no entries list");
  std::vector<CacheEntry> out;
  size_t n = 0;
  for (const json& e : j["entries"]) {
    ++n;
    auto str = [&](const char* k) {
      return e.is_object() && e.contains(k) && e[k].is_string() ? e[k].get<std::string>() : "";
    };
    CacheEntry c;
    c.kind = str("kind");
    c.key = str("key");
    c.blob.media_type = str("mediaType");
    c.blob.digest = str("digest");
    if (c.kind.empty() || c.key.empty() || c.blob.media_type.empty())
      return base::Fail("entry {}: kind, key and mediaType are required", n);
    if (!base::IsSha256Digest(c.blob.digest))
      return base::Fail("entry {}: invalid digest '{}'", n, c.blob.digest);
    if (!e.contains("size") || !e["size"].is_number_integer() || e["size"].get<int64_t>() < 0)
      return base::Fail("entry {}: invalid size", n);
    c.blob.size = e["size"].get<int64_t>();
    if (e.contains("meta")) {
      if (!e["meta"].is_object()) return base::Fail("entry {}: meta must be an object", n);
      for (auto it = e["meta"].begin(); it != e["meta"].end(); ++it) {
        if (!it.value().is_string()) return base::Fail("entry {}: meta values must be strings", n);
        c.meta[it.key()] = it.value().get<std::string>();
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

CacheEntry LayerCacheEntry(const std::string& key, const oci::Layer& layer, std::string_view kind) {
  CacheEntry e;
  e.kind = kind;
  e.key = key;
  e.blob = oci::Descriptor{layer.descriptor.media_type,
                           layer.descriptor.digest,
                           layer.descriptor.size,
                           {},
                           std::nullopt};
  e.meta = {{"diffId", layer.diff_id},
            {"uncompressedSize", std::to_string(layer.uncompressed_size)},
            {"createdBy", layer.created_by}};
  e.path = layer.path;
  return e;
}

base::Result<oci::Layer> LayerFromCacheEntry(const CacheEntry& e) {
  if (!IsLayerType(e.blob.media_type))
    return base::Fail("layer '{}': media type '{}' is not a layer's", e.blob.digest,
                      e.blob.media_type);
  auto meta = [&](const char* k) {
    auto it = e.meta.find(k);
    return it == e.meta.end() ? std::string() : it->second;
  };
  oci::Layer l;
  l.descriptor = oci::Descriptor{e.blob.media_type, e.blob.digest, e.blob.size, {}, std::nullopt};
  l.diff_id = meta("diffId");
  if (!base::IsSha256Digest(l.diff_id))
    return base::Fail("layer '{}': invalid diffId '{}'", e.blob.digest, l.diff_id);
  std::string size = meta("uncompressedSize");
  char* end = nullptr;
  l.uncompressed_size = strtoull(size.c_str(), &end, 10);
  if (size.empty() || *end != '\0')
    return base::Fail("layer '{}': invalid uncompressedSize '{}'", e.blob.digest, size);
  l.created_by = meta("createdBy");
  l.path = e.path;
  return l;
}

RegistryCache::RegistryCache(std::vector<oci::ImageRef> from, std::optional<oci::ImageRef> to)
    : from_(std::move(from)), to_(std::move(to)) {}

RegistryCache::~RegistryCache() = default;

base::Result<void> RegistryCache::ImportOne(BuildContext& ctx, size_t i) {
  const oci::ImageRef& ref = from_[i];
  base::Result<std::unique_ptr<registry::Repository>> repo = ctx.registry_client().Open(ref, false);
  if (!repo) return base::Fail(repo.error());
  base::Result<registry::Manifest> m =
      (*repo)->FetchManifest(ref.digest.empty() ? ref.tag : ref.digest);
  if (!m) return base::Fail(m.error());
  json j = json::parse(m->bytes, nullptr, false);
  json config = j.is_object() && j.contains("config") ? j["config"] : json();
  std::string type = config.is_object() ? config.value("mediaType", "") : "";
  if (m->media_type != oci::kMediaTypeManifest || type != kCacheMediaType)
    return base::Fail("not a distill cache image (media type '{}'{})", m->media_type,
                      type.empty() ? "" : fmt::format(", config '{}'", type));
  base::Result<oci::Descriptor> cd = oci::DescriptorFromJson(config);
  if (!cd) return base::Fail(cd.error());
  if (cd->size > kMaxConfig) return base::Fail("cache config '{}' is over 4 MiB", cd->digest);
  base::StringSink sink;
  DISTILL_TRY((*repo)->FetchBlob(cd->digest, cd->size, sink));
  base::Result<std::vector<CacheEntry>> entries = ParseCacheConfig(sink.str());
  if (!entries) return base::Fail(entries.error().Context("cache config '{}'", cd->digest));
  // Only blobs the manifest references are sure to be kept by the registry.
  std::set<std::string> listed;
  for (const json& l : j.value("layers", json::array()))
    if (l.is_object()) listed.insert(l.value("digest", ""));
  for (const CacheEntry& e : *entries)
    if (!listed.contains(e.blob.digest))
      return base::Fail("cache config lists blob '{}', which the manifest does not", e.blob.digest);
  repos_[i] = std::move(*repo);
  for (CacheEntry& e : *entries) remote_.try_emplace(MapKey(e.kind, e.key), Remote{e, i});
  ctx.reporter().Status(fmt::format("cache {}: {} entries", ref.text, entries->size()));
  return {};
}

void RegistryCache::Import(BuildContext& ctx) {
  repos_.resize(from_.size());
  for (size_t i = 0; i < from_.size(); ++i) {
    if (ctx.options().offline) {
      ctx.reporter().Warning(
          fmt::format("--cache-from '{}': not read with --offline", RefText(from_[i])));
      continue;
    }
    base::Result<void> r = ImportOne(ctx, i);
    if (!r)
      ctx.reporter().Warning(fmt::format("--cache-from '{}': {}; building without it",
                                         RefText(from_[i]), r.error().message()));
  }
}

std::optional<CacheEntry> RegistryCache::Fetch(BuildContext& ctx, std::string_view kind,
                                               const std::string& key) {
  auto it = remote_.find(MapKey(kind, key));
  if (it == remote_.end()) return std::nullopt;
  CacheEntry e = it->second.entry;
  const oci::ImageRef& ref = from_[it->second.source];
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return std::nullopt;
  std::string hex = e.blob.digest.substr(7);
  e.path = (*store)->Path(hex);
  if ((*store)->Has(hex)) return e;
  base::Result<cache::BlobWriter> w = (*store)->Insert(hex, static_cast<uint64_t>(e.blob.size));
  base::Result<void> r = w ? repos_[it->second.source]->FetchBlob(e.blob.digest, e.blob.size, *w)
                           : base::Result<void>(base::Fail(w.error()));
  if (r) r = w->Commit();
  if (!r) {
    ctx.reporter().Warning(
        fmt::format("--cache-from '{}': {}; building it instead", ref.text, r.error().message()));
    return std::nullopt;
  }
  return e;
}

void RegistryCache::Record(CacheEntry entry, CacheSource source) {
  std::lock_guard lock(mu_);
  std::string k = MapKey(entry.kind, entry.key);
  ++counts_[{entry.kind, source}];
  used_[k] = std::move(entry);
}

int RegistryCache::count(CacheSource source, std::string_view kind) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find({std::string(kind), source});
  return it == counts_.end() ? 0 : it->second;
}

base::Result<std::string> RegistryCache::Export(BuildContext& ctx) {
  if (!to_) return std::string();
  std::vector<CacheEntry> entries;
  {
    std::lock_guard lock(mu_);
    for (const auto& [k, e] : used_)
      if (!e.blob.digest.empty()) entries.push_back(e);
  }
  oci::ImageManifest m;
  m.config_bytes = SerializeCacheConfig(entries);
  m.config = oci::Descriptor{kCacheMediaType,
                             base::Sha256Digest(m.config_bytes),
                             static_cast<int64_t>(m.config_bytes.size()),
                             {},
                             std::nullopt};
  json layers = json::array();
  std::set<std::string> seen;
  for (const CacheEntry& e : entries) {  // sorted by kind and key (used_ is a map)
    if (!seen.insert(e.blob.digest).second) continue;
    layers.push_back(oci::ToJson(e.blob));
    m.layers.push_back(oci::Layer{e.blob, "", e.path, "", 0});
  }
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", oci::kMediaTypeManifest},
                   {"artifactType", kCacheMediaType},
                   {"config", oci::ToJson(m.config)},
                   {"layers", layers}};
  m.manifest_bytes = manifest.dump();
  m.manifest = oci::Descriptor{oci::kMediaTypeManifest,
                               base::Sha256Digest(m.manifest_bytes),
                               static_cast<int64_t>(m.manifest_bytes.size()),
                               {},
                               std::nullopt};
  oci::Bundle bundle;
  bundle.top = m.manifest;
  bundle.images.push_back(std::move(m));
  ctx.reporter().Status(fmt::format("exporting {} cache entries to {}", entries.size(), to_->text));
  base::Result<std::string> d = registry::PushTo(ctx.registry_client(), *to_, bundle);
  if (!d) return base::Fail(d.error().Context("--cache-to"));
  return d;
}

}  // namespace build
