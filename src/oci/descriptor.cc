// Descriptor and platform (de)serialization. Key order in the JSON we write
// comes from nlohmann::json's sorted objects, so bytes are stable.
#include "oci/descriptor.h"

#include <sys/utsname.h>

#include "base/sha256.h"
#include "base/strings.h"

namespace oci {

std::string Platform::ToString() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

base::Result<Platform> ParsePlatform(std::string_view text) {
  std::vector<std::string> parts = base::Split(text, '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return base::Fail("invalid platform '{}' (expected os/arch[/variant])", text);
  Platform p{parts[0], parts[1], parts.size() == 3 ? parts[2] : ""};
  if (p.architecture == "arm64" && p.variant.empty()) p.variant = "v8";
  return p;
}

namespace {
struct ArchPair {
  const char* debian;
  const char* oci;
  const char* variant;
};
constexpr ArchPair kArches[] = {
    {"amd64", "amd64", ""},     {"arm64", "arm64", "v8"},     {"armhf", "arm", "v7"},
    {"armel", "arm", "v5"},     {"i386", "386", ""},          {"ppc64el", "ppc64le", ""},
    {"s390x", "s390x", ""},     {"riscv64", "riscv64", ""},   {"mips64el", "mips64le", ""},
};
}  // namespace

Platform HostPlatform() {
  struct utsname u;
  uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return {"linux", "amd64", ""};
  if (m == "aarch64") return {"linux", "arm64", "v8"};
  if (m == "armv7l") return {"linux", "arm", "v7"};
  if (m == "ppc64le") return {"linux", "ppc64le", ""};
  if (m == "s390x") return {"linux", "s390x", ""};
  if (m == "riscv64") return {"linux", "riscv64", ""};
  return {"linux", m, ""};
}

base::Result<std::string> DebianArchFromPlatform(const Platform& p) {
  // Only 32-bit arm needs the variant to choose (v7 → armhf, v5 → armel).
  for (const ArchPair& a : kArches) {
    if (p.architecture != a.oci) continue;
    if (p.architecture == "arm" && !p.variant.empty() && p.variant != a.variant) continue;
    return std::string(a.debian);
  }
  return base::Fail("no debian architecture for platform '{}'", p.ToString());
}

nlohmann::json ToJson(const Descriptor& d) {
  nlohmann::json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform) {
    nlohmann::json p = {{"os", d.platform->os}, {"architecture", d.platform->architecture}};
    if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
    j["platform"] = p;
  }
  return j;
}

base::Result<Descriptor> DescriptorFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return base::Fail("descriptor is not an object");
  Descriptor d;
  if (!j.contains("mediaType") || !j["mediaType"].is_string())
    return base::Fail("descriptor has no mediaType");
  d.media_type = j["mediaType"];
  if (!j.contains("digest") || !j["digest"].is_string() || !base::IsSha256Digest(j["digest"].get<std::string>()))
    return base::Fail("descriptor has no valid sha256 digest");
  d.digest = j["digest"];
  if (!j.contains("size") || !j["size"].is_number_integer() || j["size"].get<int64_t>() < 0)
    return base::Fail("descriptor '{}' has no valid size", d.digest);
  d.size = j["size"];
  if (j.contains("annotations") && j["annotations"].is_object())
    for (auto& [k, v] : j["annotations"].items())
      if (v.is_string()) d.annotations[k] = v;
  if (j.contains("platform") && j["platform"].is_object()) {
    const nlohmann::json& p = j["platform"];
    Platform pl;
    pl.os = p.value("os", "");
    pl.architecture = p.value("architecture", "");
    pl.variant = p.value("variant", "");
    d.platform = pl;
  }
  return d;
}

}  // namespace oci
