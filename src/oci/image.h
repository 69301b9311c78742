// The image model: config (image-spec config.md), manifest (manifest.md) and
// index (image-index.md), serialized once into the exact bytes that are
// hashed, written and pushed — never re-serialized (formats.md A1).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/descriptor.h"

namespace oci {

// The PATH of an image that sets none (Docker's and BuildKit's default).
inline constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The runtime settings of an image, `config` in the image config JSON.
struct RunConfig {
  std::string user;
  std::string workdir;
  std::vector<std::string> env;  // "NAME=value", in order
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> ports;  // "8080/tcp"
  std::vector<std::string> volumes;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
};

// A layer blob as written: its descriptor, the DiffID of its uncompressed
// tar, where the blob sits on disk, and what made it (history).
struct Layer {
  Descriptor descriptor;
  std::string diff_id;
  std::string path;
  std::string created_by;
  uint64_t uncompressed_size = 0;
};

// A blob ready to be written to an output: bytes in memory (JSON) or a file.
struct Blob {
  std::string digest;
  int64_t size = 0;
  std::shared_ptr<const std::string> bytes;
  std::string path;
};

// One platform's image, serialized.
struct ImageManifest {
  Platform platform;
  Descriptor manifest;  // carries the platform
  Descriptor config;
  std::vector<Layer> layers;
  std::string manifest_bytes;
  std::string config_bytes;
};

// What a build produces: one manifest, or an index over several platforms.
struct Bundle {
  Descriptor top;  // the manifest or the index
  std::vector<ImageManifest> images;
  std::string index_bytes;  // set when top is an index

  // Every blob reachable from `top`, each once, in a stable order.
  std::vector<Blob> Blobs() const;
  // Config + layers + manifest (+ index) bytes, each blob counted once.
  int64_t TotalSize() const;
};

// Serializes the config for `layers` on `platform`; `created` is seconds since
// the epoch (SOURCE_DATE_EPOCH), written as RFC 3339 UTC.
std::string SerializeConfig(const Platform& platform, const RunConfig& run,
                            const std::vector<Layer>& layers, int64_t created);
// Builds one platform's manifest (and its config) from its layers.
ImageManifest MakeImageManifest(const Platform& platform, const RunConfig& run,
                                std::vector<Layer> layers, int64_t created,
                                const std::map<std::string, std::string>& annotations);
// A single image becomes its own manifest; several become an index.
Bundle MakeBundle(std::vector<ImageManifest> images);

// RFC 3339 UTC ("1970-01-01T00:00:00Z").
std::string FormatRfc3339(int64_t seconds);

}  // namespace oci
