// The layer cache: a package's layer depends only on its .deb and a few
// options, so its blob, DiffID and descriptor are kept in the cache under a
// key of those inputs and reused by every later build (warm builds skip
// compression entirely). Entries are <cache>/layers/<key>.json next to the
// blob in <cache>/blobs/sha256/. With --cache-from, a key the local cache
// lacks is looked up in the registry cache (workspace/registry_cache.h) before
// the layer is built; with --cache-to, every layer used is recorded there.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "workspace/context.h"
#include "cache/store.h"
#include "oci/image.h"

namespace build {

// The key for a layer made from `inputs` (a text naming everything the
// layer's bytes depend on).
std::string LayerKey(const std::string& inputs);

// The cached layer for `key`, if its JSON and blob are both present.
std::optional<oci::Layer> LookupLayer(const cache::Store& store, const std::string& key);

// Moves `layer`'s blob into the store and records it under `key`; returns
// the layer with its path in the store.
base::Result<oci::Layer> StoreLayer(const cache::Store& store, const std::string& key,
                                    oci::Layer layer);

// The layer for `key` from the local cache, else from a --cache-from image
// (its blob pulled into the local cache, and its entry written there, so the
// next build finds it locally); nullopt when neither has it. Records the use
// for --cache-to.
std::optional<oci::Layer> LookupLayer(BuildContext& ctx, const std::string& key);

// StoreLayer into ctx's cache, recorded for --cache-to as built here.
base::Result<oci::Layer> StoreLayer(BuildContext& ctx, const std::string& key, oci::Layer layer);

}  // namespace build
