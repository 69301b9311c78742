// The run-check pass and `packages: auto` (issue 5 items 3 and 4).
//
// The check runs on Composed::view, every layer merged as the runtime's
// overlay shows it; file contents are read through the view's content
// references (a byte range of a cached data.tar, a context file, inline
// bytes), and only the ranges the ELF parser asks for. Libraries are found
// by the loader's rules for the platform's multiarch triplet
// (analyze/library_search.h), so an image that passes has what ld.so
// will look for, not just files with the right names somewhere.
//
// Reporting: every problem is one self-contained line, in the order the
// loader meets them (the entrypoint first, then its DT_NEEDED entries in
// order), the first at the spec line that set the command; several end
// with a count. A missing library names the Debian package that ships it
// when the image is made of Debian packages, from the Contents index
// (resolve/library_packages.h), which is fetched only then.
//
// `packages: auto` is the same loop run by the tool instead of the user:
// compose, check, add the packages that ship the missing libraries (their
// Depends closure comes with them through the resolver), compose again.
// The result is a request list, memoized per architecture, that the lock
// file records like any other, so `build --locked` replays it from the lock
// without composing.
#include "check/check.h"

#include <algorithm>
#include <set>

#include "analyze/image_view.h"
#include "base/strings.h"
#include "resolve/lock.h"
#include "resolve/packages.h"

