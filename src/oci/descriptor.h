// Descriptors and platforms (image-spec descriptor.md, image-index.md): the
// typed, sized, content-addressed pointers that tie manifests, configs and
// layers together.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace oci {

struct Platform {
  std::string os = "linux";
  std::string architecture;  // GOARCH spelling: amd64, arm64, arm, 386, ...
  std::string variant;       // v7, v8, ... or empty

  // "linux/amd64", "linux/arm/v7".
  std::string ToString() const;
  bool operator==(const Platform&) const = default;
};

// Parses "linux/amd64" or "linux/arm64/v8"; errors name the text.
base::Result<Platform> ParsePlatform(std::string_view text);
// The platform of the machine distill runs on.
Platform HostPlatform();
// OCI platform → Debian architecture (formats.md A3).
base::Result<std::string> DebianArchFromPlatform(const Platform& p);

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
};

nlohmann::json ToJson(const Descriptor& d);
// Validates the required fields; errors say which is missing or malformed.
base::Result<Descriptor> DescriptorFromJson(const nlohmann::json& j);

}  // namespace oci
