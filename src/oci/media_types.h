// Media types of the OCI image spec (media-types.md) and their Docker v2
// schema 2 twins (formats.md A5). distill writes the OCI family only.
#pragma once

namespace oci {

inline constexpr char kMediaTypeManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kMediaTypeIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kMediaTypeConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kMediaTypeLayer[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char kMediaTypeLayerGzip[] = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char kMediaTypeLayerZstd[] = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr char kMediaTypeLayoutHeader[] = "application/vnd.oci.layout.header.v1+json";

inline constexpr char kDockerManifest[] = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char kDockerManifestList[] =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kDockerConfig[] = "application/vnd.docker.container.image.v1+json";
inline constexpr char kDockerLayerGzip[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";

inline constexpr char kAnnotationRefName[] = "org.opencontainers.image.ref.name";
inline constexpr char kAnnotationContainerdName[] = "io.containerd.image.name";

}  // namespace oci
