// The build pipeline (DESIGN.md "Architecture"): spec → plan → compose →
// layer → image → output. Build() runs the passes in order; each is a named
// function with a one-line why, as in mold's main.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "archive/compress.h"
#include "base/error.h"
#include "base/reporter.h"
#include "build/recipes.h"
#include "build/spec.h"
#include "cache/store.h"
#include "http/curl_client.h"
#include "http/progress.h"
#include "oci/image.h"
#include "oci/reference.h"
#include "registry/client.h"

namespace build {

struct IndexSet;      // build/packages.cc
class RegistryCache;  // build/registry_cache.h

// The default cache root: $XDG_CACHE_HOME/distill or ~/.cache/distill.
std::string DefaultCacheDir();

struct BuildOptions {
  std::string context_dir;             // default: the spec's directory
  std::vector<std::string> platforms;  // overrides the spec's; default: the host's
  std::string compression;             // overrides the spec's; "" keeps it
  std::string cache_dir;               // default: ~/.cache/distill
  // Clamp for every mtime and the `created` times (SOURCE_DATE_EPOCH, 0 unset).
  int64_t source_date_epoch = 0;
  int threads = 1;
  bool locked = false;   // --locked: exactly the packages of distill.lock, or fail
  bool offline = false;  // --offline: no network; indexes and .debs from the cache only
  bool explain = false;  // -d explain: the caller shows why each package is in
  // Registry bases (`base: docker://...`) and the registry build cache:
  // TLS verification, CA bundle, parallel blob transfers, status lines.
  registry::Options registry;
};

struct PackageSet;  // build/packages.h

// Everything one build touches: options, the reporter, and the private
// staging directory that holds this build's blobs until they are written.
class BuildContext {
 public:
  // Out of line: members hold types only build.cc sees whole.
  BuildContext(BuildOptions options, base::Reporter& reporter);
  ~BuildContext();
  BuildContext(const BuildContext&) = delete;
  BuildContext& operator=(const BuildContext&) = delete;

  const BuildOptions& options() const { return options_; }
  base::Reporter& reporter() { return reporter_; }
  // Creates the staging directory on first use (under the cache's tmp/).
  base::Result<std::string> StagingDir();

  // The cache root: options().cache_dir, else DefaultCacheDir().
  std::string CacheRoot() const {
    return options_.cache_dir.empty() ? DefaultCacheDir() : options_.cache_dir;
  }
  // The content-addressed cache at CacheRoot(), opened on first use.
  base::Result<const cache::Store*> store() {
    if (!store_) {
      base::Result<cache::Store> s = cache::Store::Open(CacheRoot());
      if (!s) return base::Fail(s.error());
      store_ = std::make_unique<cache::Store>(std::move(*s));
    }
    return store_.get();
  }
  // The network: a thread-safe libcurl client made on first use (never in
  // offline mode: callers check options().offline first), or the client
  // given to set_http. Retries are the caller's (http/retry.h).
  http::HttpClient& http() {
    if (http_override_) return *http_override_;
    if (!curl_) curl_ = std::make_unique<http::CurlClient>();
    return *curl_;
  }
  // Test seam: use `client` (not owned) instead of libcurl.
  void set_http(http::HttpClient* client) { http_override_ = client; }
  // The registry client for `base: docker://` and the registry build cache,
  // made on first use from options().registry (through the set_http client
  // when there is one).
  registry::Client& registry_client() {
    if (!registry_) {
      registry_ = http_override_
                      ? std::make_unique<registry::Client>(options_.registry, *http_override_)
                      : std::make_unique<registry::Client>(options_.registry);
    }
    return *registry_;
  }
  // The --cache-from/--cache-to state (build/registry_cache.h); null when the
  // build uses no registry cache.
  RegistryCache* registry_cache() const { return registry_cache_.get(); }
  void set_registry_cache(std::unique_ptr<RegistryCache> cache);
  // Where downloads report progress; null (the default) reports nothing.
  http::Progress* progress() const { return progress_; }
  void set_progress(http::Progress* progress) { progress_ = progress; }
  // Package sets already resolved and fetched in this build, keyed by
  // Debian architecture and request list (build/packages.h memoizes here).
  std::map<std::string, std::shared_ptr<const PackageSet>>& resolved() { return resolved_; }
  // Verified, parsed Packages indexes, keyed by sources and architecture, so
  // the passes of one build fetch and parse each index once.
  std::map<std::string, std::shared_ptr<IndexSet>>& indexes() { return indexes_; }
  // What `packages: auto` added, per Debian architecture (build/check.h
  // memoizes here, so the lock and the build agree and compose it once).
  std::map<std::string, std::vector<std::string>>& auto_packages() { return auto_packages_; }
  // The result root directory of each build stage run (or taken from the
  // cache) in this build, by StageRef (build/stage.h).
  std::map<std::string, std::string>& stage_roots() { return stage_roots_; }

 private:
  BuildOptions options_;
  base::Reporter& reporter_;
  std::string staging_;
  std::unique_ptr<cache::Store> store_;
  std::unique_ptr<http::CurlClient> curl_;
  http::HttpClient* http_override_ = nullptr;
  std::unique_ptr<registry::Client> registry_;
  std::unique_ptr<RegistryCache> registry_cache_;
  http::Progress* progress_ = nullptr;
  std::map<std::string, std::shared_ptr<const PackageSet>> resolved_;
  std::map<std::string, std::shared_ptr<IndexSet>> indexes_;
  std::map<std::string, std::vector<std::string>> auto_packages_;
  std::map<std::string, std::string> stage_roots_;
};

// Builds the image `spec` describes. The returned bundle's layer blobs live
// in the context's staging directory until the context is destroyed.
// `variant` applies when `spec` is a built-in base (`distill base NAME:VARIANT`).
base::Result<oci::Bundle> Build(BuildContext& ctx, const Spec& spec,
                                Variant variant = Variant::kLatest);

}  // namespace build