namespace build {
namespace {

std::vector<std::string> PathDirs(const oci::RunConfig& run) {
  for (const std::string& e : run.env)
    if (e.starts_with("PATH=")) return base::Split(e.substr(5), ':');
  return analyze::DefaultPathDirs();
}

// The spec (last in the chain wins, as config merges) that set the command
// being checked, and where.
struct CommandSource {
  const Spec* spec = nullptr;
  Mark mark;
};

CommandSource FindCommandSource(const Chain& chain) {
  bool from_entrypoint = false;
  for (const Spec& s : chain.specs)
    if (s.config.entrypoint && !s.config.entrypoint->empty()) from_entrypoint = true;
  CommandSource out;
  for (const Spec& s : chain.specs) {
    const ConfigSpec& c = s.config;
    if (from_entrypoint && c.entrypoint) out = {&s, c.entrypoint_mark};
    if (!from_entrypoint && c.cmd) out = {&s, c.cmd_mark};
  }
  return out;
}

std::string PackageList(const std::vector<std::string>& pkgs) {
  return fmt::format("{}", fmt::join(pkgs, ", "));
}

std::string ProblemLine(const analyze::RunProblem& p, const Shipping* shipping) {
  using analyze::ProblemKind;
  if (p.kind == ProblemKind::kMissingLibrary) {
    if (!shipping) return p.message + ", which is not in the image";
    auto it = shipping->libraries.find(p.missing);
    if (it == shipping->libraries.end() || it->second.empty())
      return fmt::format("{}, which no Debian package in {} ships", p.message, shipping->suite);
    if (it->second.size() == 1)
      return fmt::format("{} (package {}): add it to packages", p.message, it->second[0]);
    return fmt::format("{} (packages {}): add one of them to packages", p.message,
                       PackageList(it->second));
  }
  if (p.kind == ProblemKind::kMissingInterpreter && shipping) {
    auto it = shipping->paths.find(p.missing);
    if (it == shipping->paths.end() && p.missing.find('/') == std::string::npos)
      it = shipping->paths.find("/usr/bin/" + p.missing);
    if (it != shipping->paths.end() && !it->second.empty())
      return fmt::format("{} ({} {} ships it)", p.message,
                         it->second.size() == 1 ? "package" : "packages", PackageList(it->second));
  }
  return p.message;
}

}  // namespace

std::string CommandToCheck(const oci::RunConfig& run) {
  if (!run.entrypoint.empty()) return run.entrypoint[0];
  if (!run.cmd.empty()) return run.cmd[0];
  return "";
}

bool WantsCheck(const Chain& chain, const oci::RunConfig& run) {
  return chain.specs.back().check && !CommandToCheck(run).empty();
}

base::Result<analyze::RunCheck> CheckComposed(const Composed& image,
                                              const std::string& debian_arch) {
  analyze::ImageView view({&image.view});
  std::string command = CommandToCheck(image.run);
  if (command.empty()) return analyze::RunCheck{};
  return analyze::CheckRunnable(view, {command}, image.run.workdir, debian_arch,
                                PathDirs(image.run));
}

ShippingQuery QueryFor(const analyze::RunCheck& check) {
  ShippingQuery q;
  q.libraries = check.MissingLibraries();
  for (const analyze::RunProblem& p : check.problems) {
    if (p.kind != analyze::ProblemKind::kMissingInterpreter) continue;
    if (p.missing.find('/') != std::string::npos) {
      q.paths.push_back(p.missing);
    } else {
      q.paths.push_back("/usr/bin/" + p.missing);
      q.paths.push_back("/usr/sbin/" + p.missing);
    }
  }
  return q;
}

std::vector<std::string> PackagesToAdd(const analyze::RunCheck& check, const Shipping& shipping) {
  std::vector<std::string> out;
  for (const analyze::RunProblem& p : check.problems) {
    if (p.kind != analyze::ProblemKind::kMissingLibrary) continue;
    auto it = shipping.libraries.find(p.missing);
    if (it == shipping.libraries.end() || it->second.empty()) continue;
    if (std::find(out.begin(), out.end(), it->second[0]) == out.end()) out.push_back(it->second[0]);
  }
  return out;
}

base::Error CheckError(const Chain& chain, const analyze::RunCheck& check,
                       const Shipping* shipping) {
  std::vector<std::string> lines;
  for (const analyze::RunProblem& p : check.problems) lines.push_back(ProblemLine(p, shipping));
  CommandSource source = FindCommandSource(chain);
  base::Error first = source.spec && source.mark.line > 0
                          ? SpecError(*source.spec, source.mark, lines[0])
                          : base::Error(lines[0]);
  if (lines.size() == 1) return first;
  std::string detail = first.detail();
  for (size_t i = 1; i < lines.size(); ++i)
    detail += (detail.empty() ? "" : "\n") + std::string("distill: error: ") + lines[i];
  bool any_package = false;
  if (shipping)
    for (const auto& [name, pkgs] : shipping->libraries) any_package |= !pkgs.empty();
  detail += fmt::format(
      "\ndistill: error: {} problems stop '{}' from running{}", lines.size(),
      check.problems[0].needed_by.empty() ? check.problems[0].missing : check.problems[0].needed_by,
      any_package && !chain.specs.back().auto_packages
          ? " ('packages: auto' adds the packages named above)"
          : "");
  base::Error out = base::Error(first.message()).WithDetail(detail);
  return first.position_file().empty() ? out : std::move(out).AtPosition(first.position_file());
}

Chain WithPackages(Chain chain, const std::vector<std::string>& packages) {
  std::vector<std::string>& to = chain.specs.back().packages;
  for (const std::string& p : packages)
    if (std::find(to.begin(), to.end(), p) == to.end()) to.push_back(p);
  if (!packages.empty()) chain.has_packages = true;
  return chain;
}

namespace {


// --locked: the lock's requests that the spec chain does not make.
base::Result<std::vector<std::string>> LockedAutoPackages(const Chain& chain,
                                                          const std::string& arch) {
  std::string path = LockPath(chain.specs.back().path);
  base::Result<LockFile> lock = ReadLock(path);
  if (!lock) return base::Fail(lock.error());
  const LockedPlatform* entry = FindPlatform(*lock, arch);
  if (!entry)
    return base::Fail("'{}' has no entry for architecture '{}' (run 'distill lock')", path, arch);
  std::vector<std::string> spec_requests = ImageSpec(chain).packages, out;
  for (const std::string& r : entry->requests)
    if (std::find(spec_requests.begin(), spec_requests.end(), r) == spec_requests.end())
      out.push_back(r);
  return out;
}

base::Result<std::vector<std::string>> ComputeAutoPackages(Resolver& r, const Chain& chain,
                                                           const StageFiles* stages,
                                                           const oci::Platform& platform,
                                                           const std::string& arch) {
  std::vector<std::string> added;
  for (int round = 0; round < kMaxAutoRounds; ++round) {
    Chain with = WithPackages(chain, added);
    base::Result<PackagePlan> plan = PlanPackages(r, with, arch);
    if (!plan) return base::Fail(plan.error());
    base::Result<Composed> image = ComposeImage(r.ctx(), with, *plan, stages, platform);
    if (!image) return base::Fail(image.error());
    if (CommandToCheck(image->run).empty()) break;
    base::Result<analyze::RunCheck> check = CheckComposed(*image, arch);
    if (!check) return base::Fail(check.error());
    std::vector<std::string> missing = check->MissingLibraries();
    if (missing.empty()) break;
    base::Result<Shipping> shipping =
        FindShippingPackages(r, chain.specs.back(), arch, {missing, {}});
    if (!shipping) return base::Fail(shipping.error().Context("packages: auto"));
    size_t before = added.size();
    for (const std::string& p : PackagesToAdd(*check, *shipping))
      if (std::find(added.begin(), added.end(), p) == added.end()) added.push_back(p);
    // Nothing new: the check pass reports what is still missing.
    if (added.size() == before) break;
  }
  return added;
}

}  // namespace

base::Result<std::vector<std::string>> AutoPackages(Resolver& r, const Chain& chain,
                                                    const StageFiles* stages,
                                                    const oci::Platform& platform) {
  if (!chain.specs.back().auto_packages) return std::vector<std::string>{};
  base::Result<std::string> arch = oci::DebianArchFromPlatform(platform);
  if (!arch) return base::Fail(arch.error());
  BuildContext& ctx = r.ctx();
  base::Result<std::vector<std::string>> added =
      ctx.options().locked ? LockedAutoPackages(chain, *arch)
                           : ComputeAutoPackages(r, chain, stages, platform, *arch);
  if (!added) return base::Fail(added.error());
  if (!added->empty())
    ctx.reporter().Status(
        fmt::format("packages: auto added {} for {}", fmt::join(*added, ", "), *arch));
  return added;
}

base::Result<void> CheckImage(Resolver& r, const Chain& chain, const Composed& image,
                              const std::string& debian_arch) {
  BuildContext& ctx = r.ctx();
  if (!WantsCheck(chain, image.run)) return {};
  base::Result<analyze::RunCheck> check = CheckComposed(image, debian_arch);
  if (!check) return base::Fail(check.error().Context("checking the entrypoint"));
  if (check->ok()) return {};
  ShippingQuery query = QueryFor(*check);
  bool debian = chain.has_packages || chain.specs.back().auto_packages;
  if (!debian || (query.libraries.empty() && query.paths.empty()))
    return base::Fail(CheckError(chain, *check, nullptr));
  base::Result<Shipping> shipping =
      FindShippingPackages(r, chain.specs.back(), debian_arch, query);
  if (!shipping) {
    ctx.reporter().Warning(fmt::format("cannot name the packages that ship what is missing: {}",
                                       shipping.error().message()));
    return base::Fail(CheckError(chain, *check, nullptr));
  }
  return base::Fail(CheckError(chain, *check, &*shipping));
}

}  // namespace build
