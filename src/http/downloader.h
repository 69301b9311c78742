// Download: fetch many files in parallel into the content-addressed cache,
// each verified against its expected SHA-256 and size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "cache/store.h"
#include "http/http_client.h"
#include "http/progress.h"
#include "http/retry.h"

namespace http {

struct DownloadItem {
  std::string url;
  std::string sha256;            // 64 lowercase hex: the cache key
  std::optional<uint64_t> size;  // checked when known
  std::string name;              // for messages: "libc6_2.36-9_amd64.deb"
};

struct DownloadOptions {
  int parallel = 4;  // transfers at once
  RetryOptions retry;
  Progress* progress = nullptr;  // null: report nothing
};

// Makes every item's blob present in `store`: items already cached are
// skipped, the others fetched through `client` (which must be thread-safe),
// retried per `options.retry`, and committed only once verified. Every item
// is attempted; errors name the item, e.g.
//   'libc6_2.36-9_amd64.deb': sha256 mismatch (expected <hex>, got <hex>)
//   'libc6_2.36-9_amd64.deb': '<url>': http status 404
// and several failures come back as the first (in item order) followed by
// " (and N more failed downloads)".
base::Result<void> Download(HttpClient& client, const cache::Store& store,
                            const std::vector<DownloadItem>& items,
                            const DownloadOptions& options = {});

}  // namespace http
