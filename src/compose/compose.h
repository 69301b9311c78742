// Composing an image's layers for one platform from its chain of specs:
// Debian packages (one layer each, cached), the emulated effects of
// maintainer scripts (CA bundle, Java trust store, locale, links), the
// distroless skeleton, the debug variant's busybox, and `files:` entries —
// root of the chain first, so a child base's layers start with its parent's,
// byte for byte.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "resolve/plan.h"
#include "spec/chain.h"
#include "workspace/context.h"
#include "fs/tree.h"
#include "oci/descriptor.h"
#include "oci/image.h"

namespace build {

// Where `files: - from: STAGE` entries come from: the stages pass's
// results (stages/stage.h StageResults), handed to this pass behind this
// interface so that composing needs nothing of how stages run.
class StageFiles {
 public:
  virtual ~StageFiles() = default;
  // Adds the files of `entry` (its `from:` names a stage of `spec`) to
  // `layer`; `below` is the image so far (owner names, parent directories).
  virtual base::Result<void> AddFiles(const Spec& spec, const FileSpec& entry, fs::Tree& layer,
                                      const fs::Tree& below) const = 0;
};

struct Composed {
  std::vector<oci::Layer> layers;
  oci::RunConfig run;
  fs::Tree view;                      // every layer merged (metadata only), for checks
  std::vector<std::string> packages;  // "name version", in layer order
  uint64_t slimmed_bytes = 0;
};

// Composes `chain` for `platform` from the packages of `plan` (resolved and
// fetched by the resolve pass) and the results of `stages` (null when the
// chain has no `from:` entries). Writes layer blobs into ctx's staging
// directory, reusing cached layers.
base::Result<Composed> ComposeImage(BuildContext& ctx, const Chain& chain, const PackagePlan& plan,
                                    const StageFiles* stages, const oci::Platform& platform);

}  // namespace build
