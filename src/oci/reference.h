// Image references in the containers-transports forms skopeo and podman use
// (containers-transports(5)): oci:PATH[:TAG], oci-archive:FILE[:TAG],
// docker-archive:FILE[:NAME[:TAG]], docker://HOST/REPO[:TAG|@DIGEST].
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace oci {

enum class Transport { kOci, kOciArchive, kDockerArchive, kDocker };

struct ImageRef {
  Transport transport = Transport::kOci;
  std::string path;  // layout directory or archive file
  std::string tag;   // oci:/oci-archive: tag (ref.name); docker: tag
  // docker-archive: the "NAME:TAG" to record (normalized, may be empty);
  // docker://: "HOST/REPO".
  std::string name;
  std::string digest;  // docker://...@sha256:...
  std::string text;    // as the user wrote it

  std::string ToString() const { return text; }
};

// Parses a DEST or IMAGE argument. Paths may not contain ':' (as in skopeo).
// An unknown or missing transport is an error naming the text and listing
// the supported ones.
base::Result<ImageRef> ParseImageRef(std::string_view text);

// Normalizes a docker-archive name as docker does for RepoTags: a name without
// a tag gets ":latest"; "app" stays "app:latest" (podman adds "localhost/").
std::string NormalizeNameTag(std::string_view name);

}  // namespace oci
