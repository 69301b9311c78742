// Shared layer helpers: how `files:` entries group into layers, how a new
// layer's implicit parent directories take their lower layers' attributes,
// and the merged view of everything below.
#pragma once

#include <string>
#include <vector>

#include "archive/compress.h"
#include "base/error.h"
#include "workspace/context.h"
#include "spec/spec.h"
#include "fs/tree.h"

namespace build {

struct LayerPlan {
  std::string name;
  std::vector<const FileSpec*> entries;
};

// Entries sharing a `layer:` name go together; every other entry is its own
// layer, so changing one file rebuilds and re-uploads only its layer.
std::vector<LayerPlan> PlanFileLayers(const Spec& spec);
std::string FilesCreatedBy(const LayerPlan& plan);

// Parents that `layer` creates implicitly take the attributes `below` gives
// them, so adding /home/nonroot/app never resets /home/nonroot's owner and
// mode when the layer is applied.
void InheritParentsFrom(fs::Tree& layer, const fs::Tree& below);
// A digest of `layer`'s implicit directories' attributes: they change the
// layer's bytes, so layer cache keys include them.
std::string ParentsDigest(const fs::Tree& layer);
// Whiteouts (OCI image-spec, layer.md "Whiteouts"): an empty `.wh.NAME`
// hides NAME of the layers below; `.wh..wh..opq` hides everything below its
// directory.
inline constexpr char kWhiteoutPrefix[] = ".wh.";
inline constexpr char kOpaqueWhiteout[] = ".wh..wh..opq";

// What the layer entry at a tree path says as a whiteout.
struct Whiteout {
  enum class Kind { kNone, kRemove, kOpaque };
  Kind kind = Kind::kNone;
  std::string name;    // kRemove: the name hidden ("a/.wh.b" → "b"; may be invalid: "", "..")
  std::string target;  // kRemove: the path hidden ("a/b"); kOpaque: the directory emptied
};
Whiteout ParseWhiteout(const std::string& path);
// The whiteout entry that hides `path` ("a/b" → "a/.wh.b").
std::string WhiteoutPath(const std::string& path);
// Removes what `w` hides from `view` (nothing for kNone).
void ApplyWhiteout(fs::Tree& view, const Whiteout& w);

// Applies `layer` to the merged `view` as a container engine applies it:
// its whiteouts first (they remove what the view had), then its entries
// (later ones replace earlier ones). Whiteouts themselves are not kept.
base::Result<void> MergeTreeInto(fs::Tree& view, const fs::Tree& layer);

// gzip unless --compression or the spec's `compression:` says zstd.
base::Result<archive::Compression> ChooseCompression(const BuildContext& ctx, const Spec& spec);

}  // namespace build
