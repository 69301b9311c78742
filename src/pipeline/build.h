// The build pipeline, one pass a line (docs/design.md "The pipeline"):
//   frontend  the spec: a spec file, a built-in base, or a Dockerfile lowered
//             to a spec (spec/, frontend/)
//   chain     the spec's bases, root first (spec/chain.h)
//   resolve   every platform's package list, checked against the lock with
//             --locked, shown with -d explain (resolve/)
//   stages    build stages in an OCI runtime, or their cached results (stages/)
//   auto      `packages: auto`: the packages that ship what the entrypoint
//             misses (check/)
//   compose   the layers: packages, synthesized files, `files:` (compose/)
//   check     the entrypoint can start in the image (check/)
//   image     config, manifests and, for several platforms, an index (oci/)
//   outputs   every destination, only after the image exists (oci/, registry/)
//   cache     the registry build cache export, --cache-to (workspace/)
// Each pass takes values and returns one; BuildContext carries only what
// every pass shares (options, reporter, cache, network).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "frontend/dockerfile_lower.h"
#include "oci/image.h"
#include "oci/reference.h"
#include "resolve/packages.h"
#include "spec/chain.h"
#include "spec/recipes.h"
#include "spec/spec.h"
#include "workspace/context.h"

namespace build {

// What to build and where it goes.
struct BuildRequest {
  std::string file;              // a spec file or a Dockerfile; unused with base_ref
  std::string base_ref;          // `distill base NAME[:VARIANT]`
  DockerfileOptions dockerfile;  // --target, --build-arg, --base-map
  std::vector<oci::ImageRef> outputs;
  // Called with every platform's packages once they are known (-d explain),
  // so they are shown even when a later pass fails.
  std::function<void(const std::vector<PlatformPackages>&)> on_packages;
};

struct BuildResult {
  oci::Bundle bundle;
  std::string cache_exported;  // the --cache-to image's digest; "" without one
};

// The frontend pass's result: the spec to build and how it was named.
struct Frontend {
  Spec spec;
  Variant variant = Variant::kLatest;
  std::string file;  // as errors name it: the spec file, the Dockerfile, recipes/NAME.yaml
};

// True when `file` is read as a Dockerfile (frontend/dockerfile.h
// IsDockerfile): its name says so, or its text does.
bool IsDockerfileFile(const std::string& file);

// frontend: the spec `req` names. Errors: the spec's or the Dockerfile's,
// at their position.
base::Result<Frontend> LoadFrontend(const BuildRequest& req);

// The platforms built: `flags` (--platform), else the spec's, else the
// host's. Errors name an invalid platform.
base::Result<std::vector<oci::Platform>> ChoosePlatforms(const std::vector<std::string>& flags,
                                                         const Spec& spec);

// resolve: the image's whole package list (resolve/plan.h ImageSpec) for
// each platform, with `added[i]` (what `packages: auto` added for platform
// i, if given) appended. With `fetch`, each set is fetched and checked
// against the lock under --locked (the build and `distill lock`); without,
// it is only resolved (`distill lock --dry-run`). Errors after the first
// platform carry "platform '<p>': ".
base::Result<std::vector<PlatformPackages>> ResolveImagePackages(
    Resolver& r, const Chain& chain, const std::vector<oci::Platform>& platforms,
    const std::vector<std::vector<std::string>>& added, bool fetch);

// What `distill lock` records: ResolveImagePackages after the stages and
// `packages: auto` passes (skipped with `dry_run`, which fetches nothing).
base::Result<std::vector<PlatformPackages>> LockPackages(BuildContext& ctx, const Spec& spec,
                                                         bool dry_run);

// Every pass from chain to image for `spec`: the image, in memory; its layer
// blobs live in ctx's staging directory until ctx is destroyed.
base::Result<oci::Bundle> BuildImage(
    BuildContext& ctx, const Spec& spec, Variant variant = Variant::kLatest,
    const std::function<void(const std::vector<PlatformPackages>&)>& on_packages = {});

// The whole pipeline: frontend, BuildImage, outputs, cache export. Errors
// not already at a position in the built file gain "building '<file>': ".
// A failed build writes no output.
base::Result<BuildResult> Build(BuildContext& ctx, const BuildRequest& req);

}  // namespace build
