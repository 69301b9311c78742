// BuildContext: the shared resources of one build, made on first use.
#include "workspace/context.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <random>

#include "base/file_util.h"
#include "base/strings.h"
#include "workspace/registry_cache.h"

namespace build {

std::string DefaultCacheDir() {
  // The store's own rule; with neither XDG_CACHE_HOME nor HOME set, a
  // fixed directory rather than a failed build.
  base::Result<std::string> root = cache::DefaultRoot();
  return root ? *root : "/tmp/distill-cache";
}

pid_t OwnerPid(std::string_view name) {
  size_t last = name.rfind('-');
  if (last == std::string_view::npos || last == 0) return 0;
  size_t before = name.rfind('-', last - 1);
  if (before == std::string_view::npos) return 0;
  std::string_view digits = name.substr(before + 1, last - before - 1);
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc() || end != digits.data() + digits.size() || pid <= 1) return 0;
  return pid;
}

bool OwnerIsGone(std::string_view name) {
  pid_t pid = OwnerPid(name);
  return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
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
  // Staging directories of builds that were killed (their process is gone).
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(tmp, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with("build-") && OwnerIsGone(name)) std::filesystem::remove_all(e.path(), ec);
  }
  std::random_device rd;
  std::string dir = fmt::format("{}/build-{}-{:08x}", tmp, getpid(), rd());
  DISTILL_TRY(base::MakeDirs(dir));
  staging_ = dir;
  return staging_;
}

}  // namespace build
