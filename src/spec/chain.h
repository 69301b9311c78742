// The chain of specs an image is built from: a spec's `base:` names a
// built-in recipe (with a variant), another spec file, a registry image
// (docker://, which then is the root: compose/registry_base.h), or scratch;
// recipes name their own bases. The chain lists them root first, each with the
// suite overlay of the Debian suite in effect already applied.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "debian/sources.h"
#include "spec/recipes.h"
#include "spec/spec.h"
#include "oci/reference.h"

namespace build {

struct Chain {
  std::vector<Spec> specs;  // root first; the requested spec last
  Variant variant = Variant::kLatest;
  std::string suite;  // the Debian codename in effect, e.g. "bookworm"
  bool has_packages = false;
  // `base: docker://HOST/REPO[:TAG|@DIGEST]` of specs.front(): the image whose
  // layers and config the chain starts from. Unset for every other root.
  std::optional<oci::ImageRef> registry_base;
};

// Loads `spec`'s bases recursively. `variant` applies when `spec` is itself a
// recipe (`distill base NAME:VARIANT`); otherwise the variant comes from the
// spec's `base: NAME:VARIANT`. Errors: an unknown base (with a suggestion), a
// base spec that cannot be read, a cycle.
base::Result<Chain> LoadChain(const Spec& spec, Variant variant = Variant::kLatest);

// The apt sources for `spec`: the host's (/etc/apt), with the spec's
// `debian:` block applied; a relative keyring path is taken from the spec's
// directory. Errors come from reading the host configuration.
base::Result<std::vector<debian::Source>> SpecSources(const Spec& spec);

}  // namespace build
