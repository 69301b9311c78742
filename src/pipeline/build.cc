// The pipeline's driver: Build() and BuildImage() call the passes in the
// order of build.h's table, each with the values the ones before returned.
#include "pipeline/build.h"

#include "base/file_util.h"
#include "base/strings.h"
#include "check/check.h"
#include "compose/compose.h"
#include "frontend/dockerfile.h"
#include "oci/output.h"
#include "registry/transfer.h"
#include "resolve/plan.h"
#include "stages/stage.h"
#include "workspace/registry_cache.h"

namespace build {

namespace {

// Keys this version parses but cannot build yet fail loudly here rather
// than being ignored; `from:` and stage `base:` name stages that exist.
base::Result<void> CheckSupported(const Spec& spec) {
  if (spec.minimize)
    return base::Fail(SpecError(spec, spec.minimize_mark, "'minimize' is not supported yet"));
  return CheckStages(spec);
}

// An error of one platform's pass: the platform named when there are several.
base::Error OnPlatform(const base::Error& e, const oci::Platform& p, size_t platforms) {
  return platforms == 1 ? e : e.Context("platform '{}'", p.ToString());
}

// auto: what `packages: auto` adds for each platform (empty lists when the
// spec does not say `auto`).
base::Result<std::vector<std::vector<std::string>>> AutoPass(
    Resolver& r, const Chain& chain, const StageResults& stages,
    const std::vector<oci::Platform>& platforms) {
  std::vector<std::vector<std::string>> added;
  for (const oci::Platform& p : platforms) {
    base::Result<std::vector<std::string>> a = AutoPackages(r, chain, &stages, p);
    if (!a) return base::Fail(OnPlatform(a.error(), p, platforms.size()));
    added.push_back(std::move(*a));
  }
  return added;
}

// compose, check and image for one platform.
base::Result<oci::ImageManifest> ImageFor(Resolver& r, const Chain& chain,
                                          const StageResults& stages,
                                          const oci::Platform& platform) {
  BuildContext& ctx = r.ctx();
  base::Result<std::string> arch = oci::DebianArchFromPlatform(platform);
  if (!arch) return base::Fail(arch.error());
  base::Result<PackagePlan> plan = PlanPackages(r, chain, *arch);
  if (!plan) return base::Fail(plan.error());
  base::Result<Composed> image = ComposeImage(ctx, chain, *plan, &stages, platform);
  if (!image) return base::Fail(image.error());
  DISTILL_TRY(CheckImage(r, chain, *image, *arch));
  if (image->slimmed_bytes > 0)
    ctx.reporter().Status(fmt::format("slimming saved {} (docs, man pages, locales)",
                                      base::HumanBytes(image->slimmed_bytes)));
  return oci::MakeImageManifest(platform, image->run, std::move(image->layers),
                                ctx.options().source_date_epoch, {});
}

// outputs: every destination, in order; registries through the build's
// registry client, local forms through oci/.
base::Result<void> WriteOutputs(BuildContext& ctx, const std::vector<oci::ImageRef>& outputs,
                                const oci::Bundle& bundle) {
  for (const oci::ImageRef& ref : outputs) {
    ctx.reporter().Status(fmt::format("writing {}", ref.text));
    if (ref.transport == oci::Transport::kDocker) {
      base::Result<std::string> pushed = registry::PushTo(ctx.registry_client(), ref, bundle);
      if (!pushed) return base::Fail(pushed.error());
    } else {
      DISTILL_TRY(oci::WriteImage(ref, bundle));
    }
  }
  return {};
}

}  // namespace

bool IsDockerfileFile(const std::string& file) {
  base::Result<std::string> text = base::ReadFile(file);
  return text && IsDockerfile(file, *text);
}

base::Result<Frontend> LoadFrontend(const BuildRequest& req) {
  Frontend out;
  if (!req.base_ref.empty()) {
    base::Result<BaseRef> ref = ParseBaseRef(req.base_ref);
    if (!ref) return base::Fail(ref.error());
    out.variant = ref->variant;
    out.file = "recipes/" + ref->name + ".yaml";
    base::Result<Spec> spec = LoadRecipe(ref->name);
    if (!spec) return base::Fail(spec.error());
    out.spec = std::move(*spec);
    return out;
  }
  out.file = req.file;
  base::Result<std::string> text = base::ReadFile(req.file);
  base::Result<Spec> spec;
  if (text && IsDockerfile(req.file, *text)) {
    base::Result<Dockerfile> df = ParseDockerfile(*text, req.file, req.dockerfile.limits);
    spec = df ? LowerDockerfile(*df, req.dockerfile) : base::Result<Spec>(base::Fail(df.error()));
  } else {
    spec = LoadSpec(req.file);
  }
  if (!spec) return base::Fail(spec.error());
  out.spec = std::move(*spec);
  return out;
}

base::Result<std::vector<oci::Platform>> ChoosePlatforms(const std::vector<std::string>& flags,
                                                         const Spec& spec) {
  const std::vector<std::string>& names = !flags.empty() ? flags : spec.platforms;
  std::vector<oci::Platform> out;
  for (const std::string& n : names) {
    base::Result<oci::Platform> p = oci::ParsePlatform(n);
    if (!p) return base::Fail(p.error());
    out.push_back(*p);
  }
  if (out.empty()) out.push_back(oci::HostPlatform());
  return out;
}

base::Result<std::vector<PlatformPackages>> ResolveImagePackages(
    Resolver& r, const Chain& chain, const std::vector<oci::Platform>& platforms,
    const std::vector<std::vector<std::string>>& added, bool fetch) {
  std::vector<PlatformPackages> out;
  for (size_t i = 0; i < platforms.size(); ++i) {
    base::Result<std::string> arch = oci::DebianArchFromPlatform(platforms[i]);
    if (!arch) return base::Fail(arch.error());
    Spec image = ImageSpec(i < added.size() ? WithPackages(chain, added[i]) : chain);
    std::shared_ptr<const PackageSet> set;
    if (fetch) {
      auto s = ResolvePackages(r, image, image.packages, *arch, /*image=*/true);
      if (s)
        set = *s;
      else
        return base::Fail(out.empty() ? s.error() : OnPlatform(s.error(), platforms[i], 2));
    } else {
      auto s = ResolvePackageSet(r, image, image.packages, *arch);
      if (s)
        set = std::make_shared<const PackageSet>(std::move(*s));
      else
        return base::Fail(out.empty() ? s.error() : OnPlatform(s.error(), platforms[i], 2));
    }
    out.push_back({platforms[i].ToString(), set});
  }
  return out;
}

base::Result<std::vector<PlatformPackages>> LockPackages(BuildContext& ctx, const Spec& spec,
                                                         bool dry_run) {
  base::Result<Chain> chain = LoadChain(spec);
  if (!chain) return base::Fail(chain.error());
  base::Result<std::vector<oci::Platform>> platforms =
      ChoosePlatforms(ctx.options().platforms, spec);
  if (!platforms) return base::Fail(platforms.error());
  Resolver resolver(ctx);
  std::vector<std::vector<std::string>> added;
  if (chain->specs.back().auto_packages && !dry_run) {
    DISTILL_TRY(CheckSupported(spec));
    base::Result<StageResults> stages = RunStages(ctx, resolver, *chain);
    if (!stages) return base::Fail(stages.error());
    base::Result<std::vector<std::vector<std::string>>> a =
        AutoPass(resolver, *chain, *stages, *platforms);
    if (!a) return base::Fail(a.error());
    added = std::move(*a);
  }
  return ResolveImagePackages(resolver, *chain, *platforms, added, !dry_run);
}

base::Result<oci::Bundle> BuildImage(
    BuildContext& ctx, const Spec& spec, Variant variant,
    const std::function<void(const std::vector<PlatformPackages>&)>& on_packages) {
  DISTILL_TRY(CheckSupported(spec));
  base::Result<Chain> chain = LoadChain(spec, variant);
  if (!chain) return base::Fail(chain.error());
  base::Result<std::vector<oci::Platform>> platforms =
      ChoosePlatforms(ctx.options().platforms, spec);
  if (!platforms) return base::Fail(platforms.error());
  Resolver resolver(ctx);
  // resolve: the image's list is final here unless `packages: auto` adds to
  // it, which it can only do once the stages have run.
  bool auto_packages = chain->specs.back().auto_packages;
  if (!auto_packages) {
    auto packages = ResolveImagePackages(resolver, *chain, *platforms, {}, true);
    if (!packages) return base::Fail(packages.error());
    if (on_packages) on_packages(*packages);
  }
  base::Result<StageResults> stages = RunStages(ctx, resolver, *chain);
  if (!stages) return base::Fail(stages.error());
  std::vector<std::vector<std::string>> added(platforms->size());
  if (auto_packages) {
    auto a = AutoPass(resolver, *chain, *stages, *platforms);
    if (!a) return base::Fail(a.error());
    added = std::move(*a);
    auto packages = ResolveImagePackages(resolver, *chain, *platforms, added, true);
    if (!packages) return base::Fail(packages.error());
    if (on_packages) on_packages(*packages);
  }
  std::vector<oci::ImageManifest> images;
  for (size_t i = 0; i < platforms->size(); ++i) {
    const oci::Platform& p = (*platforms)[i];
    auto image = ImageFor(resolver, WithPackages(*chain, added[i]), *stages, p);
    if (!image) return base::Fail(OnPlatform(image.error(), p, platforms->size()));
    images.push_back(std::move(*image));
  }
  return oci::MakeBundle(std::move(images));
}

base::Result<BuildResult> Build(BuildContext& ctx, const BuildRequest& req) {
  BuildRequest limited = req;  // the Dockerfile frontend reads under --limit
  limited.dockerfile.limits = ctx.options().limits;
  base::Result<Frontend> front = LoadFrontend(limited);
  if (!front) return base::Fail(front.error());
  auto in_file = [&](const base::Error& e) {
    return base::Fail(e.position_file() == front->file ? e
                                                       : e.Context("building '{}'", front->file));
  };
  if (RegistryCache* cache = ctx.registry_cache()) cache->Import(ctx);
  base::Result<oci::Bundle> bundle = BuildImage(ctx, front->spec, front->variant, req.on_packages);
  if (!bundle) return in_file(bundle.error());
  BuildResult out{std::move(*bundle), ""};
  DISTILL_TRY(WriteOutputs(ctx, req.outputs, out.bundle));
  // The cache is written last: the image's outputs never wait on it, and a
  // failed export leaves the previous cache image in place.
  if (RegistryCache* cache = ctx.registry_cache(); cache && cache->exporting()) {
    base::Result<std::string> d = cache->Export(ctx);
    if (!d) return base::Fail(d.error());
    out.cache_exported = *d;
  }
  return out;
}

}  // namespace build
