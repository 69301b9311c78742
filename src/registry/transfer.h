// Moving whole images: pulling from a registry as an oci::ImageSource,
// loading any source into an oci::Bundle (blobs as files), pushing a Bundle,
// and `copy` between any two of oci:, oci-archive:, docker-archive: and
// docker:// (containers-transports(5)).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "base/error.h"
#include "oci/image.h"
#include "oci/image_source.h"
#include "oci/reference.h"
#include "registry/client.h"

namespace registry {

// Runs fn(i) for i in [0, n) on up to `jobs` threads; after the first error
// no new call starts. Returns the first error in index order, once every
// started call has finished.
base::Result<void> ParallelFor(size_t n, int jobs,
                               const std::function<base::Result<void>(size_t)>& fn);

// An image in a registry, read through the distribution API. Top() fetches
// the manifest the reference names; ReadBlob() serves manifests and small
// blobs; CopyBlob() streams a blob, verified. Thread-safe.
base::Result<std::unique_ptr<oci::ImageSource>> OpenRegistrySource(Client& client,
                                                                   const oci::ImageRef& ref);

// Opens any IMAGE form: local ones through oci::ImageSource::Open.
base::Result<std::unique_ptr<oci::ImageSource>> OpenSource(Client& client,
                                                           const oci::ImageRef& ref);

// Reads the image `source` names into a Bundle whose layers are files:
// a layout's own blob files when there are any, else copies made in `tmpdir`
// (`jobs` at once, retried when the transfer broke). With `verify_files`,
// blob files taken from a layout are hashed too. An index may hold
// manifests only (no nested index).
base::Result<oci::Bundle> LoadBundle(oci::ImageSource& source, const std::string& tmpdir, int jobs,
                                     bool verify_files);

// What a push did, blob by blob.
struct PushStats {
  std::atomic<int> existed{0};
  std::atomic<int> mounted{0};
  std::atomic<int> uploaded{0};
};

// Pushes `bundle` to `repo`: config and layer blobs first (Options::jobs at
// once), then each platform's manifest by digest, then the top manifest or
// index under `reference` (a tag, or the top's digest). Returns the top
// digest. A failure leaves no manifest naming a missing blob.
base::Result<std::string> Push(Repository& repo, const oci::Bundle& bundle,
                               const std::string& reference, PushStats* stats = nullptr);

// Pushes `bundle` to a docker:// destination.
base::Result<std::string> PushTo(Client& client, const oci::ImageRef& dest,
                                 const oci::Bundle& bundle, PushStats* stats = nullptr);

// Copies `src` to `dst` (any forms). Blobs of a remote or archived source go
// through a temporary directory under $TMPDIR (or /tmp), removed afterwards.
// Returns the digest of the top manifest or index, unchanged by the copy.
base::Result<std::string> Copy(Client& client, const oci::ImageRef& src, const oci::ImageRef& dst,
                               PushStats* stats = nullptr);

}  // namespace registry
