// Turning a filesystem tree into a layer blob: a deterministic tar stream,
// compressed, with the DiffID and the blob digest computed while streaming.
#pragma once

#include <cstdint>
#include <string>

#include "archive/compress.h"
#include "archive/tar_entry.h"
#include "base/error.h"
#include "fs/tree.h"
#include "oci/image.h"

namespace oci {

struct LayerOptions {
  archive::Compression compression = archive::Compression::kGzip;
  // Every mtime is clamped to this (SOURCE_DATE_EPOCH; 0 when unset).
  int64_t source_date_epoch = 0;
  int threads = 1;
  // Directory the blob is written into, as <dir>/<hex digest>.
  std::string blob_dir;
};

// Writes `tree` as one layer: entries in the tree's bytewise order (the root
// itself omitted), numeric ids, clamped mtimes, hardlink groups emitted as one
// regular file (the first path in order) plus tar links. Returns the layer
// with its descriptor (media type from the compression), DiffID and path.
// Nothing is left in blob_dir on failure.
base::Result<Layer> WriteLayer(const fs::Tree& tree, const LayerOptions& opts,
                               std::string created_by);

// The OCI layer media type for a compression.
const char* LayerMediaType(archive::Compression c);

}  // namespace oci
