// Image composition, one chain element at a time (root first):
//   packages  resolve the cumulative request list, unpack each new package
//             (per-.deb cache), one layer each (layer cache)
//   effects   what maintainer scripts would have made, as data: CA bundle,
//             Java trust store, C.utf8 locale, recipe links
//   skeleton  passwd/group/homes/tmp/nsswitch/os-release (distroless.md 1.2)
//   files     the spec's `files:` entries, one layer per entry or `layer:`
//             group (layer cache keyed by their content)
// The debug variant's busybox layer follows the chain's root, so every debug
// base shares it (distroless HEAD layout). Config merges down the chain; the
// variant sets user and workdir last.
#include "compose/compose.h"

#include <algorithm>
#include <set>

#include "base/strings.h"
#include "compose/cacerts.h"
#include "compose/context_files.h"
#include "compose/image_exclude.h"
#include "compose/java_keystore.h"
#include "compose/layers.h"
#include "compose/registry_base.h"
#include "compose/rootfs.h"
#include "debian/maintscripts.h"
#include "debian/unpack.h"
#include "oci/layer_writer.h"
#include "resolve/plan.h"
#include "workspace/layer_cache.h"

namespace build {

namespace {

// Busybox applets linked in /busybox for the debug variant: the commands a
// person debugging a container reaches for (distroless links all ~380).
constexpr const char* kBusyboxApplets[] = {
    "[",        "ash",      "awk",      "basename", "cat",      "chmod",   "chown",     "cp",
    "cut",      "date",     "dd",       "df",       "diff",     "dirname", "du",        "echo",
    "env",      "expr",     "false",    "find",     "free",     "grep",    "gunzip",    "gzip",
    "head",     "hexdump",  "hostname", "id",       "ifconfig", "kill",    "less",      "ln",
    "ls",       "md5sum",   "mkdir",    "mktemp",   "more",     "mount",   "mv",        "nc",
    "netstat",  "nslookup", "ping",     "printenv", "printf",   "ps",      "pwd",       "readlink",
    "realpath", "rm",       "rmdir",    "sed",      "seq",      "sh",      "sha256sum", "sleep",
    "sort",     "stat",     "tail",     "tar",      "tee",      "test",    "top",       "touch",
    "tr",       "true",     "uname",    "uniq",     "unzip",    "uptime",  "vi",        "wc",
    "wget",     "which",    "whoami",   "xargs",    "zcat"};

class Composer {
 public:
  Composer(BuildContext& ctx, const Chain& chain, const PackagePlan& plan, const StageFiles* stages,
           const oci::Platform& platform)
      : ctx_(ctx), chain_(chain), plan_(plan), stages_(stages), platform_(platform) {}

  base::Result<Composed> Run();

 private:
  base::Result<void> Element(size_t element);
  base::Result<void> Packages(size_t element);
  base::Result<void> PackageLayer(const ResolvedPackage& p);
  base::Result<debian::UnpackedDeb> UnpackOnly(size_t element, const std::string& name);
  base::Result<void> Effects(size_t element);
  base::Result<void> Skeleton(const Spec& spec);
  base::Result<void> Busybox();
  base::Result<void> Files(const Spec& spec);
  base::Result<void> AddLayer(fs::Tree tree, const std::string& created_by);
  base::Result<void> AddCachedLayer(fs::Tree tree, const std::string& created_by,
                                    const std::string& key_inputs);
  void MergeConfig(const Spec& spec);
  void ApplyVariant();
  std::string Expand(const std::string& text) const;
  oci::LayerOptions LayerOpts();

