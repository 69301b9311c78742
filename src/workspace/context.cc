// BuildContext: the shared resources of one build, made on first use.
#include "workspace/context.h"

#include <unistd.h>

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

}  // namespace build
