// A build-stage result as one blob, and back: how the registry build cache
// (workspace/registry_cache.h) carries a stage's configured package root
// (<cache>/stages/root-KEY/) and a stage's run result (<cache>/stages/run-KEY/)
// between machines. Each is a directory holding `rootfs/` and `stage.json`;
// its blob is a deterministic tar of that directory (entries sorted, numeric
// owners, modes with setuid/setgid/sticky, symlinks, hardlinks, device nodes
// and FIFOs, extended attributes, mtimes kept in whole seconds), gzip
// compressed: an OCI layer blob (application/vnd.oci.image.layer.v1.tar+gzip),
// so any registry stores it. docs/registry.md, "The cache image", has the
// format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "workspace/context.h"
#include "workspace/registry_cache.h"
#include "fs/tree.h"
#include "oci/image.h"

namespace build {

// The directory `dir` as a tree with its own metadata: owners, modes, mtimes
// (whole seconds), symlink targets, device numbers and extended attributes
// as lstat(2) and llistxattr(2) give them; regular files are referenced on
// disk, and files sharing an inode become hardlinks to the first path found.
// Sockets are left out (a tar cannot hold them). Errors name the path.
base::Result<fs::Tree> ReadDirTree(const std::string& dir);

// Writes the directory `dir` as a stage blob into `blob_dir` (as
// <blob_dir>/<hex digest>, nothing left there on failure). The same
// directory contents always give the same bytes. `threads` compress.
base::Result<oci::Layer> WriteStageArchive(const std::string& dir, const std::string& blob_dir,
                                           int threads);

// Unpacks the stage blob at `blob` (named `name` in errors) into the
// existing empty directory `dir`. Every entry goes through RootDir::Put, so
// paths resolve inside `dir`: an absolute path, a ".." component or a
// hardlink leaving the archive is refused (TarReader), and a symlink the
// blob plants leads later entries only to places inside `dir`. Refused too:
// more than `max_bytes` of file content (the size the cache entry declared),
// and a result that lacks rootfs/ or whose stage.json does not carry `key`
// (a blob filed under another key). On error `dir` holds a partial result:
// the caller removes it.
base::Result<void> UnpackStageArchive(const std::string& blob, const std::string& name,
                                      const std::string& dir, const std::string& key,
                                      uint64_t max_bytes);

// The cache entry (kind kCacheKindStageRoot or kCacheKindStageRun, `key`)
// of the stage result directory `dir`, its blob in the local content
// store: the one an earlier export or a --cache-from pull left there for
// this key (store entry "stage-blobs"), else `dir` archived into the store
// now. So a root is archived at most once, however many builds export it.
base::Result<CacheEntry> StageCacheEntry(BuildContext& ctx, std::string_view kind,
                                         const std::string& key, const std::string& dir);

// Notes in the store that (kind, key)'s blob is `entry`'s, whose blob the
// store holds, so StageCacheEntry reuses it. Best effort: the mapping only
// saves time.
void RememberStageBlob(BuildContext& ctx, const CacheEntry& entry);

}  // namespace build
