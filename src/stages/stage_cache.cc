// Stage results in the cache (stage_cache.h).
#include "stages/stage_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "base/file_util.h"
#include "cache/store.h"
#include "stages/stage_archive.h"
#include "stages/stage_rootfs.h"

namespace build {

base::Result<WorkDir> WorkDir::Create(BuildContext& ctx, const std::string& what) {
  std::string tmp = ctx.CacheRoot() + "/tmp";
  DISTILL_TRY(base::MakeDirs(tmp));
  std::random_device rd;
  std::string dir = fmt::format("{}/stage-{}-{}-{:08x}", tmp, what, getpid(), rd());
  if (mkdir(dir.c_str(), 0700) != 0) return base::Fail("creating '{}': {}", dir, base::ErrnoText());
  return WorkDir(dir);
}

WorkDir::~WorkDir() {
  if (!path_.empty()) (void)RemoveRoot(path_);
}

base::Result<void> WorkDir::CommitTo(const std::string& dest) {
  DISTILL_TRY(base::MakeDirs(base::DirName(dest)));
  if (rename(path_.c_str(), dest.c_str()) == 0) {
    path_.clear();
    return {};
  }
  if ((errno == ENOTEMPTY || errno == EEXIST) && base::IsDirectory(dest)) return {};
  return base::Fail("renaming '{}' to '{}': {}", path_, dest, base::ErrnoText());
}

void CleanStaleWorkDirs(const std::string& cache_root) {
  std::error_code ec;
  std::filesystem::directory_iterator it(cache_root + "/tmp", ec);
  if (ec) return;
  time_t cutoff = time(nullptr) - 24 * 3600;
  for (const std::filesystem::directory_entry& e : it) {
    std::string name = e.path().filename().string();
    struct stat st;
    if (!name.starts_with("stage-") || lstat(e.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      continue;
    // A killed build's (its process is gone), or a day old whoever made it.
    if (!OwnerIsGone(name) && st.st_mtime >= cutoff) continue;
    (void)RemoveRoot(e.path().string());
  }
}

// A run result's stage.json names the image root its chain starts from by
// the path on the machine that made it (<cache>/stages/image-KEY/rootfs);
// here it is this cache's image root of the same KEY, which Base() has
// made. Anything else there is refused: the path is compared against.
namespace {

base::Result<void> LocalizeImageRoot(BuildContext& ctx, const std::string& dir) {
  std::string path = dir + "/stage.json";
  base::Result<std::string> text = base::ReadFile(path);
  if (!text) return base::Fail(text.error());
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("image_root")) return {};
  std::string theirs = j["image_root"].is_string() ? j["image_root"].get<std::string>() : "";
  std::string name = base::DirName(theirs);
  name = name.substr(name.rfind('/') + 1);
  if (!theirs.ends_with("/rootfs") || !name.starts_with("image-") ||
      !cache::IsSha256Hex(name.substr(6)))
    return base::Fail("stage.json: invalid image_root '{}'", theirs);
  j["image_root"] = ctx.CacheRoot() + "/stages/" + name + "/rootfs";
  return base::WriteFileAtomic(path, j.dump(2) + "\n");
}

}  // namespace

bool FromRegistryCache(BuildContext& ctx, const std::string& stage, std::string_view kind,
                       const std::string& key, const std::string& dest) {
  RegistryCache* remote = ctx.registry_cache();
  if (!remote) return false;
  std::optional<CacheEntry> entry = remote->Fetch(ctx, kind, key);
  if (!entry) return false;
  base::Result<oci::Layer> blob = LayerFromCacheEntry(*entry);
  base::Result<WorkDir> work =
      blob ? WorkDir::Create(ctx, "pull") : base::Result<WorkDir>(base::Fail(blob.error()));
  base::Result<void> r = work ? UnpackStageArchive(entry->path, entry->blob.digest, work->path(),
                                                   key, blob->uncompressed_size)
                              : base::Result<void>(base::Fail(work.error()));
  if (r && kind == kCacheKindStageRun) r = LocalizeImageRoot(ctx, work->path());
  if (r) r = work->CommitTo(dest);
  if (!r) {
    ctx.reporter().Warning(fmt::format("registry cache: stage '{}': {}; building it instead", stage,
                                       r.error().message()));
    return false;
  }
  RememberStageBlob(ctx, *entry);
  remote->Record(std::move(*entry), CacheSource::kRegistry);
  ctx.reporter().Status(fmt::format("stage '{}': {}from the registry cache", stage,
                                    kind == kCacheKindStageRoot ? "packages " : ""));
  return true;
}

base::Result<void> RecordStage(BuildContext& ctx, std::string_view kind, const std::string& key,
                               const std::string& dir, CacheSource source) {
  RegistryCache* remote = ctx.registry_cache();
  if (!remote) return {};
  if (!remote->exporting()) {
    remote->Record(CacheEntry{std::string(kind), key, {}, {}, ""}, source);
    return {};
  }
  base::Result<CacheEntry> entry = StageCacheEntry(ctx, kind, key, dir);
  if (!entry) return base::Fail(entry.error().Context("--cache-to"));
  remote->Record(std::move(*entry), source);
  return {};
}

}  // namespace build
