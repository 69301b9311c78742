// build::Build — the passes of an image build, in order:
//   check   the spec asks only for what this version can build
//   compose one filesystem tree per layer from the `files:` entries
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
#include "build/context_files.h"
#include "fs/tree.h"
#include "oci/layer_writer.h"

namespace build {

std::string DefaultCacheDir() {
  if (const char* x = getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/distill";
  if (const char* h = getenv("HOME"); h && *h) return std::string(h) + "/.cache/distill";
  return "/tmp/distill-cache";
}

BuildContext::~BuildContext() {
  if (!staging_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(staging_, ec);
  }
}

base::Result<std::string> BuildContext::StagingDir() {
  if (!staging_.empty()) return staging_;
  std::string root = options_.cache_dir.empty() ? DefaultCacheDir() : options_.cache_dir;
  std::string tmp = root + "/tmp";
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
  if (spec.base != "scratch")
    return base::Fail(SpecError(spec, spec.base_mark,
                                fmt::format("base '{}' is not supported yet (only 'scratch')", spec.base)));
  if (!spec.packages.empty())
    return base::Fail(SpecError(spec, spec.packages_mark, "'packages' is not supported yet"));
  if (spec.has_stages)
    return base::Fail(SpecError(spec, spec.stages_mark, "'stages' is not supported yet"));
  if (!spec.users.empty() || !spec.groups.empty())
    return base::Fail(SpecError(spec, spec.accounts_mark, "'accounts' is not supported yet"));
  if (spec.minimize)
    return base::Fail(SpecError(spec, spec.minimize_mark, "'minimize' is not supported yet"));
  for (const FileSpec& f : spec.files)
    if (!f.from.empty())
      return base::Fail(SpecError(spec, f.mark, fmt::format("no build stage named '{}'", f.from)));
  return {};
}

struct LayerPlan {
  std::string name;
  std::vector<const FileSpec*> entries;
};

// Entries sharing a `layer:` name go together; every other entry is its own
// layer, so changing one file rebuilds and re-uploads only its layer.
std::vector<LayerPlan> PlanLayers(const Spec& spec) {
  std::vector<LayerPlan> plans;
  std::map<std::string, size_t> by_name;
  for (const FileSpec& f : spec.files) {
    if (!f.layer.empty()) {
      auto it = by_name.find(f.layer);
      if (it != by_name.end()) {
        plans[it->second].entries.push_back(&f);
        continue;
      }
      by_name[f.layer] = plans.size();
    }
    plans.push_back({f.layer, {&f}});
  }
  return plans;
}

std::string CreatedBy(const LayerPlan& plan) {
  if (plan.entries.size() == 1)
    return fmt::format("distill files {} -> {}", plan.entries[0]->src, plan.entries[0]->dst);
  return fmt::format("distill files (layer '{}', {} entries)", plan.name, plan.entries.size());
}

// Parents that a layer creates implicitly take the attributes the lower
// layers gave them, so adding /home/nonroot/app never resets /home/nonroot's
// owner and mode when the layer is applied.
void InheritParents(fs::Tree& layer, const fs::Tree& below) {
  for (const auto& [path, node] : layer.entries()) {
    if (!node.implicit) continue;
    const fs::Node* old = below.Find(path);
    if (!old || old->type != fs::NodeType::kDir) continue;
    fs::Node* n = layer.FindMutable(path);
    n->mode = old->mode;
    n->uid = old->uid;
    n->gid = old->gid;
    n->mtime = old->mtime;
  }
}

// Records a layer's entries (metadata only) in the merged view of the image.
base::Result<void> MergeInto(fs::Tree& view, const fs::Tree& layer) {
  for (const auto& [path, node] : layer.entries()) {
    if (path.empty()) continue;
    fs::Node meta = node;
    meta.content = fs::Content();
    DISTILL_TRY(view.Add(path, meta));
  }
  return {};
}

base::Result<archive::Compression> ChooseCompression(const BuildContext& ctx, const Spec& spec) {
  std::string c = !ctx.options().compression.empty() ? ctx.options().compression
                  : !spec.compression.empty()        ? spec.compression
                                                     : "gzip";
  if (c == "gzip") return archive::Compression::kGzip;
  if (c == "zstd") return archive::Compression::kZstd;
  return base::Fail("unknown compression '{}' (expected gzip or zstd)", c);
}

base::Result<std::vector<oci::Platform>> ChoosePlatforms(const BuildContext& ctx, const Spec& spec) {
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

oci::RunConfig MakeRunConfig(const Spec& spec) {
  const ConfigSpec& c = spec.config;
  oci::RunConfig run;
  run.user = c.user.value_or("");
  run.workdir = c.workdir.value_or("");
  run.entrypoint = c.entrypoint.value_or(std::vector<std::string>{});
  run.cmd = c.cmd.value_or(std::vector<std::string>{});
  bool has_path = false;
  for (const auto& [k, v] : c.env) has_path |= k == "PATH";
  // An explicit PATH, as distroless sets it (formats.md A4), unless the spec
  // gives its own.
  if (!has_path) run.env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (const auto& [k, v] : c.env) run.env.push_back(k + "=" + v);
  run.ports = c.ports;
  run.volumes = c.volumes;
  run.labels = c.labels;
  run.stop_signal = c.stop_signal;
  return run;
}

}  // namespace

base::Result<oci::Bundle> Build(BuildContext& ctx, const Spec& spec) {
  DISTILL_TRY(CheckSupported(spec));
  base::Result<archive::Compression> compression = ChooseCompression(ctx, spec);
  if (!compression) return base::Fail(compression.error());
  base::Result<std::vector<oci::Platform>> platforms = ChoosePlatforms(ctx, spec);
  if (!platforms) return base::Fail(platforms.error());
  base::Result<std::string> staging = ctx.StagingDir();
  if (!staging) return base::Fail(staging.error());

  std::string context = ctx.options().context_dir.empty() ? base::DirName(spec.path)
                                                          : ctx.options().context_dir;
  oci::LayerOptions lopts{*compression, ctx.options().source_date_epoch, ctx.options().threads,
                          *staging};
  std::vector<oci::Layer> layers;
  fs::Tree view;
  for (const LayerPlan& plan : PlanLayers(spec)) {
    ctx.reporter().Status(CreatedBy(plan));
    fs::Tree tree;
    for (const FileSpec* f : plan.entries) DISTILL_TRY(AddContextFiles(spec, *f, context, tree));
    InheritParents(tree, view);
    DISTILL_TRY(MergeInto(view, tree));
    base::Result<oci::Layer> layer = oci::WriteLayer(tree, lopts, CreatedBy(plan));
    if (!layer) return base::Fail(layer.error());
    layers.push_back(std::move(*layer));
  }

  oci::RunConfig run = MakeRunConfig(spec);
  std::vector<oci::ImageManifest> images;
  for (const oci::Platform& p : *platforms)
    images.push_back(oci::MakeImageManifest(p, run, layers, ctx.options().source_date_epoch, {}));
  return oci::MakeBundle(std::move(images));
}

}  // namespace build
