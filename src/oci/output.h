// Writing a built image to a destination: an OCI image layout directory
// (image-layout.md), an oci-archive (a tar of a layout) or a docker-archive
// (a Docker ≥ 25 style tar: OCI layout plus manifest.json, which podman load
// and both of docker load's stores read; formats.md B2, B3).
#pragma once

#include "base/error.h"
#include "oci/image.h"
#include "oci/reference.h"

namespace oci {

// Writes `bundle` to `dest`. Layouts keep their other tags; the tag given
// replaces an earlier image of the same tag. Archives are written to a
// temporary file and renamed into place, so a failure leaves no file (or the
// old one). Registry destinations belong to the registry module.
base::Result<void> WriteImage(const ImageRef& dest, const Bundle& bundle);

base::Result<void> WriteOciLayout(const std::string& dir, const std::string& tag,
                                  const Bundle& bundle);
base::Result<void> WriteOciArchive(const std::string& file, const std::string& tag,
                                   const Bundle& bundle);
base::Result<void> WriteDockerArchive(const std::string& file, const std::string& name_tag,
                                      const Bundle& bundle);

// "app:1" → "docker.io/library/app:1"; "localhost:5000/x:1" stays (formats.md C1).
std::string FullyQualifiedName(const std::string& name_tag);

}  // namespace oci
