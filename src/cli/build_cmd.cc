// `distill build [-f FILE] [CONTEXT] [-o DEST]...`: load the spec, build, then
// write every destination. Destinations are parsed before anything is built,
// so a bad -o fails at once; output happens only after a successful build.
#include "cli/build_cmd.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "base/file_util.h"
#include "pipeline/build.h"
#include "workspace/registry_cache.h"
#include "cli/copy_cmd.h"
#include "cli/exit_codes.h"
#include "cli/lock_cmd.h"
#include "cli/reporter.h"
#include "http/progress_bar.h"

namespace cli {

// --cache-from/--cache-to: the registry build cache (docs/registry.md).
static void AddCacheFlags(CLI::App& cmd, BuildFlags& f) {
  cmd.add_option(
      "--cache-from", f.cache_from,
      "take layers and stage results from this registry cache image, docker://HOST/REPO[:TAG] "
      "(repeatable)");
  cmd.add_option("--cache-to", f.cache_to,
                 "after the build, push its layers and stage results as a cache image to "
                 "docker://HOST/REPO[:TAG]");
}

// The registry cache of --cache-from/--cache-to, or null without them;
// a reference that is not docker:// is a usage error.
static base::Result<std::unique_ptr<build::RegistryCache>> CacheFromFlags(const BuildFlags& f) {
  if (f.cache_from.empty() && f.cache_to.empty()) return std::unique_ptr<build::RegistryCache>();
  auto parse = [](const char* flag, const std::string& text) -> base::Result<oci::ImageRef> {
    base::Result<oci::ImageRef> ref = oci::ParseImageRef(text);
    if (!ref) return base::Fail(ref.error().Context("{}", flag));
    if (ref->transport != oci::Transport::kDocker)
      return base::Fail("{} '{}': the cache must be a registry image (docker://HOST/REPO[:TAG])",
                        flag, text);
    return ref;
  };
  std::vector<oci::ImageRef> from;
  for (const std::string& t : f.cache_from) {
    base::Result<oci::ImageRef> ref = parse("--cache-from", t);
    if (!ref) return base::Fail(ref.error());
    from.push_back(*ref);
  }
  std::optional<oci::ImageRef> to;
  if (!f.cache_to.empty()) {
    base::Result<oci::ImageRef> ref = parse("--cache-to", f.cache_to);
    if (!ref) return base::Fail(ref.error());
    to = *ref;
  }
  return std::make_unique<build::RegistryCache>(std::move(from), std::move(to));
}

// Build-stage results (package roots and run results) from `source`.
static int StageCount(const build::RegistryCache& c, build::CacheSource source) {
  return c.count(source, build::kCacheKindStageRoot) + c.count(source, build::kCacheKindStageRun);
}

// The --json "cache" object: where the build's cached results came from
// (package layers at the top, build-stage results under "stages").
static nlohmann::json CacheJson(const build::RegistryCache& c, const std::string& exported) {
  nlohmann::json j = {{"local", c.count(build::CacheSource::kLocal)},
                      {"registry", c.count(build::CacheSource::kRegistry)},
                      {"built", c.count(build::CacheSource::kBuilt)},
                      {"stages",
                       {{"local", StageCount(c, build::CacheSource::kLocal)},
                        {"registry", StageCount(c, build::CacheSource::kRegistry)},
                        {"built", StageCount(c, build::CacheSource::kBuilt)}}},
                      {"imported", c.imported()}};
  if (!exported.empty()) j["exported"] = exported;
  return j;
}

void AddBuildFlags(CLI::App& cmd, BuildFlags& f, bool base_mode) {
  if (base_mode) {
    cmd.add_option("name", f.base_ref, "built-in base NAME[:VARIANT], e.g. python3:nonroot")
        ->required();
  } else {
    cmd.add_option("-f,--file", f.file, "spec file or Dockerfile (default: ./distill.yaml)");
    cmd.add_option("context", f.context, "build context (default: the spec's directory)");
    cmd.add_option("--target", f.target, "Dockerfile: the stage to build (default: the last)");
    cmd.add_option("--build-arg", f.build_args,
                   "Dockerfile: set ARG K to V (K alone: from the environment)");
    cmd.add_option("--base-map", f.base_maps,
                   "Dockerfile: build FROM REF as TARGET (a base NAME[:VARIANT], a spec file, a "
                   "registry image, or deb:PKG[,PKG...])");
  }
  cmd.add_option("-o,--output", f.outputs,
                 "destination: oci:DIR[:TAG], oci-archive:FILE[:TAG], "
                 "docker-archive:FILE[:NAME:TAG], docker://HOST/REPO[:TAG]");
  cmd.add_option("--platform", f.platforms, "os/arch[/variant], comma-separated")->delimiter(',');
  cmd.add_option("--cache", f.cache, "cache directory (default: ~/.cache/distill)");
  cmd.add_option("--compression", f.compression, "layer compression")
      ->check(CLI::IsMember({"gzip", "zstd"}));
  cmd.add_option("--progress", f.progress, "progress on stderr")
      ->check(CLI::IsMember({"auto", "plain", "none"}));
  cmd.add_flag("--json", f.json, "print one JSON object on stdout");
  cmd.add_option("--limit", f.limits,
                 "NAME=VALUE: change a limit on input (docs/security.md), e.g. layer-bytes=64GiB");
  cmd.add_flag("--locked", f.locked, "build exactly the packages of distill.lock");
  cmd.add_flag("--offline", f.offline, "use the cache only");
  cmd.add_option("-d", f.debug, "debug mode: explain (why each package is in)")
      ->check(CLI::IsMember({"explain"}));
  AddTlsFlags(cmd, f.tls);
  AddCacheFlags(cmd, f);
}

// SOURCE_DATE_EPOCH (reproducible-builds.org): the clamp for all times.
static base::Result<int64_t> SourceDateEpoch() {
  const char* s = getenv("SOURCE_DATE_EPOCH");
  if (!s || !*s) return 0;
  char* end = nullptr;
  long long v = strtoll(s, &end, 10);
  if (*end != '\0' || v < 0) return base::Fail("invalid SOURCE_DATE_EPOCH '{}'", s);
  return static_cast<int64_t>(v);
}

// The Dockerfile flags, checked before anything is read: a bad form is a
// usage error.
static base::Result<build::DockerfileOptions> DockerfileFlags(const BuildFlags& f) {
  build::DockerfileOptions o;
  o.target = f.target;
  for (const std::string& a : f.build_args) {
    size_t eq = a.find('=');
    std::string key = a.substr(0, eq);
    if (key.empty()) return base::Fail("invalid --build-arg '{}' (expected KEY=VALUE or KEY)", a);
    if (eq != std::string::npos) {
      o.build_args.emplace_back(key, a.substr(eq + 1));
    } else if (const char* env = getenv(key.c_str())) {
      o.build_args.emplace_back(key, env);  // docker's `--build-arg KEY`
    }
  }
  for (const std::string& m : f.base_maps) {
    base::Result<std::pair<std::string, std::string>> kv = build::ParseBaseMap(m);
    if (!kv) return base::Fail(kv.error());
    o.base_map.push_back(*kv);
  }
  if (!f.platforms.empty()) o.platform = f.platforms[0];
  o.several_platforms = f.platforms.size() > 1;
  return o;
}

static std::string ResultJson(const oci::Bundle& b, const std::vector<oci::ImageRef>& outs,
                              const nlohmann::json& cache) {
  nlohmann::json layers = nlohmann::json::array();
  for (const oci::Layer& l : b.images[0].layers)
    layers.push_back({{"digest", l.descriptor.digest},
                      {"diffId", l.diff_id},
                      {"size", l.descriptor.size},
                      {"uncompressedSize", l.uncompressed_size},
                      {"mediaType", l.descriptor.media_type},
                      {"createdBy", l.created_by}});
  nlohmann::json platforms = nlohmann::json::array();
  for (const oci::ImageManifest& m : b.images)
    platforms.push_back({{"platform", m.platform.ToString()},
                         {"manifest", m.manifest.digest},
                         {"config", m.config.digest}});
  nlohmann::json outputs = nlohmann::json::array();
  for (const oci::ImageRef& r : outs) outputs.push_back(r.text);
  nlohmann::json j = {{"digest", b.top.digest}, {"mediaType", b.top.media_type},
                      {"size", b.TotalSize()},  {"layers", layers},
                      {"platforms", platforms}, {"outputs", outputs}};
  if (!cache.is_null()) j["cache"] = cache;
  return j.dump(2);
}

// The build's options from its flags; errors are usage errors.
static base::Result<build::BuildOptions> OptionsFromFlags(const BuildFlags& f) {
  base::Result<int64_t> sde = SourceDateEpoch();
  if (!sde) return base::Fail(sde.error());
  build::BuildOptions opts;
  opts.context_dir = f.context;
  opts.platforms = f.platforms;
  opts.compression = f.compression;
  opts.cache_dir = f.cache;
  opts.source_date_epoch = *sde;
  opts.threads = std::max(1u, std::thread::hardware_concurrency());
  opts.locked = f.locked;
  opts.offline = f.offline;
  opts.explain = !f.debug.empty();
  for (const std::string& l : f.limits) {
    size_t eq = l.find('=');
    if (eq == std::string::npos) return base::Fail("invalid --limit '{}' (expected NAME=VALUE)", l);
    DISTILL_TRY(base::SetLimit(opts.limits, l.substr(0, eq), l.substr(eq + 1)));
  }
  return opts;
}

// What to build and where, from the flags; errors are usage errors.
static base::Result<build::BuildRequest> RequestFromFlags(const BuildFlags& f) {
  build::BuildRequest req;
  for (const std::string& o : f.outputs) {
    base::Result<oci::ImageRef> ref = oci::ParseImageRef(o);
    if (!ref) return base::Fail(ref.error());
    req.outputs.push_back(*ref);
  }
  req.file = f.file.empty() ? "distill.yaml" : f.file;
  req.base_ref = f.base_ref;
  base::Result<build::DockerfileOptions> dockerfile = DockerfileFlags(f);
  if (!dockerfile) return base::Fail(dockerfile.error());
  req.dockerfile = std::move(*dockerfile);
  bool dockerfile_flags = !f.target.empty() || !f.build_args.empty() || !f.base_maps.empty();
  if (dockerfile_flags && (!f.base_ref.empty() || !build::IsDockerfileFile(req.file)))
    return base::Fail(
        "--target, --build-arg and --base-map apply to Dockerfiles, and '{}' is a distill spec",
        req.file);
  if (!f.base_ref.empty()) {
    base::Result<build::BaseRef> ref = build::ParseBaseRef(f.base_ref);
    if (!ref) return base::Fail(ref.error());
  }
  return req;
}

// The lines about the registry build cache after a build.
static void ReportCache(base::Reporter& reporter, const build::RegistryCache& cache) {
  using build::CacheSource;
  reporter.Status(fmt::format("cache: {} layers from the registry, {} local, {} built",
                              cache.count(CacheSource::kRegistry), cache.count(CacheSource::kLocal),
                              cache.count(CacheSource::kBuilt)));
  int stages = StageCount(cache, CacheSource::kRegistry) + StageCount(cache, CacheSource::kLocal) +
               StageCount(cache, CacheSource::kBuilt);
  if (stages)
    reporter.Status(fmt::format("cache: {} of {} stage results from the registry, {} local",
                                StageCount(cache, CacheSource::kRegistry), stages,
                                StageCount(cache, CacheSource::kLocal)));
}

int RunBuild(const BuildFlags& f) {
  base::Result<build::BuildRequest> req = RequestFromFlags(f);
  base::Result<build::BuildOptions> opts = OptionsFromFlags(f);
  base::Result<std::unique_ptr<build::RegistryCache>> registry_cache = CacheFromFlags(f);
  for (const base::Error* e : {req ? nullptr : &req.error(), opts ? nullptr : &opts.error(),
                               registry_cache ? nullptr : &registry_cache.error()})
    if (e) {
      PrintError(e->message());
      return kExitUsage;
    }
  StderrReporter reporter(ParseProgressMode(f.progress));
  opts->registry = RegistryOptions(f.tls, 4, &reporter);
  build::BuildContext ctx(*opts, reporter);
  if (*registry_cache) ctx.set_registry_cache(std::move(*registry_cache));
  std::optional<http::ProgressBar> bar;
  if (f.progress == "auto" && isatty(STDERR_FILENO)) ctx.set_progress(&bar.emplace(stderr));
  if (opts->explain) req->on_packages = PrintExplain;
  base::Result<build::BuildResult> built = build::Build(ctx, *req);
  if (!built) {
    PrintError(built.error().message(), built.error().detail());
    return kExitFailure;
  }
  nlohmann::json cache_json;
  if (const build::RegistryCache* cache = ctx.registry_cache()) {
    ReportCache(reporter, *cache);
    cache_json = CacheJson(*cache, built->cache_exported);
  }
  if (f.json)
    fmt::print("{}\n", ResultJson(built->bundle, req->outputs, cache_json));
  else
    fmt::print("{}\n", built->bundle.top.digest);
  return kExitOk;
}

}  // namespace cli

namespace cli {

int RunRecipes() {
  for (const std::string& name : build::RecipeNames()) {
    base::Result<build::Spec> s = build::LoadRecipe(name);
    if (!s) {
      PrintError(s.error().message());
      return kExitFailure;
    }
    fmt::print("{}\n  {}\n  base: {}\n", name, s->description, s->base);
    if (!s->packages.empty()) fmt::print("  packages: {}\n", fmt::join(s->packages, ", "));
    for (const auto& [suite, overlay] : s->suites)
      if (overlay.packages)
        fmt::print("  packages on {}: {}\n", suite, fmt::join(*overlay.packages, ", "));
    std::vector<std::string> extras;
    if (s->skeleton) extras.push_back("passwd/group/homes/tmp/os-release");
    if (s->cacerts) extras.push_back("CA bundle");
    if (s->java_cacerts) extras.push_back("Java trust store");
    if (!s->locale.empty()) extras.push_back(s->locale + " locale");
    if (!extras.empty()) fmt::print("  adds: {}\n", fmt::join(extras, ", "));
    fmt::print("  variants: latest, nonroot, debug, debug-nonroot\n");
  }
  return kExitOk;
}

}  // namespace cli
