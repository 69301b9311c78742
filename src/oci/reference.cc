// Reference parsing for the four transports of the contract. The grammar of
// tags and names follows distribution/reference (formats.md C1) and the OCI
// distribution spec: every docker:// repository path component matches
// [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*, a tag [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
// and a digest algorithm:encoded. Checked here, before any registries.conf
// rule is looked up or a request sent: "x/../evil" or "./evil" would
// otherwise pass a `blocked` rule and then reach the blocked repository
// once a URL parser collapsed the dots.
#include "oci/reference.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/strings.h"

namespace oci {

// Tag grammar [A-Za-z0-9_][A-Za-z0-9._-]{0,127} (distribution-spec).
static bool ValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || tag[0] == '.' || tag[0] == '-') return false;
  for (char c : tag)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

static bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*.
static bool ValidComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

// HOST[:PORT]: DNS labels ([A-Za-z0-9] with inner '-') joined by '.', or a
// bracketed IPv6 address.
static bool ValidDomain(std::string_view d) {
  size_t colon = d.rfind(':');
  if (colon != std::string_view::npos && d.find(']', colon) == std::string_view::npos) {
    std::string_view port = d.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    d = d.substr(0, colon);
  }
  if (d.size() > 2 && d.front() == '[' && d.back() == ']')
    return d.substr(1, d.size() - 2).find_first_not_of("0123456789abcdefABCDEF:.") ==
           std::string_view::npos;
  for (const std::string& label : base::Split(d, '.')) {
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

// Why `name` ("HOST/REPO", "team/app", "app") is not a repository name, or
// "" when it is one. The first component is a host when it holds '.' or
// ':', is "localhost" or has uppercase letters (registry/client.h).
static std::string RepoNameError(std::string_view name) {
  if (name.size() > 255) return "longer than 255 characters";
  std::vector<std::string> parts = base::Split(name, '/');
  size_t first = 0;
  const std::string& head = parts[0];
  bool is_host =
      parts.size() > 1 && (head.find_first_of(".:") != std::string::npos || head == "localhost" ||
                           std::any_of(head.begin(), head.end(), ::isupper));
  if (is_host) {
    if (!ValidDomain(head)) return fmt::format("invalid registry host '{}'", head);
    first = 1;
  }
  for (size_t i = first; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p == "." || p == "..") return fmt::format("path component '{}' is not allowed", p);
    if (p.empty()) return "empty path component";
    if (!ValidComponent(p))
      return fmt::format(
          "invalid path component '{}' (lowercase letters, digits and inner '.', '_', '__' or "
          "'-' only)",
          p);
  }
  return "";
}

// algorithm:encoded; sha256 and sha512 must be lowercase hex of their length.
static bool ValidDigest(std::string_view d) {
  size_t colon = d.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == d.size()) return false;
  std::string_view alg = d.substr(0, colon);
  std::string_view enc = d.substr(colon + 1);
  if (!IsLowerAlnum(alg.front()) || !IsLowerAlnum(alg.back())) return false;
  for (char c : alg)
    if (!IsLowerAlnum(c) && c != '+' && c != '.' && c != '_' && c != '-') return false;
  for (char c : enc)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '=' && c != '_' && c != '-') return false;
  size_t want = alg == "sha256" ? 64 : alg == "sha512" ? 128 : 0;
  if (want != 0)
    return enc.size() == want &&
           enc.find_first_not_of("0123456789abcdef") == std::string_view::npos;
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

static base::Result<ImageRef> ParseLocal(Transport t, std::string_view rest,
                                         std::string_view text) {
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
  if (after.empty() || !ValidTag(after)) {
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
  if (std::string why = RepoNameError(name); !why.empty())
    return base::Fail("'{}': invalid repository name: {}", text, why);
  if (at != std::string_view::npos && !ValidDigest(ref.digest))
    return base::Fail("'{}': invalid digest '{}'", text, ref.digest);
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
  std::string close =
      base::ClosestMatch(transport, {"oci", "oci-archive", "docker-archive", "docker"});
  if (!transport.empty() && !close.empty())
    hint = fmt::format(" (did you mean '{}:'?)", close);
  else
    hint = " (expected oci:, oci-archive:, docker-archive: or docker://)";
  if (transport.empty()) return base::Fail("'{}': missing transport{}", text, hint);
  return base::Fail("'{}': unknown transport '{}'{}", text, transport, hint);
}

}  // namespace oci
