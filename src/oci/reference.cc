// Reference parsing for the four transports of the contract. The grammar of
// tags and names follows distribution/reference (formats.md C1).
#include "oci/reference.h"

#include <cctype>

#include "base/strings.h"

namespace oci {

// Tag grammar [A-Za-z0-9_][A-Za-z0-9._-]{0,127} (distribution-spec).
static bool ValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || tag[0] == '.' || tag[0] == '-') return false;
  for (char c : tag)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

// The tag after the last ':' of "NAME:TAG", unless that ':' belongs to a
// host:port (a '/' follows it).
static std::pair<std::string, std::string> SplitNameTag(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || s.find('/', colon) != std::string_view::npos)
    return {std::string(s), ""};
  return {std::string(s.substr(0, colon)), std::string(s.substr(colon + 1))};
}

std::string NormalizeNameTag(std::string_view name) {
  if (name.empty()) return "";
  auto [n, tag] = SplitNameTag(name);
  return n + ":" + (tag.empty() ? "latest" : tag);
}

static base::Result<ImageRef> ParseLocal(Transport t, std::string_view rest, std::string_view text) {
  ImageRef ref;
  ref.transport = t;
  ref.text = std::string(text);
  size_t colon = rest.find(':');
  ref.path = std::string(rest.substr(0, colon));
  if (ref.path.empty()) return base::Fail("'{}': missing path", text);
  if (colon == std::string_view::npos) return ref;
  std::string_view after = rest.substr(colon + 1);
  if (t == Transport::kDockerArchive) {
    auto [name, tag] = SplitNameTag(after);
    if (name.empty() || (!tag.empty() && !ValidTag(tag)))
      return base::Fail("'{}': invalid image name '{}'", text, after);
    ref.name = NormalizeNameTag(after);
    return ref;
  }
  if (after.empty() || !ValidTag(after) ) {
    // ref.name in a layout may hold more than a tag, but keep to tag grammar
    // so every tool reading the layout accepts it.
    return base::Fail("'{}': invalid tag '{}'", text, after);
  }
  ref.tag = std::string(after);
  return ref;
}

static base::Result<ImageRef> ParseDocker(std::string_view rest, std::string_view text) {
  ImageRef ref;
  ref.transport = Transport::kDocker;
  ref.text = std::string(text);
  if (!base::StartsWith(rest, "//")) return base::Fail("'{}': expected docker://HOST/REPO", text);
  std::string_view r = rest.substr(2);
  size_t at = r.find('@');
  if (at != std::string_view::npos) {
    ref.digest = std::string(r.substr(at + 1));
    r = r.substr(0, at);
  }
  auto [name, tag] = SplitNameTag(r);
  if (name.empty()) return base::Fail("'{}': missing repository", text);
  if (!tag.empty() && !ValidTag(tag)) return base::Fail("'{}': invalid tag '{}'", text, tag);
  ref.name = name;
  ref.tag = tag.empty() && ref.digest.empty() ? "latest" : tag;
  return ref;
}

base::Result<ImageRef> ParseImageRef(std::string_view text) {
  size_t colon = text.find(':');
  std::string_view transport = colon == std::string_view::npos ? "" : text.substr(0, colon);
  std::string_view rest = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (transport == "oci") return ParseLocal(Transport::kOci, rest, text);
  if (transport == "oci-archive") return ParseLocal(Transport::kOciArchive, rest, text);
  if (transport == "docker-archive") return ParseLocal(Transport::kDockerArchive, rest, text);
  if (transport == "docker") return ParseDocker(rest, text);
  std::string hint;
  std::string close = base::ClosestMatch(transport, {"oci", "oci-archive", "docker-archive", "docker"});
  if (!transport.empty() && !close.empty()) hint = fmt::format(" (did you mean '{}:'?)", close);
  else hint = " (expected oci:, oci-archive:, docker-archive: or docker://)";
  if (transport.empty()) return base::Fail("'{}': missing transport{}", text, hint);
  return base::Fail("'{}': unknown transport '{}'{}", text, transport, hint);
}

}  // namespace oci
