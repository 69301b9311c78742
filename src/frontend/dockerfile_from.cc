// FROM names → what distill builds. A Dockerfile names images that live in
// registries; distill builds the distroless ones itself from Debian
// packages, so their names are recognised by repository path
// (`<any host>/distroless/<image>`, never by a host name) and mapped onto
// the built-in recipes: the image's `-debian12`/`-debian13` suffix selects
// the Debian suite and its tag the variant (latest, nonroot, debug,
// debug-nonroot), as on the distroless registry. `debian:<release>` becomes
// a Debian root (the Essential set, maintainer scripts run); --base-map
// entries come first and can point any name at a built-in base, a spec file,
// a registry image or `deb:PKG,...`. References are taken apart with
// oci::ParseImageRef (distribution/reference grammar).
#include <cctype>
#include <filesystem>

#include "base/strings.h"
#include "frontend/dockerfile_lower.h"
#include "oci/reference.h"
#include "spec/recipes.h"

namespace build {

namespace {

const std::vector<std::string> kShell = {"/bin/sh", "-c"};
const std::vector<std::string> kBusyboxShell = {"/busybox/sh", "-c"};

// A distroless image name (without suffix) → recipe; `suite` non-empty
// when the recipe gives that runtime only on that suite (java17 gives
// OpenJDK 21 on trixie; nodejs is Debian's Node: 18 on bookworm, 20 on trixie).
struct DistrolessName {
  const char* image;
  const char* recipe;
  const char* suite;
};
constexpr DistrolessName kDistroless[] = {
    {"static", "static", ""},
    {"base", "base", ""},
    {"base-nossl", "base-nossl", ""},
    {"cc", "cc", ""},
    {"python3", "python3", ""},
    {"java-base", "java-base", ""},
    {"java17", "java17", "bookworm"},
    {"java21", "java17", "trixie"},
    {"java", "java17", ""},
    {"nodejs", "nodejs", ""},
    {"nodejs18", "nodejs", "bookworm"},
    {"nodejs20", "nodejs", "trixie"},
};

std::string SuiteOfRelease(const std::string& number) {
  if (number == "11") return "bullseye";
  if (number == "12") return "bookworm";
  if (number == "13") return "trixie";
  return "";
}

ResolvedBase Builtin(const BaseRef& ref, const std::string& suite) {
  ResolvedBase r;
  r.kind = RootKind::kBuiltin;
  r.base = ref.variant == Variant::kLatest ? ref.name : ref.name + ":" + VariantName(ref.variant);
  r.suite = suite;
  bool debug = ref.variant == Variant::kDebug || ref.variant == Variant::kDebugNonroot;
  if (debug) r.shell = kBusyboxShell;
  if (ref.variant == Variant::kNonroot || ref.variant == Variant::kDebugNonroot)
    r.workdir = "/home/nonroot";
  r.label = r.base;
  return r;
}

ResolvedBase DebianRoot(const std::vector<std::string>& packages, const std::string& suite,
                        const std::string& label) {
  ResolvedBase r;
  r.kind = RootKind::kDebian;
  r.base = "debian";
  r.packages = packages;
  r.suite = suite;
  r.shell = kShell;
  r.label = label;
  return r;
}

// Any other image: pulled from its registry (compose/registry_base.h).
base::Result<ResolvedBase> Registry(const std::string& ref) {
  ResolvedBase r;
  r.kind = RootKind::kRegistry;
  r.base = "docker://" + ref;
  r.shell = kShell;
  r.label = ref;
  return r;
}

base::Result<ResolvedBase> Distroless(const std::string& ref, std::string image,
                                      const std::string& tag) {
  std::string suite;
  size_t dash = image.rfind("-debian");
  if (dash != std::string::npos) {
    std::string number = image.substr(dash + 7);
    suite = SuiteOfRelease(number);
    if (suite.empty())
      return base::Fail("FROM '{}': unknown Debian release 'debian{}'", ref, number);
    image = image.substr(0, dash);
  }
  for (const DistrolessName& d : kDistroless) {
    if (image != d.image) continue;
    std::string only = d.suite;
    if (!only.empty() && !suite.empty() && suite != only)
      return base::Fail(
          "FROM '{}': the built-in '{}' base gives this runtime only on {}; map it "
          "with --base-map",
          ref, d.recipe, only);
    base::Result<BaseRef> br =
        ParseBaseRef(std::string(d.recipe) + ":" + (tag.empty() ? "latest" : tag));
    if (!br)
      return base::Fail(
          "FROM '{}': unknown tag '{}' (distroless tags: latest, nonroot, debug, "
          "debug-nonroot)",
          ref, tag);
    return Builtin(*br, suite.empty() ? only : suite);
  }
  std::vector<std::string> names;
  for (const DistrolessName& d : kDistroless) names.push_back(d.image);
  std::string close = base::ClosestMatch(image, names);
  return base::Fail("FROM '{}': no built-in base for distroless '{}'{}; map it with --base-map",
                    ref, image, close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close));
}

bool AllLetters(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!islower(static_cast<unsigned char>(c))) return false;
  return true;
}

