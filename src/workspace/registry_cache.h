// The registry build cache: `--cache-to docker://HOST/REPO[:TAG]` stores the
// results a build reused or made (package layers, build stages' package
// roots and run results) as one cache image in a registry, and
// `--cache-from` (repeatable) lets another machine with an empty local cache
// take them instead of building them — BuildKit's registry cache, in
// distill's own format (docs/registry.md, "The cache image"):
//
//   an OCI image manifest, artifactType and config media type
//   application/vnd.distill.cache.v1+json; its layers are the cached blobs;
//   its config maps each (kind, key) to one of those blobs:
//     {"version": 1, "entries": [{"kind": "layer", "key": "<sha256 hex>",
//       "mediaType": "...", "digest": "sha256:...", "size": N,
//       "meta": {"diffId": "sha256:...", "uncompressedSize": "N",
//                "createdBy": "..."}}]}
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "workspace/context.h"
#include "oci/descriptor.h"
#include "oci/image.h"
#include "oci/reference.h"
#include "registry/repository.h"

namespace build {

inline constexpr char kCacheMediaType[] = "application/vnd.distill.cache.v1+json";
// Package layers, keyed by workspace/layer_cache.h's LayerKey.
inline constexpr char kCacheKindLayer[] = "layer";
// A build stage's configured Debian package root (<cache>/stages/root-KEY),
// keyed by stages/stage.h's PackageRootKey, and a stage's run result
// (<cache>/stages/run-KEY), keyed by StageKey: a directory each, as one
// blob (stages/stage_archive.h).
inline constexpr char kCacheKindStageRoot[] = "stage-root";
inline constexpr char kCacheKindStageRun[] = "stage-run";

// One cached result: what it is (`kind`), the key a build looks it up by,
// the blob that holds it, and kind-specific strings (`meta`). `path` is the
// blob's local file, used when exporting; it is not serialized.
struct CacheEntry {
  std::string kind;
  std::string key;
  oci::Descriptor blob;
  std::map<std::string, std::string> meta;
  std::string path;
};

// The config blob of a cache image: entries sorted by kind and key, one per
// pair (the last given wins), so the same results give the same bytes.
std::string SerializeCacheConfig(const std::vector<CacheEntry>& entries);
// Parses a config blob; errors name what is malformed ("entry 3: invalid
// digest 'x'").
base::Result<std::vector<CacheEntry>> ParseCacheConfig(std::string_view bytes);

// A layer blob as a cache entry of `kind` (a package layer, or a stage
// result's blob), and back (the latter checks the fields a layer needs: a
// layer media type, a DiffID, the uncompressed size).
CacheEntry LayerCacheEntry(const std::string& key, const oci::Layer& layer,
                           std::string_view kind = kCacheKindLayer);
base::Result<oci::Layer> LayerFromCacheEntry(const CacheEntry& entry);

// Where a result of this build came from.
enum class CacheSource { kLocal, kRegistry, kBuilt };

class RegistryCache {
 public:
  RegistryCache(std::vector<oci::ImageRef> from, std::optional<oci::ImageRef> to);
  ~RegistryCache();

  // Reads the manifest and config of every --cache-from image. A cache that
  // is missing, unreachable or not a distill cache image is a warning, and
  // the build goes on without it (a first CI run has no cache yet).
  void Import(BuildContext& ctx);

  // The --cache-from entry for (kind, key) with its blob pulled into the
  // local cache (verified), or nullopt when no imported cache has it or the
  // pull failed (a warning: the caller builds the result itself).
  std::optional<CacheEntry> Fetch(BuildContext& ctx, std::string_view kind, const std::string& key);

  // Notes that this build used `entry` (its blob at entry.path), so
  // --cache-to exports it; `source` is counted for the build's report.
  // Without --cache-to the entry may lack its blob (only counted).
  void Record(CacheEntry entry, CacheSource source);

  // Pushes every recorded entry to the --cache-to image: blobs the registry
  // lacks (one HEAD each first), the config, then the manifest under the
  // tag. Returns the cache manifest's digest. Errors name the image.
  base::Result<std::string> Export(BuildContext& ctx);

  bool exporting() const { return to_.has_value(); }
  // Results of this build of `kind` by where they came from.
  int count(CacheSource source, std::string_view kind = kCacheKindLayer) const;
  // Entries imported from every --cache-from image.
  size_t imported() const { return remote_.size(); }

 private:
  struct Remote {
    CacheEntry entry;
    size_t source;  // index into from_
  };
  base::Result<void> ImportOne(BuildContext& ctx, size_t i);

  std::vector<oci::ImageRef> from_;
  std::optional<oci::ImageRef> to_;
  std::vector<std::unique_ptr<registry::Repository>> repos_;  // by from_ index
  std::map<std::string, Remote> remote_;                      // "kind\nkey"
  mutable std::mutex mu_;
  std::map<std::string, CacheEntry> used_;                     // "kind\nkey"
  std::map<std::pair<std::string, CacheSource>, int> counts_;  // (kind, source)
};

}  // namespace build
