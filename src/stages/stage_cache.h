// The stages pass's directories and results in the cache: a work directory
// that appears in the cache whole or not at all, the clean-up of those a
// killed build left, and the registry build cache's part (taking a result
// from a --cache-from image, recording one for --cache-to). Internal to
// stages/.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "workspace/context.h"
#include "workspace/registry_cache.h"

namespace build {

// A directory under <cache>/tmp/ that is removed when this goes out of
// scope, unless committed (renamed into the cache).
class WorkDir {
 public:
  static base::Result<WorkDir> Create(BuildContext& ctx, const std::string& what);
  WorkDir(WorkDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  WorkDir& operator=(WorkDir&&) = delete;
  ~WorkDir();
  const std::string& path() const { return path_; }
  // Moves the directory to `dest` (in the cache). Another build may have
  // put the same result there first: theirs is as good as ours.
  base::Result<void> CommitTo(const std::string& dest);

 private:
  explicit WorkDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

// Removes stage directories in <cache>/tmp/ that a killed build left
// behind: those whose build process is gone, and any older than a day (no
// stage runs that long; a reused process id cannot keep one longer).
void CleanStaleWorkDirs(const std::string& cache_root);

// Takes the result (kind, key) from a --cache-from image into `dest` and
// says so. False when no image lists it, or its blob is refused (a warning:
// the caller builds the result instead).
bool FromRegistryCache(BuildContext& ctx, const std::string& stage, std::string_view kind,
                       const std::string& key, const std::string& dest);

// Notes that the build used the result (kind, key) at `dir`, so --cache-to
// exports it (archived once: stage_archive.h's StageCacheEntry).
base::Result<void> RecordStage(BuildContext& ctx, std::string_view kind, const std::string& key,
                               const std::string& dir, CacheSource source);

}  // namespace build
