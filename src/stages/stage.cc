// The stages pass (docs/stages.md). For each stage, in spec order:
//
//   root     the base: for a Debian stage, the Essential set plus the
//            stage's packages and their Depends/Pre-Depends closure,
//            installed as mmdebstrap does — the Essential packages'
//            data.tar unpacked on the host (through stage_rootfs's in-root
//            writer), then inside the OCI runtime the root's own dpkg runs
//            `dpkg --install --force-depends` on the Essential .debs and then
//            on the rest, so every maintainer script really runs. The
//            configured root is cached by the package set alone
//            (PackageRootKey), so a changed source file never reinstalls.
//   key      sha256 over the base's key, the files (contents and metadata),
//            workdir, env, user, commands, network and kStageFormatVersion
//   cached?  <cache>/stages/run-<key>/rootfs exists: done
//   run      copy the base root into <cache>/tmp/, write the files in, run
//            each command in the runtime, then rename the directory into
//            <cache>/stages/ — rename(2) makes the result appear whole or
//            not at all, and a failed command leaves nothing behind.
//
// With the registry build cache (registry_cache.h), a root or run result
// missing locally is first looked for in the --cache-from images: its blob
// (stage_archive.h) is unpacked into <cache>/tmp/ and renamed into place
// like a built one. Every root and run result the build uses is recorded
// for --cache-to.
//
// Stages run on the host's architecture (the runtime runs host binaries);
// their results feed every platform of the image, as a Dockerfile stage
// with FROM --platform=$BUILDPLATFORM does.
#include "stages/stage.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "base/file_util.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "compose/compose.h"
#include "compose/context_files.h"
#include "fs/merged_usr.h"
#include "oci/descriptor.h"
#include "oci/image.h"
#include "resolve/plan.h"
#include "spec/recipes.h"
#include "stages/stage_archive.h"
#include "stages/stage_cache.h"
#include "stages/stage_rootfs.h"
#include "stages/stage_runtime.h"
#include "workspace/registry_cache.h"

namespace build {

namespace {

constexpr char kDebMount[] = "/var/cache/distill-debs";
constexpr size_t kTailLines = 30;

std::string CommandText(const RunSpec& r) {
  std::string text = r.argv.empty() ? r.shell : fmt::format("{}", fmt::join(r.argv, " "));
  if (text.size() > 72) text = text.substr(0, 69) + "...";
  return text;
}

// The last lines of a command's output, kept for error messages.
class Tail {
 public:
  void Add(std::string_view line) {
    lines_.emplace_back(line);
    if (lines_.size() > kTailLines) lines_.pop_front();
  }
  std::string Text() const { return fmt::format("{}", fmt::join(lines_, "\n")); }

 private:
  std::deque<std::string> lines_;
};

// One stage being made.
class StageRunner {
 public:
  StageRunner(BuildContext& ctx, Resolver& resolver, StageResults& results, const Spec& spec,
              const StageSpec& stage, std::string arch)
      : ctx_(ctx),
        resolver_(resolver),
        results_(results),
        spec_(spec),
        stage_(stage),
        arch_(std::move(arch)) {}

  base::Result<void> Run();

 private:
  base::Result<void> Base();
  base::Result<void> PackageRoot();
  base::Result<void> ImageRoot();
  base::Result<void> InstallPackages(WorkDir& work, const PackageSet& essential,
                                     const PackageSet& all);
  base::Result<void> Dpkg(WorkDir& work, const std::string& what,
                          const std::vector<const ResolvedPackage*>& debs);
  base::Result<void> Files();
  base::Result<void> Execute(const std::string& dest, const std::string& key);
  base::Result<std::pair<uint32_t, uint32_t>> User();
  base::Result<int> Container(const std::string& work, ContainerSpec spec, const std::string& label,
                              Tail& tail);
  base::Result<std::string> Runtime();

