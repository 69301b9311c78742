// Layer cache entries are small JSON files written atomically; the blob is
// renamed into the content-addressed store (its digest was computed while it
// was written, so it needs no second hashing). A missing or unreadable entry
// is a miss, never an error: the layer is simply built again.
#include "workspace/layer_cache.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/sha256.h"
#include "workspace/registry_cache.h"

namespace build {

std::string LayerKey(const std::string& inputs) { return base::Sha256Hex("layer-v1\n" + inputs); }

static std::string EntryPath(const cache::Store& store, const std::string& key) {
  return store.root() + "/layers/" + key + ".json";
}

std::optional<oci::Layer> LookupLayer(const cache::Store& store, const std::string& key) {
  base::Result<std::string> text = base::ReadFile(EntryPath(store, key));
  if (!text) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  oci::Layer l;
  l.descriptor.media_type = j.value("mediaType", "");
  l.descriptor.digest = j.value("digest", "");
  l.descriptor.size = j.value("size", int64_t{0});
  l.diff_id = j.value("diffId", "");
  l.uncompressed_size = j.value("uncompressedSize", uint64_t{0});
  l.created_by = j.value("createdBy", "");
  if (!base::IsSha256Digest(l.descriptor.digest) || !base::IsSha256Digest(l.diff_id))
    return std::nullopt;
  std::string hex = l.descriptor.digest.substr(7);
  if (!store.Has(hex)) return std::nullopt;
  l.path = store.Path(hex);
  return l;
}

base::Result<oci::Layer> StoreLayer(const cache::Store& store, const std::string& key,
                                    oci::Layer layer) {
  std::string hex = layer.descriptor.digest.substr(7);
  std::string dst = store.Path(hex);
  if (!store.Has(hex)) {
    DISTILL_TRY(base::MakeDirs(base::DirName(dst)));
    if (rename(layer.path.c_str(), dst.c_str()) != 0) DISTILL_TRY(store.PutFile(hex, layer.path));
  }
  layer.path = dst;
  nlohmann::json j = {{"mediaType", layer.descriptor.media_type},
                      {"digest", layer.descriptor.digest},
                      {"size", layer.descriptor.size},
                      {"diffId", layer.diff_id},
                      {"uncompressedSize", layer.uncompressed_size},
                      {"createdBy", layer.created_by}};
  DISTILL_TRY(base::MakeDirs(store.root() + "/layers"));
  DISTILL_TRY(base::WriteFileAtomic(EntryPath(store, key), j.dump()));
  return layer;
}

std::optional<oci::Layer> LookupLayer(BuildContext& ctx, const std::string& key) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return std::nullopt;
  RegistryCache* remote = ctx.registry_cache();
  if (std::optional<oci::Layer> hit = LookupLayer(**store, key)) {
    if (remote) remote->Record(LayerCacheEntry(key, *hit), CacheSource::kLocal);
    return hit;
  }
  if (!remote) return std::nullopt;
  std::optional<CacheEntry> entry = remote->Fetch(ctx, kCacheKindLayer, key);
  if (!entry) return std::nullopt;
  base::Result<oci::Layer> layer = LayerFromCacheEntry(*entry);
  if (layer) layer = StoreLayer(**store, key, std::move(*layer));
  if (!layer) {
    ctx.reporter().Warning(
        fmt::format("registry cache: {}; building it instead", layer.error().message()));
    return std::nullopt;
  }
  remote->Record(LayerCacheEntry(key, *layer), CacheSource::kRegistry);
  return std::move(*layer);
}

base::Result<oci::Layer> StoreLayer(BuildContext& ctx, const std::string& key, oci::Layer layer) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  base::Result<oci::Layer> stored = StoreLayer(**store, key, std::move(layer));
  if (stored && ctx.registry_cache())
    ctx.registry_cache()->Record(LayerCacheEntry(key, *stored), CacheSource::kBuilt);
  return stored;
}

}  // namespace build
