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
#include "build/build.h"
#include "build/chain.h"
#include "fs/tree.h"
#include "oci/descriptor.h"
#include "oci/image.h"

namespace build {

struct Composed {
  std::vector<oci::Layer> layers;
  oci::RunConfig run;
  fs::Tree view;                      // every layer merged (metadata only), for checks
  std::vector<std::string> packages;  // "name version", in layer order
  uint64_t slimmed_bytes = 0;
};

base::Result<Composed> ComposeImage(BuildContext& ctx, const Chain& chain,
                                    const oci::Platform& platform);

}  // namespace build