  BuildContext& ctx_;
  Resolver& resolver_;
  StageResults& results_;
  const Spec& spec_;
  const StageSpec& stage_;
  std::string arch_;
  std::string base_key_;
  std::string base_root_;  // "" for scratch
  fs::Tree files_;
  fs::Tree accounts_;            // the base root's /etc/passwd and /etc/group, for owner names
  oci::RunConfig image_config_;  // an image base's Env, User and WorkingDir
  std::string image_root_;       // the unpacked image this stage descends from, or ""
  std::string runtime_;
};

base::Result<std::string> StageRunner::Runtime() {
  if (!runtime_.empty()) return runtime_;
  base::Result<std::string> r = FindRuntime(getenv("DISTILL_RUNTIME"), getenv("PATH"));
  if (!r) return base::Fail(r.error());
  // runc and crun run rootless only with a user namespace mapping that
  // distill does not set up yet.
  if (geteuid() != 0)
    return base::Fail("build stages need root: rootless containers are not supported yet");
  runtime_ = *r;
  return runtime_;
}

base::Result<int> StageRunner::Container(const std::string& work, ContainerSpec spec,
                                         const std::string& label, Tail& tail) {
  base::Result<std::string> runtime = Runtime();
  if (!runtime) return base::Fail(runtime.error());
  std::string bundle = work + "/bundle";
  DISTILL_TRY(base::MakeDirs(bundle));
  spec.rootfs = work + "/rootfs";
  struct rlimit nofile;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_max != RLIM_INFINITY)
    spec.nofile = std::min<uint64_t>(spec.nofile, nofile.rlim_max);
  DISTILL_TRY(base::WriteFileAtomic(bundle + "/config.json", ContainerConfigJson(spec)));
  std::random_device rd;
  std::string id = fmt::format("distill-{}-{:08x}{:08x}", getpid(), rd(), rd());
  return RunContainer(*runtime, bundle, id, [&](std::string_view line) {
    tail.Add(line);
    ctx_.reporter().Status(fmt::format("[{}] {}", label, line));
  });
}

base::Result<void> StageRunner::Dpkg(WorkDir& work, const std::string& what,
                                     const std::vector<const ResolvedPackage*>& debs) {
  if (debs.empty()) return {};
  // The verified .debs, hardlinked from the cache (same file system) under
  // their archive names, mounted read-only where dpkg inside can read them.
  std::string dir = work.path() + "/debs-" + what;
  DISTILL_TRY(base::MakeDirs(dir));
  ContainerSpec c;
  c.args = {"dpkg", "--install", "--force-depends", "--force-unsafe-io"};
  for (const ResolvedPackage* p : debs) {
    std::string name = DebName(*p);
    std::string link = dir + "/" + name;
    if (::link(p->deb_path.c_str(), link.c_str()) != 0 && errno != EEXIST)
      DISTILL_TRY(CopyRoot(p->deb_path, link));
    c.args.push_back(std::string(kDebMount) + "/" + name);
  }
  c.env = {std::string("PATH=") + oci::kDefaultPath, "DEBIAN_FRONTEND=noninteractive",
           "DEBCONF_NONINTERACTIVE_SEEN=true", "LC_ALL=C", "HOME=/root"};
  c.binds = {{dir, kDebMount, true}};
  ctx_.reporter().Status(
      fmt::format("stage '{}': installing {} packages ({})", stage_.name, debs.size(), what));
  Tail tail;
  base::Result<int> status =
      Container(work.path(), c, fmt::format("{} {}", stage_.name, what), tail);
  if (!status) return base::Fail(status.error());
  if (*status != 0)
    return base::Fail(base::Error("installing packages: dpkg exited with status {}", *status)
                          .WithDetail(tail.Text()));
  return {};
}

base::Result<void> StageRunner::InstallPackages(WorkDir& work, const PackageSet& essential,
                                                const PackageSet& all) {
  base::Result<RootDir> root = RootDir::Open(work.path() + "/rootfs", true);
  if (!root) return base::Fail(root.error());
  if (chmod(root->path().c_str(), 0755) != 0)
    return base::Fail("'{}': {}", root->path(), base::ErrnoText());
  // Merged /usr, as debootstrap and mmdebstrap make bookworm and later roots.
  for (const std::string& d : fs::MergedUsrDirsFor(arch_)) {
    DISTILL_TRY(root->MakeDirs("usr/" + d));
    archive::TarEntry link{
        .path = d, .type = archive::EntryType::kSymlink, .mode = 0777, .link = "usr/" + d};
    DISTILL_TRY(root->Put(link, nullptr));
  }
  // extract: the Essential set's files, so that dpkg, a shell and the
  // tools maintainer scripts call exist before dpkg runs.
  std::set<std::string> essential_names;
  ctx_.reporter().Status(fmt::format("stage '{}': unpacking {} essential packages", stage_.name,
                                     essential.packages.size()));
  for (const ResolvedPackage& p : essential.packages) {
    essential_names.insert(p.name);
    DISTILL_TRY(ExtractDeb(p.deb_path, DebName(p), *root));
  }
  // The empty dpkg database dpkg expects (dpkg's own postinst creates the
  // rest), and no service starts (policy-rc.d, invoke-rc.d(8)).
  for (const char* d : {"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers",
                        "var/lib/dpkg/alternatives", "usr/sbin", "etc"})
    DISTILL_TRY(root->MakeDirs(d));
  DISTILL_TRY(root->WriteFile("var/lib/dpkg/status", ""));
  DISTILL_TRY(root->WriteFile("var/lib/dpkg/available", ""));
  DISTILL_TRY(root->WriteFile("usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", 0755));
  // install: the root's dpkg installs the Essential set over the unpacked
  // files, then everything else; --force-depends as mmdebstrap passes it,
  // since dpkg alone does not order Pre-Depends across a batch.
  std::vector<const ResolvedPackage*> first, rest;
  for (const ResolvedPackage& p : all.packages)
    (essential_names.contains(p.name) ? first : rest).push_back(&p);
  DISTILL_TRY(Dpkg(work, "essential", first));
  DISTILL_TRY(Dpkg(work, "packages", rest));
  DISTILL_TRY(root->Remove("usr/sbin/policy-rc.d"));
  DISTILL_TRY(root->Remove(std::string(kDebMount).substr(1)));
  // Verify: every package is fully installed, as `dpkg -s` would say.
  base::Result<std::map<std::string, std::string>> status = DpkgStatus(*root);
  if (!status) return base::Fail(status.error());
  std::vector<std::string> bad;
  for (const ResolvedPackage& p : all.packages) {
    auto it = status->find(p.name);
    if (it == status->end() || it->second != "install ok installed")
      bad.push_back(fmt::format("'{}' ({})", p.name,
                                it == status->end() ? "not in the dpkg status" : it->second));
  }
  if (!bad.empty())
    return base::Fail("installing packages: dpkg left {} not installed: {}", bad.size(),
                      fmt::join(bad, ", "));
  return {};
}

base::Result<void> StageRunner::PackageRoot() {
  Spec eff = spec_;
  eff.ignore_depends.clear();
  base::Result<std::vector<std::string>> names = EssentialPackages(resolver_, eff, arch_);
  if (!names) return base::Fail(names.error());
  // The root is merged-/usr already, which usr-is-merged declares; asked
  // for first, it satisfies init-system-helpers' "usrmerge | usr-is-merged"
  // as mmdebstrap arranges, instead of usrmerge and all of perl. Suites
  // before bookworm have no such package.
  base::Result<bool> marker = HasPackage(resolver_, eff, arch_, "usr-is-merged");
  if (!marker) return base::Fail(marker.error());
  if (*marker) names->insert(names->begin(), "usr-is-merged");
  // Resolved only: the .debs are fetched below, when this root is
  // installed here rather than found in the local or the registry cache.
  base::Result<PackageSet> essential = ResolvePackageSet(resolver_, eff, *names, arch_);
  if (!essential) return base::Fail(essential.error());
  std::vector<std::string> requests = *names;
  for (const std::string& p : stage_.packages)
    if (std::find(requests.begin(), requests.end(), p) == requests.end()) requests.push_back(p);
  base::Result<PackageSet> all = ResolvePackageSet(resolver_, eff, requests, arch_);
  if (!all) return base::Fail(all.error());
  for (const std::string& p : all->problems) ctx_.reporter().Warning(p);
  base_key_ = PackageRootKey(arch_, all->packages);
  std::string dest = ctx_.CacheRoot() + "/stages/root-" + base_key_;
  base_root_ = dest + "/rootfs";
  if (base::IsDirectory(base_root_))
    return RecordStage(ctx_, kCacheKindStageRoot, base_key_, dest, CacheSource::kLocal);
  if (FromRegistryCache(ctx_, stage_.name, kCacheKindStageRoot, base_key_, dest)) return {};
  DISTILL_TRY(Runtime());  // before unpacking anything
  DISTILL_TRY(FetchPackages(ctx_, *all));
  DISTILL_TRY(FetchPackages(ctx_, *essential));  // the same .debs: found in the cache
  base::Result<WorkDir> work = WorkDir::Create(ctx_, "root");
  if (!work) return base::Fail(work.error());
  DISTILL_TRY(InstallPackages(*work, *essential, *all));
  (void)RemoveRoot(work->path() + "/bundle");
  for (const char* d : {"/debs-essential", "/debs-packages"}) (void)RemoveRoot(work->path() + d);
  nlohmann::json meta = {{"kind", "package-root"}, {"architecture", arch_}, {"key", base_key_}};
  for (const ResolvedPackage& p : all->packages)
    meta["packages"].push_back(p.name + " " + p.version);
  DISTILL_TRY(base::WriteFileAtomic(work->path() + "/stage.json", meta.dump(2) + "\n"));
  DISTILL_TRY(work->CommitTo(dest));
  return RecordStage(ctx_, kCacheKindStageRoot, base_key_, dest, CacheSource::kBuilt);
}

base::Result<void> StageRunner::Base() {
  if (IsDebianBase(stage_.base)) return PackageRoot();
  if (stage_.base == "scratch") {
    base_key_ = "scratch";
    return {};
  }
  // An earlier stage (CheckStages made sure it is one), else an image.
  const std::string* earlier = results_.Find(StageRef(spec_.path, stage_.base));
  if (!earlier && IsImageBase(stage_.base)) return ImageRoot();
  if (!earlier)
    return base::Fail(
        SpecError(spec_, stage_.base_mark, fmt::format("no build stage named '{}'", stage_.base)));
  base_root_ = *earlier;
  base::Result<std::string> meta = base::ReadFile(base::DirName(base_root_) + "/stage.json");
  if (!meta) return base::Fail(meta.error());
  nlohmann::json j = nlohmann::json::parse(*meta, nullptr, false);
  base_key_ = j.is_object() ? j.value("key", "") : "";
  if (base_key_.empty()) return base::Fail("'{}': malformed stage record", base_root_);
  image_root_ = j.value("image_root", "");
  return {};
}

// An image as the stage's root: a built-in base, a spec file or a registry
// image, composed (or pulled) for the host's platform as the image's own
// base would be, its layers then applied in order to a directory, whiteouts
// included. Cached by the layers' DiffIDs and the config the commands see.
base::Result<void> StageRunner::ImageRoot() {
  Spec s;
  s.path = spec_.path;
  s.source_text = spec_.source_text;
  s.base = stage_.base;
  s.base_mark = stage_.base_mark;
  s.debian = spec_.debian;
  s.has_debian = spec_.has_debian;
  base::Result<Chain> chain = LoadChain(s);
  if (!chain) return base::Fail(chain.error());
  base::Result<StageResults> stages = RunStages(ctx_, resolver_, *chain);
  if (!stages) return base::Fail(stages.error());
  base::Result<PackagePlan> plan = PlanPackages(resolver_, *chain, arch_);
  base::Result<Composed> image =
      plan ? ComposeImage(ctx_, *chain, *plan, &*stages, oci::HostPlatform())
           : base::Result<Composed>(base::Fail(plan.error()));
  if (!image && chain->registry_base) {
    // At the FROM (or `base:`) line; a Dockerfile's FROM may be mapped.
    std::string what = image.error().message();
    if (spec_.from_dockerfile)
      what += fmt::format(" (to build it from Debian packages, map it: --base-map '{}=TARGET')",
                          stage_.base.substr(9));
    return base::Fail(SpecError(spec_, stage_.base_mark, what));
  }
  if (!image) return base::Fail(image.error());
  image_config_ = image->run;
  std::string text = fmt::format("distill image root v{}\n", kStageFormatVersion);
  for (const oci::Layer& l : image->layers) text += "layer " + l.diff_id + "\n";
  for (const std::string& e : image_config_.env) text += "env " + e + "\n";
  text += "user " + image_config_.user + "\nworkdir " + image_config_.workdir + "\n";
  base_key_ = "image-" + base::Sha256Hex(text);
  std::string dest = ctx_.CacheRoot() + "/stages/" + base_key_;
  base_root_ = dest + "/rootfs";
  image_root_ = base_root_;
  if (base::IsDirectory(base_root_)) return {};
  base::Result<WorkDir> work = WorkDir::Create(ctx_, "image");
  if (!work) return base::Fail(work.error());
  base::Result<RootDir> root = RootDir::Open(work->path() + "/rootfs", true);
  if (!root) return base::Fail(root.error());
  if (chmod(root->path().c_str(), 0755) != 0)
    return base::Fail("'{}': {}", root->path(), base::ErrnoText());
  ctx_.reporter().Status(fmt::format("stage '{}': unpacking base '{}' ({} layers)", stage_.name,
                                     stage_.base, image->layers.size()));
  nlohmann::json meta = {
      {"kind", "image-root"}, {"base", stage_.base}, {"architecture", arch_}, {"key", base_key_}};
  for (const oci::Layer& l : image->layers) {
    DISTILL_TRY(ApplyLayer(l.path, fmt::format("layer '{}'", l.descriptor.digest), *root));
    meta["layers"].push_back(l.diff_id);
  }
  DISTILL_TRY(base::WriteFileAtomic(work->path() + "/stage.json", meta.dump(2) + "\n"));
  return work->CommitTo(dest);
}

base::Result<void> StageRunner::Files() {
  if (!base_root_.empty()) {
    base::Result<RootDir> root = RootDir::Open(base_root_, false);
    if (!root) return base::Fail(root.error());
    for (const char* f : {"etc/passwd", "etc/group"}) {
      base::Result<std::string> text = root->ReadFile(f);
      if (!text) return base::Fail(text.error());
      if (!text->empty())
        DISTILL_TRY(accounts_.Add(f, fs::Node::File(fs::Content::Inline(*text), text->size())));
    }
  }
  std::string context =
      ctx_.options().context_dir.empty() ? base::DirName(spec_.path) : ctx_.options().context_dir;
  ContextOptions options{.limits = ctx_.options().limits};
  if (base::Result<const cache::Store*> store = ctx_.store()) options.store = *store;
  for (const FileSpec& f : stage_.files) {
    if (f.from.empty()) {
      DISTILL_TRY(AddContextFiles(spec_, f, context, files_, accounts_, options));
      continue;
    }
    base::Result<StageSource> src = StageFileSource(results_, spec_, f);
    if (!src) return base::Fail(src.error());
    DISTILL_TRY(AddContextFiles(spec_, src->entry, src->dir, files_, accounts_, options));
  }
  return {};
}

base::Result<std::pair<uint32_t, uint32_t>> StageRunner::User() {
  // The stage's own user, else its image base's USER, else root.
  const std::string& user = stage_.user.empty() ? image_config_.user : stage_.user;
  if (user.empty()) return std::make_pair(0u, 0u);
  base::Result<std::pair<uint32_t, uint32_t>> owner = ParseOwner(user, accounts_);
  if (!owner) return base::Fail(base::Error("'user': {}", owner.error().message()));
  return owner;
}

base::Result<void> StageRunner::Execute(const std::string& dest, const std::string& key) {
  base::Result<std::pair<uint32_t, uint32_t>> user = User();
  if (!user) return base::Fail(user.error());
  if (!stage_.run.empty()) DISTILL_TRY(Runtime());  // before copying a whole root
  base::Result<WorkDir> work = WorkDir::Create(ctx_, stage_.name);
  if (!work) return base::Fail(work.error());
  std::string rootfs = work->path() + "/rootfs";
  if (base_root_.empty()) {
    if (mkdir(rootfs.c_str(), 0755) != 0)
      return base::Fail("creating '{}': {}", rootfs, base::ErrnoText());
  } else {
    DISTILL_TRY(CopyRoot(base_root_, rootfs));
  }
  base::Result<RootDir> root = RootDir::Open(rootfs, false);
  if (!root) return base::Fail(root.error());
  DISTILL_TRY(root->PutTree(files_));
  std::string workdir = !stage_.workdir.empty()          ? stage_.workdir
                        : !image_config_.workdir.empty() ? image_config_.workdir
                                                         : "/";
  base::Result<std::string> wd = fs::NormalizePath(workdir);
  if (!wd) return base::Fail(wd.error());
  DISTILL_TRY(root->MakeDirs(*wd));
  ContainerSpec c;
  c.cwd = workdir;
  c.uid = user->first;
  c.gid = user->second;
  c.network = stage_.network;
  c.env = {std::string("PATH=") + oci::kDefaultPath, c.uid == 0 ? "HOME=/root" : "HOME=/"};
  // An image base's Env first (its PATH replaces the default), then the stage's.
  std::vector<std::pair<std::string, std::string>> env;
  for (const std::string& e : image_config_.env)
    if (size_t eq = e.find('='); eq != std::string::npos)
      env.emplace_back(e.substr(0, eq), e.substr(eq + 1));
  env.insert(env.end(), stage_.env.begin(), stage_.env.end());
  for (const auto& [k, v] : env) {
    auto it = std::find_if(c.env.begin(), c.env.end(),
                           [&](const std::string& e) { return e.starts_with(k + "="); });
    (it != c.env.end() ? *it : c.env.emplace_back()) = k + "=" + v;
  }
  // The host's resolver configuration, only while commands run with the
  // host's network; the file is not left in the result.
  bool had_resolv = root->Exists("etc/resolv.conf");
  if (stage_.network) c.binds.push_back({"/etc/resolv.conf", "/etc/resolv.conf", true});
  for (size_t i = 0; i < stage_.run.size(); ++i) {
    const RunSpec& r = stage_.run[i];
    c.args = r.argv.empty() ? std::vector<std::string>{"/bin/sh", "-c", r.shell} : r.argv;
    std::string label = fmt::format("{} {}/{}", stage_.name, i + 1, stage_.run.size());
    ctx_.reporter().Status(fmt::format("[{}] {}", label, CommandText(r)));
    Tail tail;
    base::Result<int> status = Container(work->path(), c, label, tail);
    if (!status) return base::Fail(status.error());
    if (*status != 0)
      return base::Fail(base::Error("command '{}' ({}:{}) exited with status {}", CommandText(r),
                                    spec_.path, r.mark.line, *status)
                            .WithDetail(tail.Text()));
  }
  if (stage_.network && !had_resolv) DISTILL_TRY(root->Remove("etc/resolv.conf"));
  (void)RemoveRoot(work->path() + "/bundle");
  // The record goes in before the rename, so a result never lacks it.
  nlohmann::json meta = {
      {"kind", "stage"}, {"stage", stage_.name}, {"key", key}, {"base", base_key_}};
  if (!image_root_.empty()) meta["image_root"] = image_root_;
  DISTILL_TRY(base::WriteFileAtomic(work->path() + "/stage.json", meta.dump(2) + "\n"));
  return work->CommitTo(dest);
}

base::Result<void> StageRunner::Run() {
  DISTILL_TRY(Base());
  DISTILL_TRY(Files());
  base::Result<std::string> files_digest = TreeDigest(files_);
  if (!files_digest) return base::Fail(files_digest.error());
  StageKeyInputs in{base_key_,   *files_digest, stage_.workdir, stage_.env,
                    stage_.user, stage_.run,    stage_.network};
  std::string key = StageKey(in);
  std::string dest = ctx_.CacheRoot() + "/stages/run-" + key;
  if (base::IsDirectory(dest + "/rootfs")) {
    ctx_.reporter().Status(fmt::format("stage '{}': cached", stage_.name));
    DISTILL_TRY(RecordStage(ctx_, kCacheKindStageRun, key, dest, CacheSource::kLocal));
  } else if (!FromRegistryCache(ctx_, stage_.name, kCacheKindStageRun, key, dest)) {
    DISTILL_TRY(Execute(dest, key));
    ctx_.reporter().Status(fmt::format("stage '{}': done", stage_.name));
    DISTILL_TRY(RecordStage(ctx_, kCacheKindStageRun, key, dest, CacheSource::kBuilt));
  }
  results_.Add(StageRef(spec_.path, stage_.name), dest + "/rootfs");
  return {};
}

}  // namespace

base::Result<StageResults> RunStages(BuildContext& ctx, Resolver& resolver, const Chain& chain) {
  StageResults results;
  bool any = false;
  for (const Spec& s : chain.specs) any = any || !s.stages.empty();
  if (!any) return results;
  CleanStaleWorkDirs(ctx.CacheRoot());
  if (base::Result<std::string> rt = FindRuntime(getenv("DISTILL_RUNTIME"), getenv("PATH")))
    ReapOrphanContainers(*rt);
  base::Result<std::string> arch = oci::DebianArchFromPlatform(oci::HostPlatform());
  if (!arch) return base::Fail(arch.error());
  for (const Spec& spec : chain.specs) {
    DISTILL_TRY(CheckStages(spec));
    for (const StageSpec& stage : spec.stages) {
      base::Result<void> r = StageRunner(ctx, resolver, results, spec, stage, *arch).Run();
      // Spec errors carry their own position; the rest gain the stage's name.
      if (!r)
        return base::Fail(r.error().position_file() == spec.path
                              ? r.error()
                              : r.error().Context("stage '{}'", stage.name));
    }
  }
  return results;
}

}  // namespace build
