// The build pipeline (DESIGN.md "Architecture"): spec → plan → compose →
// layer → image → output. Build() runs the passes in order; each is a named
// function with a one-line why, as in mold's main.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive/compress.h"
#include "base/error.h"
#include "base/reporter.h"
#include "build/spec.h"
#include "oci/image.h"
#include "oci/reference.h"

namespace build {

struct BuildOptions {
  std::string context_dir;             // default: the spec's directory
  std::vector<std::string> platforms;  // overrides the spec's; default: the host's
  std::string compression;             // overrides the spec's; "" keeps it
  std::string cache_dir;               // default: ~/.cache/distill
  // Clamp for every mtime and the `created` times (SOURCE_DATE_EPOCH, 0 unset).
  int64_t source_date_epoch = 0;
  int threads = 1;
};

// Everything one build touches: options, the reporter, and the private
// staging directory that holds this build's blobs until they are written.
class BuildContext {
 public:
  BuildContext(BuildOptions options, base::Reporter& reporter)
      : options_(std::move(options)), reporter_(reporter) {}
  ~BuildContext();
  BuildContext(const BuildContext&) = delete;
  BuildContext& operator=(const BuildContext&) = delete;

  const BuildOptions& options() const { return options_; }
  base::Reporter& reporter() { return reporter_; }
  // Creates the staging directory on first use (under the cache's tmp/).
  base::Result<std::string> StagingDir();

 private:
  BuildOptions options_;
  base::Reporter& reporter_;
  std::string staging_;
};

// Builds the image `spec` describes. The returned bundle's layer blobs live
// in the context's staging directory until the context is destroyed.
base::Result<oci::Bundle> Build(BuildContext& ctx, const Spec& spec);

// The default cache root: $XDG_CACHE_HOME/distill or ~/.cache/distill.
std::string DefaultCacheDir();

}  // namespace build
