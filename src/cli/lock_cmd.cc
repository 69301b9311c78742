// `distill lock`: the spec's packages, resolved for every platform and
// fetched into the cache (so that a later `build --offline` has them), then
// recorded in distill.lock beside the spec. The lock is written only after
// everything succeeded, atomically, so a failure leaves any old lock as it
// was. --json prints the chosen set on stdout instead of staying silent.
#include "cli/lock_cmd.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "pipeline/build.h"
#include "resolve/lock.h"
#include "cli/exit_codes.h"
#include "cli/reporter.h"
#include "http/progress_bar.h"
#include "oci/descriptor.h"

namespace cli {

void AddLockFlags(CLI::App& cmd, LockFlags& f) {
  cmd.add_option("-f,--file", f.file, "spec file (default: ./distill.yaml)");
  cmd.add_option("--platform", f.platforms, "os/arch[/variant], comma-separated")->delimiter(',');
  cmd.add_option("--cache", f.cache, "cache directory (default: ~/.cache/distill)");
  cmd.add_option("--progress", f.progress, "progress on stderr")
      ->check(CLI::IsMember({"auto", "plain", "none"}));
  cmd.add_option("-d", f.debug, "debug mode: explain (why each package is in)")
      ->check(CLI::IsMember({"explain"}));
  cmd.add_flag("--json", f.json, "print the chosen packages as JSON on stdout");
  cmd.add_flag("--offline", f.offline, "use the cache only");
  cmd.add_flag("--dry-run", f.dry_run,
               "resolve only (with --json: print the set); download and write nothing");
}

void PrintExplain(const std::vector<build::PlatformPackages>& platforms) {
  for (const build::PlatformPackages& p : platforms)
    for (const std::string& line : build::ExplainLines(*p.set))
      fmt::print(stderr, "distill: explain: {}{}\n", platforms.size() > 1 ? p.platform + ": " : "",
                 line);
}

namespace {

std::string SetJson(const std::string& lock_path,
                    const std::vector<build::PlatformPackages>& platforms) {
  nlohmann::json out = nlohmann::json::object();
  for (const build::PlatformPackages& p : platforms) {
    nlohmann::json packages = nlohmann::json::array();
    for (const build::ResolvedPackage& r : p.set->packages)
      packages.push_back({{"name", r.name},
                          {"version", r.version},
                          {"architecture", r.architecture},
                          {"suite", r.suite},
                          {"filename", r.filename},
                          {"sha256", r.sha256},
                          {"size", r.size},
                          {"why", r.why},
                          {"path", r.deb_path}});
    out[p.platform] = {{"architecture", p.set->architecture},
                       {"packages", packages},
                       {"problems", p.set->problems}};
  }
  return nlohmann::json{{"lockfile", lock_path}, {"platforms", out}}.dump(2);
}

}  // namespace

int RunLock(const LockFlags& f) {
  std::string file = f.file.empty() ? "distill.yaml" : f.file;
  base::Result<build::Spec> spec = build::LoadSpec(file);
  if (!spec) {
    PrintError(spec.error().message(), spec.error().detail());
    return kExitFailure;
  }
  ProgressMode mode = ParseProgressMode(f.progress);
  StderrReporter reporter(mode);
  build::BuildOptions opts;
  opts.platforms = f.platforms;
  opts.cache_dir = f.cache;
  opts.offline = f.offline;
  opts.explain = !f.debug.empty();
  opts.threads = std::max(1u, std::thread::hardware_concurrency());
  build::BuildContext ctx(opts, reporter);
  std::optional<http::ProgressBar> bar;
  if (mode == ProgressMode::kAuto && isatty(STDERR_FILENO)) ctx.set_progress(&bar.emplace(stderr));
  auto platforms = build::LockPackages(ctx, *spec, f.dry_run);
  if (!platforms) {
    PrintError(platforms.error().Context("locking '{}'", file).message());
    return kExitFailure;
  }
  if (opts.explain) PrintExplain(*platforms);
  std::string path = build::LockPath(spec->path);
  if (f.dry_run) {
    if (f.json) fmt::print("{}\n", SetJson(path, *platforms));
    return kExitOk;
  }
  build::LockFile lock;
  for (const build::PlatformPackages& p : *platforms)
    lock.platforms.push_back(build::LockEntry(p.platform, *p.set));
  std::sort(lock.platforms.begin(), lock.platforms.end(),
            [](const auto& a, const auto& b) { return a.platform < b.platform; });
  if (base::Result<void> w = build::WriteLock(path, lock); !w) {
    PrintError(w.error().Context("writing '{}'", path).message());
    return kExitFailure;
  }
  reporter.Status(fmt::format("wrote '{}'", path));
  if (f.json) fmt::print("{}\n", SetJson(path, *platforms));
  return kExitOk;
}

}  // namespace cli
