// Reading images from the local forms: an OCI layout directory, an
// oci-archive, and a docker-archive (Docker ≥ 25 layout-style, or the older
// manifest.json-only form). Used by `inspect`, by `copy`, and by registry
// bases (HashUncompressed checks a pulled layer against its DiffID).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/limits.h"
#include "base/sink.h"
#include "oci/descriptor.h"
#include "oci/reference.h"

namespace oci {

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  // Opens `ref` (local transports only).
  static base::Result<std::unique_ptr<ImageSource>> Open(const ImageRef& ref);

  // The descriptor `ref` names: its tag, or the only image in the source.
  // Errors list the tags when the choice is ambiguous or the tag is absent.
  virtual base::Result<Descriptor> Top() = 0;
  // A small blob (manifest, index, config), verified against its digest.
  virtual base::Result<std::string> ReadBlob(const std::string& digest) = 0;
  // Streams blob `digest`, of any size, into `out`; a blob that does not
  // match its digest is an error naming it, found only once everything was
  // written (so write somewhere temporary). Thread-safe in the local forms.
  virtual base::Result<void> CopyBlob(const std::string& digest, base::Sink& out);
  // The file that holds blob `digest` alone (a layout's blobs/sha256/<hex>),
  // not verified; "" when the blob is inside an archive or remote.
  virtual std::string BlobFile(const std::string& digest);
};

// The digest ("sha256:<hex>") and size of the file at `path` once its
// compression (gzip, zstd, xz or none, found by magic bytes) is removed: a
// layer blob's DiffID (image-spec config.md, "layer DiffID"). Errors name the
// file: a corrupt or truncated stream, or one longer than `max_bytes` (a
// decompression bomb stops there, while streaming: "'<path>': the
// uncompressed stream exceeds the limit layer-bytes ...").
struct Uncompressed {
  std::string digest;
  uint64_t size = 0;
};
base::Result<Uncompressed> HashUncompressed(const std::string& path,
                                            const base::Limits& limits = {});

}  // namespace oci
