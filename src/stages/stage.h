// Build stages (`stages:` in the spec, DESIGN.md; docs/stages.md): a root
// filesystem made from the Debian Essential set plus the stage's packages,
// installed by the root's own dpkg with maintainer scripts run; the stage's
// `files:` copied in; its `run:` commands executed in an OCI runtime. A
// stage whose inputs are unchanged is not run again: its result comes from
// the cache. Results feed `files: - from: STAGE` of later stages and of the
// image.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "compose/compose.h"
#include "workspace/context.h"
#include "spec/chain.h"
#include "resolve/packages.h"
#include "spec/spec.h"
#include "fs/tree.h"

namespace build {

// Bumped whenever a stage's result could differ for the same inputs
// (install procedure, runtime configuration): old cache entries are then
// never used.
inline constexpr int kStageFormatVersion = 1;

// The key of StageResults for stage `name` of the spec at `spec_path`.
std::string StageRef(const std::string& spec_path, const std::string& name);

// True when a stage's `base:` is a Debian root ("" or "debian").
bool IsDebianBase(const std::string& base);

// True when a stage's `base:` names an image rather than a stage: a
// registry image (docker://...), a spec file (a path, or *.yaml / *.yml) or
// a built-in base NAME[:VARIANT]. An earlier stage of the same name wins.
bool IsImageBase(const std::string& base);

// check: each stage's `base:` is "", "debian", "scratch", an earlier
// stage or an image (IsImageBase); each `from:` (in stages and in the image's files) names a stage
// (an earlier one, within stages). Errors are spec errors at the value,
// with "did you mean" for a near miss:
//   s.yaml:9:11: no build stage named 'biuld' (did you mean 'build'?)
base::Result<void> CheckStages(const Spec& spec);

// The stages pass's result: each stage's result root on the host, by
// StageRef, as `files: - from:` entries of later stages and of the image
// read them (the compose pass through StageFiles).
class StageResults : public StageFiles {
 public:
  void Add(const std::string& ref, std::string root) { roots_[ref] = std::move(root); }
  // The result root of stage `ref`, or null.
  const std::string* Find(const std::string& ref) const;
  base::Result<void> AddFiles(const Spec& spec, const FileSpec& entry, fs::Tree& layer,
                              const fs::Tree& below) const override;

 private:
  std::map<std::string, std::string> roots_;
};

// stages: runs, or takes from the cache, every stage of every spec of
// `chain`, in order, on the host's architecture (packages through
// `resolver`), and returns each result's root directory. Reports "stage 'NAME': cached" or the
// commands' output (prefixed "[NAME 1/2] ") through ctx.reporter(). Errors:
//   stage 'build': command 'make' (distill.yaml:12) exited with status 2
// with the output's last lines as detail; no OCI runtime; not root.
base::Result<StageResults> RunStages(BuildContext& ctx, Resolver& resolver, const Chain& chain);

// What a stage's result depends on; StageKey hashes it with
// kStageFormatVersion. `base_key` is the key of the root the stage starts
// from (a Debian package root's PackageRootKey, or an earlier stage's key).
struct StageKeyInputs {
  std::string base_key;
  std::string files_digest;  // TreeDigest of the stage's files
  std::string workdir;
  std::vector<std::pair<std::string, std::string>> env;
  std::string user;
  std::vector<RunSpec> run;
  bool network = false;
};
std::string StageKey(const StageKeyInputs& in);

// The key of a Debian root holding exactly `packages` (name, version and
// .deb sha256 each) for `arch`.
std::string PackageRootKey(const std::string& arch, const std::vector<ResolvedPackage>& packages);

// A digest of everything in `tree` that ends up in a root: paths, types,
// owners, modes, link targets and file contents (not times, so a fresh
// checkout of the same sources hits the cache).
base::Result<std::string> TreeDigest(const fs::Tree& tree);

// A `files:` entry with `from: STAGE`: the stage's result root to copy from
// and the entry with `src` rewritten relative to it, symlinks resolved
// inside the root (so they can never reach the host's files). Errors:
//   s.yaml:12:10: '/src/app' not found in stage 'build'
struct StageSource {
  std::string dir;
  FileSpec entry;
  // For the whole root (`src: /`, `dst: /`) of a stage that starts from an
  // image: that image unpacked, so the caller can keep only the changes
  // (DropUnchanged). "" otherwise.
  std::string image_root;
  // The whole root with no owner or mode given: it is copied as the
  // filesystem it is (stage_archive.h ReadDirTree), owners and modes kept.
  bool whole_root = false;
};
base::Result<StageSource> StageFileSource(const StageResults& results, const Spec& spec,
                                          const FileSpec& entry);

// Removes from `tree` (read from `stage_root`) every entry identical to
// the same path in `image_root` (type, mode, owner, symlink target, bytes),
// and directories left with nothing below them that are identical too: a
// RUN on an image base then adds a layer of its changes only. Paths of
// `image_root` that the stage root lacks go to `removed` ("/etc/motd"; a
// removed directory alone, not what was under it). Returns how many
// entries were dropped.
base::Result<size_t> DropUnchanged(fs::Tree& tree, const std::string& image_root,
                                   const std::string& stage_root,
                                   std::vector<std::string>* removed);

}  // namespace build
