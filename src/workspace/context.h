// What every pass of one build shares (pipeline/build.h runs them): the
// options, the reporter, the cache, the network clients and the private
// staging directory. Passes hand each other values; nothing here holds a
// pass's results.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "archive/compress.h"
#include "base/error.h"
#include "base/limits.h"
#include "base/reporter.h"
#include "cache/store.h"
#include "http/curl_client.h"
#include "http/progress.h"
#include "oci/image.h"
#include "oci/reference.h"
#include "registry/client.h"

namespace build {

class RegistryCache;  // workspace/registry_cache.h

// The default cache root: $XDG_CACHE_HOME/distill or ~/.cache/distill.
std::string DefaultCacheDir();

// The process that made `name`, a directory of the cache's tmp/ or a
// container id, when the name carries one: "build-PID-RAND",
// "stage-WHAT-PID-RAND", "distill-PID-RAND". 0 when it does not.
pid_t OwnerPid(std::string_view name);

// True when `name` (as OwnerPid reads it) belongs to a process that no
// longer exists: what a killed build left behind.
bool OwnerIsGone(std::string_view name);

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
  // Bounds on everything from outside (base/limits.h, docs/security.md).
  base::Limits limits;
};

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
    if (!curl_) {
      http::CurlOptions o;
      o.limits = options_.limits;  // connect-seconds, request-seconds
      curl_ = std::make_unique<http::CurlClient>(std::move(o));
    }
    return *curl_;
  }
  // Test seam: use `client` (not owned) instead of libcurl.
  void set_http(http::HttpClient* client) { http_override_ = client; }
  // The registry client for `base: docker://` and the registry build cache,
  // made on first use from options().registry and options().limits (through the set_http client
  // when there is one).
  registry::Client& registry_client() {
    if (!registry_) {
      registry::Options o = options_.registry;
      o.limits = options_.limits;
      registry_ = http_override_ ? std::make_unique<registry::Client>(o, *http_override_)
                                 : std::make_unique<registry::Client>(o);
    }
    return *registry_;
  }
  // The --cache-from/--cache-to state (workspace/registry_cache.h); null when the
  // build uses no registry cache.
  RegistryCache* registry_cache() const { return registry_cache_.get(); }
  void set_registry_cache(std::unique_ptr<RegistryCache> cache);
  // Where downloads report progress; null (the default) reports nothing.
  http::Progress* progress() const { return progress_; }
  void set_progress(http::Progress* progress) { progress_ = progress; }

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
};

}  // namespace build
