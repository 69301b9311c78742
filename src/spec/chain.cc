// Loading base chains. The suite in effect is the last `debian: suite:` in the
// chain (the user's spec overrides the recipes'), else the host's apt suite;
// each spec's `suites:` overlay for that codename is merged in here, so later
// passes see plain specs.
#include "spec/chain.h"

#include "base/file_util.h"
#include "base/sha256.h"
#include "base/strings.h"

namespace build {

namespace {

// The Debian codename of `suite` with -updates/-security/...
// removed ("bookworm-security" → "bookworm").
std::string Codename(const std::string& suite) {
  size_t dash = suite.find('-');
  return dash == std::string::npos ? suite : suite.substr(0, dash);
}

constexpr int kMaxDepth = 16;

base::Result<void> Load(const Spec& spec, Chain& chain, int depth) {
  std::vector<Spec>& out = chain.specs;
  Variant& variant = chain.variant;
  if (depth > kMaxDepth) return base::Fail("base chain of '{}' is too deep (a cycle?)", spec.path);
  const std::string& b = spec.base;
  if (base::StartsWith(b, "docker://")) {
    // A registry image ends the chain: its own history is in its layers.
    base::Result<oci::ImageRef> ref = oci::ParseImageRef(b);
    if (!ref) return base::Fail(SpecError(spec, spec.base_mark, ref.error().message()));
    if (!ref->digest.empty() && !base::IsSha256Digest(ref->digest))
      return base::Fail(
          SpecError(spec, spec.base_mark, fmt::format("invalid digest '{}'", ref->digest)));
    chain.registry_base = *ref;
  } else if (b != "scratch" && !b.empty()) {
    Spec parent;
    if (b.find('/') != std::string::npos || base::EndsWith(b, ".yaml") ||
        base::EndsWith(b, ".yml")) {
      base::Result<Spec> s = LoadSpec(base::JoinPath(base::DirName(spec.path), b));
      if (!s) return base::Fail(SpecError(spec, spec.base_mark, s.error().message()));
      parent = std::move(*s);
    } else {
      base::Result<BaseRef> ref = ParseBaseRef(b);
      if (!ref) return base::Fail(SpecError(spec, spec.base_mark, ref.error().message()));
      // The requested spec's own `base: NAME:VARIANT` chooses the variant;
      // a recipe's plain `base: static` keeps the one asked for.
      if (depth == 0 && b.find(':') != std::string::npos) variant = ref->variant;
      base::Result<Spec> s = LoadRecipe(ref->name);
      if (!s) return base::Fail(s.error());
      parent = std::move(*s);
    }
    DISTILL_TRY(Load(parent, chain, depth + 1));
  }
  out.push_back(spec);
  return {};
}

void ApplyOverlay(Spec& s, const std::string& codename) {
  auto it = s.suites.find(codename);
  if (it == s.suites.end()) return;
  const SuiteOverlay& o = it->second;
  if (o.packages) s.packages = *o.packages;
  if (o.links) s.links = *o.links;
  if (o.entrypoint) s.config.entrypoint = *o.entrypoint;
  for (const auto& [k, v] : o.env) {
    bool replaced = false;
    for (auto& kv : s.config.env)
      if (kv.first == k) kv.second = v, replaced = true;
    if (!replaced) s.config.env.emplace_back(k, v);
  }
}

}  // namespace

base::Result<Chain> LoadChain(const Spec& spec, Variant variant) {
  Chain chain;
  chain.variant = variant;
  DISTILL_TRY(Load(spec, chain, 0));
  // The user's `debian:` block (or the nearest one up the chain) rules the
  // whole image: one image, one package universe.
  const Spec* with_debian = nullptr;
  for (const Spec& s : chain.specs)
    if (s.has_debian) with_debian = &s;
  std::string suite = with_debian ? with_debian->debian.suite : "";
  for (const Spec& s : chain.specs)
    chain.has_packages |= !s.packages.empty() || s.cacerts || s.java_cacerts || !s.locale.empty();
  if (suite.empty() && chain.has_packages) {
    base::Result<std::vector<debian::Source>> sources =
        SpecSources(with_debian ? *with_debian : chain.specs.back());
    if (!sources) return base::Fail(sources.error());
    if (!sources->empty()) suite = (*sources)[0].suite;
  }
  chain.suite = Codename(suite.empty() ? "bookworm" : suite);
  for (Spec& s : chain.specs) {
    ApplyOverlay(s, chain.suite);
    if (with_debian && &s != with_debian) {
      s.debian = with_debian->debian;
      s.has_debian = true;
    }
  }
  return chain;
}

base::Result<std::vector<debian::Source>> SpecSources(const Spec& spec) {
  base::Result<std::vector<debian::Source>> host = debian::ReadHostSources("/");
  if (!host) return base::Fail(host.error());
  debian::SourceOverride o{spec.debian.mirror, spec.debian.suite, spec.debian.components,
                           spec.debian.keyring};
  // A keyring named in the spec is relative to the spec, like `files:` paths.
  if (!o.keyring.empty() && o.keyring[0] != '/' && o.keyring.find("BEGIN PGP") == std::string::npos)
    o.keyring = base::JoinPath(base::DirName(spec.path), o.keyring);
  return debian::ApplyOverride(*host, o);
}

}  // namespace build