// debian:bookworm, debian:bookworm-slim, debian:12, debian:12.5-slim,
// debian:bookworm-20240110 → the codename; latest/stable/no tag → the host's.
base::Result<ResolvedBase> Debian(const std::string& ref, std::string tag) {
  if (base::EndsWith(tag, "-slim")) tag.resize(tag.size() - 5);
  size_t dash = tag.find('-');
  if (dash != std::string::npos &&
      tag.find_first_not_of("0123456789", dash + 1) == std::string::npos)
    tag.resize(dash);  // a date-stamped tag
  std::string suite;
  if (!tag.empty() && isdigit(static_cast<unsigned char>(tag[0]))) {
    suite = SuiteOfRelease(tag.substr(0, tag.find('.')));
    if (suite.empty()) return base::Fail("FROM '{}': unknown Debian release '{}'", ref, tag);
  } else if (tag != "latest" && tag != "stable" && !tag.empty()) {
    if (!AllLetters(tag)) return base::Fail("FROM '{}': unknown Debian release '{}'", ref, tag);
    suite = tag;
  }
  return DebianRoot({}, suite, ref);
}

// A --base-map TARGET: deb:PKG,..., docker://REF, a spec file, a built-in
// NAME[:VARIANT], or an image name mapped by the rules above.
base::Result<ResolvedBase> ResolveMapTarget(const std::string& target) {
  if (base::StartsWith(target, "deb:")) {
    std::vector<std::string> packages;
    for (const std::string& p : base::Split(target.substr(4), ','))
      if (!base::Trim(p).empty()) packages.emplace_back(base::Trim(p));
    return DebianRoot(packages, "", target);
  }
  if (base::StartsWith(target, "docker://")) return Registry(target.substr(9));
  if (base::EndsWith(target, ".yaml") || base::EndsWith(target, ".yml")) {
    ResolvedBase r;
    r.kind = RootKind::kSpecFile;
    r.base = std::filesystem::absolute(target).lexically_normal().string();
    r.shell = kShell;
    r.label = target;
    return r;
  }
  if (IsBuiltinBase(target.substr(0, target.find(':')))) {
    base::Result<BaseRef> br = ParseBaseRef(target);
    if (!br) return base::Fail(br.error());
    return Builtin(*br, "");
  }
  return ResolveFromImage(target, {});
}

}  // namespace

base::Result<std::pair<std::string, std::string>> ParseBaseMap(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return base::Fail(
        "invalid --base-map '{}' (expected REF=TARGET, e.g. "
        "openjdk:8-jdk-slim=deb:openjdk-17-jdk-headless)",
        text);
  std::string target = text.substr(eq + 1);
  if (target == "deb:" ||
      (base::StartsWith(target, "deb:") && base::Trim(target.substr(4)).empty()))
    return base::Fail("invalid --base-map '{}' (deb: needs at least one package)", text);
  return std::make_pair(text.substr(0, eq), target);
}

base::Result<ResolvedBase> ResolveFromImage(
    const std::string& ref, const std::vector<std::pair<std::string, std::string>>& base_map) {
  base::Result<oci::ImageRef> parsed = oci::ParseImageRef("docker://" + ref);
  if (ref != "scratch" && (!parsed || ref.find_first_of(" \t") != std::string::npos))
    return base::Fail("FROM '{}': invalid image reference", ref);
  std::string name = parsed ? parsed->name : ref;
  for (const auto& [from, to] : base_map) {
    if (from != ref && from != name) continue;
    base::Result<ResolvedBase> r = ResolveMapTarget(to);
    if (!r) return base::Fail(r.error().Context("--base-map '{}={}'", from, to));
    return r;
  }
  if (ref == "scratch") {
    ResolvedBase r;
    r.label = "scratch";
    return r;
  }
  // The tag as written: ParseImageRef fills in "latest" for none.
  std::string tag =
      ref.find('@') == std::string::npos && ref.size() > name.size() ? parsed->tag : "";
  std::vector<std::string> parts = base::Split(name, '/');
  bool distroless = parts.size() >= 2 && parts[parts.size() - 2] == "distroless";
  bool debian =
      parts.back() == "debian" && (parts.size() == 1 || parts[parts.size() - 2] == "library");
  if ((distroless || debian) && !parsed->digest.empty())
    return base::Fail(
        "FROM '{}': a digest pins one upstream build, and distill builds this base "
        "from Debian packages (drop the digest, or map it with --base-map)",
        ref);
  if (distroless) return Distroless(ref, parts.back(), tag);
  if (debian) return Debian(ref, tag);
  return Registry(ref);
}

}  // namespace build
