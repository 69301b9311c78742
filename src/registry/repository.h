// Repository: the blob and manifest operations of the distribution API on one
// repository of a registry (formats.md C2-C4).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/sink.h"
#include "oci/image.h"
#include "registry/session.h"

namespace registry {

// A manifest or index as served: its exact bytes, Content-Type and digest.
struct Manifest {
  std::string bytes;
  std::string media_type;
  std::string digest;
};

// What pushing one blob did.
enum class BlobOutcome { kExisted, kMounted, kUploaded };

class Repository {
 public:
  // `name` is the repository path without the host ("team/app"). `push`
  // asks for push rights; `mount_from` names another repository of the same
  // registry whose blobs may be mounted rather than uploaded.
  Repository(Session& session, std::string name, bool push, std::string mount_from = "");

  // HEAD /v2/<name>/blobs/<digest>: whether the registry has the blob.
  base::Result<bool> HasBlob(const std::string& digest);

  // Pushes one blob unless the registry has it: mounts it from mount_from,
  // else uploads it (one PUT, or PATCH chunks for blobs over
  // Options::chunk_size, read from disk as sent). A failed attempt (dropped
  // connection, 5xx, 429) starts over with a new upload session, up to the
  // retry options' attempts.
  base::Result<BlobOutcome> PushBlob(const oci::Blob& blob);

  // Streams blob `digest` into `out` and checks its digest (and `size` when
  // not negative); a mismatch is an error naming the blob. Not retried.
  base::Result<void> FetchBlob(const std::string& digest, int64_t size, base::Sink& out);

  // GET /v2/<name>/manifests/<reference> accepting OCI and Docker manifests
  // and indexes; verifies the bytes against a digest reference and against
  // Docker-Content-Digest. A missing one is "manifest '<ref>' not found".
  base::Result<Manifest> FetchManifest(const std::string& reference);

  // PUT /v2/<name>/manifests/<reference> with the exact bytes and their media
  // type; checks the Docker-Content-Digest answered. Returns the digest.
  base::Result<std::string> PutManifest(const std::string& reference, const std::string& bytes,
                                        const std::string& media_type);

  const std::string& name() const { return name_; }
  Session& session() { return session_; }

 private:
  base::Result<BlobOutcome> UploadOnce(const oci::Blob& blob, bool& retryable);
  base::Result<std::string> StartUpload(const oci::Blob& blob, bool& mounted, bool& retryable);
  base::Result<std::string> SendChunks(const oci::Blob& blob, std::string location,
                                       bool& retryable);
  base::Error Failed(const Reply& r, bool& retryable) const;

  Session& session_;
  std::string name_;
  std::string scope_;
  std::string mount_from_;
};

// Appends a query parameter to an upload Location, which may already carry
// a query (formats.md C3: join with '&' or '?', never rebuild it).
std::string WithQuery(const std::string& location, const std::string& param);

// The Accept header for manifests: OCI and Docker manifests and indexes.
extern const char kManifestAccept[];

}  // namespace registry
