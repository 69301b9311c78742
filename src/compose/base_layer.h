// One layer of a registry base as the list of its entries, which is what the
// merged view of the base is built from: read from the layer blob once, then
// from its entry record in the cache, so a warm build reads no layer at all.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "archive/tar_reader.h"
#include "base/error.h"
#include "base/limits.h"
#include "cache/store.h"
#include "fs/entry_record.h"
#include "fs/tree.h"
#include "oci/image.h"

namespace build {

// A layer's entries in archive order, whiteouts included; each regular
// file's content is its blob in the store (node.content is
// fs::Content::Disk(store.Path(blob))).
struct LayerRecord {
  std::vector<fs::RecordEntry> entries;
  uint64_t uncompressed_size = 0;  // of the tar stream
};

// The entries of `layer`, whose blob is in `store`: from its record,
// <store root>/baselayers/<DiffID hex>.json, when that decodes, was made
// from the same blob and all its content blobs are present; else from the
// blob, whose uncompressed stream must hash to the layer's DiffID, each
// regular file stored as a blob, and then recorded (a record that cannot be
// written only costs the next build a re-read). Errors name the layer:
// "layer 'sha256:…' does not match its DiffID 'sha256:…'", "layer
// 'sha256:…': invalid whiteout 'a/.wh.'".
// Reading a layer is bounded by `limits` (archive/tar_reader.h SetLimits);
// `image_used`, shared by the layers of one image, bounds their total.
base::Result<LayerRecord> LayerEntries(const cache::Store& store, const oci::Layer& layer,
                                       const base::Limits& limits = {},
                                       std::atomic<uint64_t>* image_used = nullptr);

// Moves the tar reader's current entry (a regular file of `size` bytes)
// into the store, streaming (only files up to 1 MiB pass through memory);
// returns its hex digest. Used for registry-base layers and ADD archives.
base::Result<std::string> StoreContent(const cache::Store& store, archive::TarReader& tar,
                                       uint64_t size);

// Applies one layer's entries to the merged `view` (image-spec layer.md
// "Applying Changesets"): whiteouts first, since they hide the layers below
// only, then the entries.
base::Result<void> ApplyLayer(fs::Tree& view, const std::vector<fs::RecordEntry>& entries);

}  // namespace build
