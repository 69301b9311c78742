// The Dockerfile frontend, second half: a parsed Dockerfile lowered onto the
// spec model (Spec, StageSpec, RunSpec, FileSpec), which the ordinary build
// pipeline then builds. Nothing runs here; every name is resolved and every
// instruction checked, so bad input fails before any download.
//
// The target stage (the last one, or --target) becomes the Spec; the stages
// it reaches through FROM <stage> and COPY --from become StageSpecs
// (unreachable stages are skipped, as BuildKit does). docs/dockerfile.md
// describes the mapping rules and the differences from `docker build`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/limits.h"
#include "frontend/dockerfile.h"
#include "spec/spec.h"

namespace build {

struct DockerfileOptions {
  std::string target;  // --target STAGE; "" is the last stage
  std::vector<std::pair<std::string, std::string>> build_args;  // --build-arg, in order
  std::vector<std::pair<std::string, std::string>> base_map;    // --base-map REF=TARGET
  // The platform built (TARGETPLATFORM and friends), "os/arch[/variant]";
  // "" is the host's. `several_platforms`: more than one is being built, so
  // $TARGET* values would differ between them and using them is an error.
  std::string platform;
  bool several_platforms = false;
  // expansion-bytes and expansion-depth bound variable substitution.
  base::Limits limits = {};
};

// Parses "REF=TARGET" of --base-map; errors (a usage problem) name the text.
base::Result<std::pair<std::string, std::string>> ParseBaseMap(const std::string& text);

// How a FROM (or COPY --from) image name maps onto something distill builds.
enum class RootKind { kScratch, kBuiltin, kDebian, kSpecFile, kRegistry };

struct ResolvedBase {
  RootKind kind = RootKind::kScratch;
  // Spec/StageSpec `base:` text: "scratch", "java17:nonroot", "debian",
  // an absolute spec path, "docker://REF".
  std::string base = "scratch";
  std::vector<std::string> packages;  // deb:PKG,... extras for a Debian root
  std::string suite;                  // Debian codename the name implies, or ""
  // The shell RUN and shell-form CMD/ENTRYPOINT use; empty when the base
  // has none (scratch, distroless bases other than :debug).
  std::vector<std::string> shell;
  std::string workdir = "/";  // the base's working directory
  std::string label;          // how messages name the base: 'java17'
};

// Maps an image reference as written in FROM: --base-map entries first
// (exact text, or the name without a tag), then `scratch`, distroless names
// (any registry host, `.../distroless/<name>[-debianNN][:variant]`) onto
// the built-in bases, `debian[:release][-slim]` onto a Debian root, and
// anything else onto a registry image. Errors explain what to map.
base::Result<ResolvedBase> ResolveFromImage(
    const std::string& ref, const std::vector<std::pair<std::string, std::string>>& base_map);

// Lowers `df` onto a Spec. Errors read "<path>:<line>: <what>".
base::Result<Spec> LowerDockerfile(const Dockerfile& df, const DockerfileOptions& options);

}  // namespace build