  BuildContext& ctx_;
  const Chain& chain_;
  const PackagePlan& plan_;
  const StageFiles* stages_;
  const oci::Platform& platform_;
  std::string arch_;
  std::set<std::string> installed_;
  std::map<std::string, std::string> versions_;       // installed name → version
  std::map<std::string, std::string> base_packages_;  // a registry base's dpkg database
  std::string ca_bundle_;
  archive::Compression compression_ = archive::Compression::kGzip;
  std::string staging_;
  ImageExclude exclude_;  // the chain's `exclude:`, applied to every layer tree
  Composed out_;
};

oci::LayerOptions Composer::LayerOpts() {
  return {compression_, ctx_.options().source_date_epoch, ctx_.options().threads, staging_};
}

std::string Composer::Expand(const std::string& text) const {
  std::string s = text;
  for (size_t pos; (pos = s.find("${DEB_ARCH}")) != std::string::npos;) s.replace(pos, 11, arch_);
  for (size_t pos; (pos = s.find("${PACKAGE_VERSION:")) != std::string::npos;) {
    size_t end = s.find('}', pos);
    if (end == std::string::npos) break;
    std::string name = s.substr(pos + 18, end - pos - 18);
    auto it = versions_.find(name);
    // JAVA_VERSION style: the upstream version without the build suffix
    // ("17.0.16+8-1~deb12u1" → "17.0.16"), as distroless sets it.
    std::string v = it == versions_.end() ? "" : it->second;
    v = v.substr(0, v.find_first_of("+-~"));
    if (size_t colon = v.find(':'); colon != std::string::npos) v = v.substr(colon + 1);
    s.replace(pos, end - pos + 1, v);
  }
  return s;
}

base::Result<void> Composer::AddLayer(fs::Tree tree, const std::string& created_by) {
  exclude_.Prune(tree);
  InheritParentsFrom(tree, out_.view);
  DISTILL_TRY(MergeTreeInto(out_.view, tree));
  base::Result<oci::Layer> layer = oci::WriteLayer(tree, LayerOpts(), created_by);
  if (!layer) return base::Fail(layer.error());
  out_.layers.push_back(std::move(*layer));
  return {};
}

base::Result<void> Composer::AddCachedLayer(fs::Tree tree, const std::string& created_by,
                                            const std::string& key_inputs) {
  base::Result<const cache::Store*> store = ctx_.store();
  if (!store) return base::Fail(store.error());
  InheritParentsFrom(tree, out_.view);
  std::string key = LayerKey(fmt::format("{}\ncompression={}\nsde={}\nparents={}", key_inputs,
                                         static_cast<int>(compression_),
                                         ctx_.options().source_date_epoch, ParentsDigest(tree)));
  DISTILL_TRY(MergeTreeInto(out_.view, tree));
  if (std::optional<oci::Layer> hit = LookupLayer(ctx_, key)) {
    out_.layers.push_back(*hit);
    return {};
  }
  base::Result<oci::Layer> layer = oci::WriteLayer(tree, LayerOpts(), created_by);
  if (!layer) return base::Fail(layer.error());
  base::Result<oci::Layer> stored = StoreLayer(ctx_, key, std::move(*layer));
  if (!stored) return base::Fail(stored.error());
  out_.layers.push_back(std::move(*stored));
  return {};
}

base::Result<void> Composer::PackageLayer(const ResolvedPackage& p) {
  base::Result<const cache::Store*> store = ctx_.store();
  if (!store) return base::Fail(store.error());
  debian::UnpackOptions opts;
  opts.merged_usr = chain_.suite != "bookworm" && chain_.suite != "bullseye";
  // `slim:` of the requested spec rules every package of the image.
  opts.slim = chain_.specs.back().slim;
  opts.below = &out_.view;
  opts.name = DebName(p);
  opts.limits = ctx_.options().limits;
  base::Result<debian::UnpackedDeb> deb =
      debian::UnpackDeb(const_cast<cache::Store&>(**store), p.deb_path, p.sha256, opts);
  if (!deb) return base::Fail(deb.error());
  debian::ScriptReview review = debian::ReviewMaintainerScripts(p.name, deb->script_text);
  for (const std::string& w : review.warnings) ctx_.reporter().Warning(w);
  for (debian::Emulation e : review.emulations)
    if (e == debian::Emulation::kAlternatives) {
      base::Result<std::vector<std::string>> links = debian::AddAlternatives(p.name, deb->tree);
      if (!links) return base::Fail(links.error());
    }
  exclude_.Prune(deb->tree);
  out_.slimmed_bytes += deb->slimmed_bytes;
  out_.packages.push_back(p.name + " " + p.version);
  versions_[p.name] = p.version;
  return AddCachedLayer(std::move(deb->tree),
                        fmt::format("distill package {} {}", p.name, p.version),
                        fmt::format("deb={}\nslim={}\nmerged={}{}", p.sha256, opts.slim,
                                    opts.merged_usr, exclude_.Key()));
}

base::Result<void> Composer::Packages(size_t element) {
  const std::shared_ptr<const PackageSet>& set = plan_.layers.at(element);
  if (!set) return {};
  for (const ResolvedPackage& p : set->packages) {
    if (!installed_.insert(p.name).second) continue;
    // A registry base that holds the package at this version already has
    // its files (docs/registry.md); any other version is installed on top.
    if (auto b = base_packages_.find(p.name); b != base_packages_.end() && b->second == p.version) {
      versions_[p.name] = p.version;
      continue;
    }
    DISTILL_TRY(PackageLayer(p));
  }
  return {};
}

// A package whose files are read but not installed (ca-certificates for the
// bundle, libc-bin for the locale): fetched alone, without its closure.
base::Result<debian::UnpackedDeb> Composer::UnpackOnly(size_t element, const std::string& name) {
  auto it = plan_.alone.find({element, name});
  if (it == plan_.alone.end()) return base::Fail("internal: '{}' is not in the package plan", name);
  const ResolvedPackage& p = it->second;
  base::Result<const cache::Store*> store = ctx_.store();
  if (!store) return base::Fail(store.error());
  debian::UnpackOptions opts;
  opts.slim = false;
  opts.status_d = false;
  opts.name = DebName(p);
  opts.limits = ctx_.options().limits;
  return debian::UnpackDeb(const_cast<cache::Store&>(**store), p.deb_path, p.sha256, opts);
}

// Copies `path` (a regular file or symlink) from `from` into `to`.
base::Result<void> CopyEntry(const fs::Tree& from, const std::string& path, fs::Tree& to) {
  const fs::Node* n = from.Find(path);
  if (!n) return base::Fail("'/{}' is missing", path);
  return to.Add(path, *n);
}

base::Result<void> Composer::Effects(size_t element) {
  const Spec& spec = chain_.specs[element];
  if (spec.cacerts || spec.java_cacerts) {
    base::Result<debian::UnpackedDeb> ca = UnpackOnly(element, "ca-certificates");
    if (!ca) return base::Fail(ca.error());
    base::Result<std::string> bundle = CaBundle(ca->tree);
    if (!bundle) return base::Fail(bundle.error().Context("building the CA bundle"));
    ca_bundle_ = *bundle;
    if (spec.cacerts) {
      fs::Tree t;
      DISTILL_TRY(AddCaBundle(t, ca_bundle_));
      DISTILL_TRY(CopyEntry(ca->tree, "usr/share/doc/ca-certificates/copyright", t));
      DISTILL_TRY(
          AddLayer(std::move(t), fmt::format("distill cacerts (ca-certificates {})", ca->version)));
    }
  }
  if (!spec.locale.empty()) {
    base::Result<debian::UnpackedDeb> libc = UnpackOnly(element, "libc-bin");
    if (!libc) return base::Fail(libc.error());
    fs::Tree t;
    for (const auto& [path, node] : libc->tree.entries())
      if (base::StartsWith(path, "usr/lib/locale/C.utf8")) DISTILL_TRY(t.Add(path, node));
    DISTILL_TRY(CopyEntry(libc->tree, "usr/share/doc/libc-bin/copyright", t));
    DISTILL_TRY(
        AddLayer(std::move(t), fmt::format("distill locale C.utf8 (libc-bin {})", libc->version)));
  }
  if (spec.java_cacerts) {
    KeystoreOptions ko;
    ko.timestamp_ms = ctx_.options().source_date_epoch * 1000;
    base::Result<std::string> jks = JavaKeystore(ca_bundle_, ko);
    if (!jks) return base::Fail(jks.error().Context("building the Java trust store"));
    fs::Tree t;
    DISTILL_TRY(AddJavaKeystore(t, *jks));
    DISTILL_TRY(AddLayer(std::move(t), "distill java trust store /etc/ssl/certs/java/cacerts"));
  }
  if (!spec.links.empty()) {
    fs::Tree t;
    for (const LinkSpec& l : spec.links) {
      base::Result<std::string> path = fs::NormalizePath(Expand(l.path));
      if (!path) return base::Fail(SpecError(spec, l.mark, path.error().message()));
      DISTILL_TRY(t.Add(*path, fs::Node::Symlink(Expand(l.target))));
    }
    DISTILL_TRY(AddLayer(std::move(t), "distill links"));
  }
  return {};
}

base::Result<void> Composer::Skeleton(const Spec& spec) {
  if (!spec.skeleton && spec.users.empty() && spec.groups.empty()) return {};
  BaseFilesOptions o;
  o.suite = chain_.suite;
  for (const UserSpec& u : spec.users) o.users.push_back({u.name, u.uid, u.gid, u.home, u.shell});
  for (const GroupSpec& g : spec.groups) o.groups.push_back({g.name, g.gid});
  fs::Tree t;
  base::Result<void> r = AddBaseFiles(t, o);
  if (!r) return base::Fail(SpecError(spec, spec.accounts_mark, r.error().message()));
  return AddLayer(std::move(t),
                  "distill skeleton: passwd, group, homes, tmp, nsswitch.conf, os-release");
}

base::Result<void> Composer::Busybox() {
  base::Result<debian::UnpackedDeb> bb = UnpackOnly(0, "busybox-static");
  if (!bb) return base::Fail(bb.error());
  const fs::Node* bin = bb->tree.Find("bin/busybox");
  if (!bin) bin = bb->tree.Find("usr/bin/busybox");
  if (!bin) return base::Fail("busybox-static {} has no bin/busybox", bb->version);
  fs::Tree t;
  DISTILL_TRY(t.Add("busybox", fs::Node::Dir()));
  DISTILL_TRY(t.Add("busybox/busybox", *bin));
  for (const char* applet : kBusyboxApplets)
    DISTILL_TRY(t.Add(std::string("busybox/") + applet, fs::Node::Symlink("/busybox/busybox")));
  DISTILL_TRY(CopyEntry(bb->tree, "usr/share/doc/busybox-static/copyright", t));
  return AddLayer(std::move(t),
                  fmt::format("distill debug: busybox-static {} at /busybox", bb->version));
}

base::Result<void> Composer::Files(const Spec& spec) {
  std::string context =
      ctx_.options().context_dir.empty() ? base::DirName(spec.path) : ctx_.options().context_dir;
  ContextOptions context_options{.limits = ctx_.options().limits};
  if (base::Result<const cache::Store*> store = ctx_.store()) context_options.store = *store;
  for (const LayerPlan& plan : PlanFileLayers(spec)) {
    ctx_.reporter().Status(FilesCreatedBy(plan));
    fs::Tree tree;
    for (const FileSpec* f : plan.entries) {
      if (f->from.empty()) {
        DISTILL_TRY(AddContextFiles(spec, *f, context, tree, out_.view, context_options));
        continue;
      }
      if (!stages_) return base::Fail("internal: no stage results for '{}'", f->from);
      DISTILL_TRY(stages_->AddFiles(spec, *f, tree, out_.view));
    }
    exclude_.Prune(tree);
    // Keyed by content: an unchanged files layer (a jar's dependencies, the
    // static assets) is reused, and only the layer that changed is compressed.
    base::Result<std::string> inputs = FilesLayerInputs(tree, ctx_.options().source_date_epoch);
    if (!inputs) return base::Fail(inputs.error());
    DISTILL_TRY(AddCachedLayer(std::move(tree), FilesCreatedBy(plan),
                               fmt::format("created_by={}\n{}", FilesCreatedBy(plan), *inputs)));
  }
  return {};
}

void Composer::MergeConfig(const Spec& spec) {
  const ConfigSpec& c = spec.config;
  oci::RunConfig& run = out_.run;
  if (c.user) run.user = *c.user;
  if (c.workdir) run.workdir = *c.workdir;
  if (c.entrypoint) {
    run.entrypoint = *c.entrypoint;
    // A new entrypoint drops an inherited Cmd, as Docker does.
    if (!c.cmd) run.cmd.clear();
  }
  if (c.cmd) run.cmd = *c.cmd;
  for (const auto& [k, v] : c.env) {
    std::string kv = k + "=" + Expand(v);
    auto it = std::find_if(run.env.begin(), run.env.end(),
                           [&](const std::string& e) { return e.starts_with(k + "="); });
    if (it != run.env.end())
      *it = kv;
    else
      run.env.push_back(kv);
  }
  for (const std::string& p : c.ports)
    if (std::find(run.ports.begin(), run.ports.end(), p) == run.ports.end()) run.ports.push_back(p);
  for (const std::string& v : c.volumes) run.volumes.push_back(v);
  for (const auto& [k, v] : c.labels) run.labels[k] = v;
  if (!c.stop_signal.empty()) run.stop_signal = c.stop_signal;
}

// The variants of distroless: User and WorkingDir as numbers and paths (not
// names), busybox on PATH and as the entrypoint of bases that have none.
void Composer::ApplyVariant() {
  oci::RunConfig& run = out_.run;
  bool nonroot = chain_.variant == Variant::kNonroot || chain_.variant == Variant::kDebugNonroot;
  bool debug = chain_.variant == Variant::kDebug || chain_.variant == Variant::kDebugNonroot;
  bool user_spec_sets_user = chain_.specs.back().config.user.has_value();
  bool user_spec_sets_workdir = chain_.specs.back().config.workdir.has_value();
  if (!user_spec_sets_user && (nonroot || chain_.specs.front().skeleton))
    run.user = nonroot ? "65532" : "0";
  if (!user_spec_sets_workdir && (nonroot || chain_.specs.front().skeleton))
    run.workdir = nonroot ? "/home/nonroot" : "/";
  if (debug) {
    for (std::string& e : run.env)
      if (e.starts_with("PATH=")) e += ":/busybox";
    if (run.entrypoint.empty()) run.entrypoint = {"/busybox/sh"};
  }
}

base::Result<void> Composer::Element(size_t element) {
  const Spec& spec = chain_.specs[element];
  DISTILL_TRY(Packages(element));
  DISTILL_TRY(Skeleton(spec));
  DISTILL_TRY(Effects(element));
  bool debug = chain_.variant == Variant::kDebug || chain_.variant == Variant::kDebugNonroot;
  if (element == 0 && debug) DISTILL_TRY(Busybox());
  DISTILL_TRY(Files(spec));
  MergeConfig(spec);
  return {};
}

base::Result<Composed> Composer::Run() {
  base::Result<std::string> arch = oci::DebianArchFromPlatform(platform_);
  if (!arch) return base::Fail(arch.error());
  arch_ = *arch;
  base::Result<archive::Compression> c = ChooseCompression(ctx_, chain_.specs.back());
  if (!c) return base::Fail(c.error());
  compression_ = *c;
  base::Result<std::string> staging = ctx_.StagingDir();
  if (!staging) return base::Fail(staging.error());
  staging_ = *staging;
  exclude_ = ImageExclude(chain_);
  if (chain_.registry_base) {
    // The image starts as the registry base: its layers, config and files.
    base::Result<BaseImage> b = PullBaseImage(ctx_, *chain_.registry_base, platform_);
    if (!b) return base::Fail(b.error());
    out_.layers = std::move(b->layers);
    out_.run = std::move(b->run);
    out_.view = std::move(b->view);
    base_packages_ = std::move(b->packages);
    DISTILL_TRY(exclude_.CheckBase(out_.view, chain_.specs.front().base));
  } else {
    out_.run.env.push_back(std::string("PATH=") + oci::kDefaultPath);
  }
  for (size_t i = 0; i < chain_.specs.size(); ++i) DISTILL_TRY(Element(i));
  DISTILL_TRY(exclude_.CheckMatched());
  ApplyVariant();
  return std::move(out_);
}

}  // namespace

base::Result<Composed> ComposeImage(BuildContext& ctx, const Chain& chain, const PackagePlan& plan,
                                    const StageFiles* stages, const oci::Platform& platform) {
  return Composer(ctx, chain, plan, stages, platform).Run();
}

}  // namespace build
