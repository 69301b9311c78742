// Registry bases: `base: docker://HOST/REPO[:TAG|@DIGEST]` in a spec (and a
// Dockerfile's FROM of a registry image). The image is pulled into the
// content-addressed cache, every blob verified, and handed to composition
// as layers to start from (the exact blobs: same digests, not recompressed),
// a starting config, and a merged view of its filesystem.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/error.h"
#include "workspace/context.h"
#include "fs/tree.h"
#include "oci/descriptor.h"
#include "oci/image.h"
#include "oci/reference.h"

namespace build {

struct BaseImage {
  // The digest the reference resolved to (a manifest or an index), and the
  // manifest chosen for the platform (the same digest for a single image).
  std::string digest;
  std::string manifest_digest;
  // The base's layers in order: descriptors with OCI media types (a Docker
  // gzip layer keeps its bytes and digest under the OCI twin type), DiffIDs
  // from its config, history lines, and blob paths in the cache.
  std::vector<oci::Layer> layers;
  // Its config's Env, Entrypoint, Cmd, User, WorkingDir, ExposedPorts,
  // Volumes, Labels and StopSignal: what a spec's `config:` then overrides.
  oci::RunConfig run;
  // Every layer applied in order, whiteouts included; regular files are
  // blobs in the cache, so /etc/passwd and ELF files can be read.
  fs::Tree view;
  // Debian packages the base holds (var/lib/dpkg/status.d/*, and the
  // installed stanzas of var/lib/dpkg/status): name → version.
  std::map<std::string, std::string> packages;
  int blobs_fetched = 0;  // blobs this call downloaded (0 when all were cached)
};

// Pulls `ref` (docker://) for `platform` into the cache of `ctx`, or finds it
// there. A tag is re-resolved with one manifest GET, unless --offline, where
// the tag's digest recorded by the last pull is used. From an index, the
// manifest for `platform` is chosen. Every manifest, config and layer is
// checked against its digest, and each layer's uncompressed stream against
// its DiffID. Errors start with the reference: "'docker://h/r:1': manifest
// '1' not found in 'h/r'", "...: blob 'sha256:...' does not match its
// digest", "...: no image for platform 'linux/arm64' (the index has
// linux/amd64)", "...: not in the cache (--offline)".
base::Result<BaseImage> PullBaseImage(BuildContext& ctx, const oci::ImageRef& ref,
                                      const oci::Platform& platform);

// The packages a dpkg database in `view` records: status.d/<name> stanzas
// (distroless) and var/lib/dpkg/status stanzas whose Status ends in
// "installed". Unreadable or malformed entries are skipped.
std::map<std::string, std::string> InstalledPackages(const fs::Tree& view);

}  // namespace build
