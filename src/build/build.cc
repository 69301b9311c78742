// build::Build — the passes of an image build, in order:
//   check   the spec asks only for what this version can build
//   stages  build stages run in an OCI runtime (or come from the cache)
//   auto    `packages: auto`: the packages that ship the libraries the
//           entrypoint misses (compose + check until closed)
//   compose one filesystem tree per layer from the `files:` entries
//   run     the entrypoint, its interpreter and its libraries are in the
//           image (the run-check), before any output exists
//   layer   each tree → a deterministic, compressed tar blob with digests
//   image   config, manifest (and index for several platforms)
// Output to destinations happens after, in cli/, once the build has succeeded,
// so a failed build writes nothing.
#include "build/build.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>

#include "base/file_util.h"
#include "base/strings.h"
#include "build/chain.h"
#include "build/check.h"
#include "build/compose.h"
#include "build/registry_cache.h"
#include "build/stage.h"
#include "fs/tree.h"

namespace build {

std::string DefaultCacheDir() {
  // The store's own rule; with neither XDG_CACHE_HOME nor HOME set, a
  // fixed directory rather than a failed build.
  base::Result<std::string> root = cache::DefaultRoot();
  return root ? *root : "/tmp/distill-cache";
}

BuildContext::~BuildContext() {
  if (!staging_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(staging_, ec);
  }
}

BuildContext::BuildContext(BuildOptions options, base::Reporter& reporter)
    : options_(std::move(options)), reporter_(reporter) {
  // Absolute, because paths under it reach other programs from other
  // working directories (a stage's rootfs in its runc bundle).
  if (!options_.cache_dir.empty() && options_.cache_dir.front() != '/') {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(options_.cache_dir, ec);
    if (!ec) options_.cache_dir = abs.lexically_normal().string();
    while (options_.cache_dir.size() > 1 && options_.cache_dir.back() == '/')
      options_.cache_dir.pop_back();
  }
}

void BuildContext::set_registry_cache(std::unique_ptr<RegistryCache> cache) {
  registry_cache_ = std::move(cache);
}

base::Result<std::string> BuildContext::StagingDir() {
  if (!staging_.empty()) return staging_;
  std::string tmp = CacheRoot() + "/tmp";
  DISTILL_TRY(base::MakeDirs(tmp));
  std::random_device rd;
  std::string dir = fmt::format("{}/build-{}-{:08x}", tmp, getpid(), rd());
  DISTILL_TRY(base::MakeDirs(dir));
  staging_ = dir;
  return staging_;
}

namespace {

// check: keys this version parses but cannot build yet fail loudly here
// rather than being ignored.
base::Result<void> CheckSupported(const Spec& spec) {
  if (spec.minimize)
    return base::Fail(SpecError(spec, spec.minimize_mark, "'minimize' is not supported yet"));
  // `from:` and stage `base:` name stages that exist (build/stage.h).
  return CheckStages(spec);
}

base::Result<std::vector<oci::Platform>> ChoosePlatforms(const BuildContext& ctx,
                                                         const Spec& spec) {
  const std::vector<std::string>& names =
      !ctx.options().platforms.empty() ? ctx.options().platforms : spec.platforms;
  std::vector<oci::Platform> out;
  for (const std::string& n : names) {
    base::Result<oci::Platform> p = oci::ParsePlatform(n);
    if (!p) return base::Fail(p.error());
    out.push_back(*p);
  }
  if (out.empty()) out.push_back(oci::HostPlatform());
  return out;
}

}  // namespace

base::Result<oci::Bundle> Build(BuildContext& ctx, const Spec& spec, Variant variant) {
  DISTILL_TRY(CheckSupported(spec));
  base::Result<Chain> chain = LoadChain(spec, variant);
  if (!chain) return base::Fail(chain.error());
  // stages: build environments run in an OCI runtime, or their cached results.
  DISTILL_TRY(RunStages(ctx, *chain));
  base::Result<std::vector<oci::Platform>> platforms = ChoosePlatforms(ctx, spec);
  if (!platforms) return base::Fail(platforms.error());
  std::vector<oci::ImageManifest> images;
  for (const oci::Platform& p : *platforms) {
    auto on_platform = [&](const base::Error& e) {
      return base::Fail(platforms->size() == 1 ? e : e.Context("platform '{}'", p.ToString()));
    };
    base::Result<std::vector<std::string>> added = AutoPackages(ctx, *chain, p);
    if (!added) return on_platform(added.error());
    Chain image_chain = WithPackages(*chain, *added);
    base::Result<Composed> image = ComposeImage(ctx, image_chain, p);
    if (!image) return on_platform(image.error());
    base::Result<std::string> arch = oci::DebianArchFromPlatform(p);
    if (!arch) return on_platform(arch.error());
    base::Result<void> runnable = CheckImage(ctx, image_chain, *image, *arch);
    if (!runnable) return on_platform(runnable.error());
    if (image->slimmed_bytes > 0)
      ctx.reporter().Status(fmt::format("slimming saved {} (docs, man pages, locales)",
                                        base::HumanBytes(image->slimmed_bytes)));
    images.push_back(oci::MakeImageManifest(p, image->run, std::move(image->layers),
                                            ctx.options().source_date_epoch, {}));
  }
  return oci::MakeBundle(std::move(images));
}

}  // namespace build
