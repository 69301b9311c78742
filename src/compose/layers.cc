// Layer planning and the merged view. The view holds every entry of the
// layers written so far, content references included (they are cheap), so
// later passes can read /etc/passwd for owner names and check that an
// entrypoint's libraries are present.
#include "compose/layers.h"

#include <map>

#include "base/sha256.h"

namespace build {

std::vector<LayerPlan> PlanFileLayers(const Spec& spec) {
  std::vector<LayerPlan> plans;
  std::map<std::string, size_t> by_name;
  for (const FileSpec& f : spec.files) {
    if (!f.layer.empty()) {
      auto it = by_name.find(f.layer);
      if (it != by_name.end()) {
        plans[it->second].entries.push_back(&f);
        continue;
      }
      by_name[f.layer] = plans.size();
    }
    plans.push_back({f.layer, {&f}});
  }
  return plans;
}

std::string FilesCreatedBy(const LayerPlan& plan) {
  if (plan.entries.size() == 1)
    return fmt::format("distill files {} -> {}", plan.entries[0]->src, plan.entries[0]->dst);
  return fmt::format("distill files (layer '{}', {} entries)", plan.name, plan.entries.size());
}

void InheritParentsFrom(fs::Tree& layer, const fs::Tree& below) {
  for (const auto& [path, node] : layer.entries()) {
    if (!node.implicit || path.empty()) continue;
    const fs::Node* old = below.Find(path);
    if (!old || old->type != fs::NodeType::kDir) continue;
    fs::Node* n = layer.FindMutable(path);
    n->mode = old->mode;
    n->uid = old->uid;
    n->gid = old->gid;
    n->mtime = old->mtime;
  }
}

std::string ParentsDigest(const fs::Tree& layer) {
  base::Sha256 h;
  for (const auto& [path, node] : layer.entries())
    if (node.implicit)
      h.Update(fmt::format("{} {:o} {} {} {}\n", path, node.mode, node.uid, node.gid, node.mtime));
  return h.FinishHex();
}

Whiteout ParseWhiteout(const std::string& path) {
  std::string dir = fs::ParentPath(path);
  std::string leaf = dir.empty() ? path : path.substr(dir.size() + 1);
  Whiteout w;
  if (leaf == kOpaqueWhiteout) {
    w.kind = Whiteout::Kind::kOpaque;
    w.target = dir;
  } else if (leaf.starts_with(kWhiteoutPrefix)) {
    w.kind = Whiteout::Kind::kRemove;
    w.name = leaf.substr(sizeof(kWhiteoutPrefix) - 1);
    w.target = dir.empty() ? w.name : dir + "/" + w.name;
  }
  return w;
}

std::string WhiteoutPath(const std::string& path) {
  std::string dir = fs::ParentPath(path);
  std::string leaf = dir.empty() ? path : path.substr(dir.size() + 1);
  return (dir.empty() ? "" : dir + "/") + kWhiteoutPrefix + leaf;
}

void ApplyWhiteout(fs::Tree& view, const Whiteout& w) {
  if (w.kind == Whiteout::Kind::kRemove) {
    view.Remove(w.target);
  } else if (w.kind == Whiteout::Kind::kOpaque) {
    std::vector<std::string> below;
    std::string prefix = w.target.empty() ? "" : w.target + "/";
    for (auto it = view.entries().lower_bound(prefix);
         it != view.entries().end() && it->first.starts_with(prefix); ++it)
      if (!it->first.empty() && it->first != w.target) below.push_back(it->first);
    for (const std::string& p : below) view.Remove(p);
  }
}

base::Result<void> MergeTreeInto(fs::Tree& view, const fs::Tree& layer) {
  for (const auto& [path, node] : layer.entries()) ApplyWhiteout(view, ParseWhiteout(path));
  for (const auto& [path, node] : layer.entries()) {
    if (path.empty() || ParseWhiteout(path).kind != Whiteout::Kind::kNone) continue;
    DISTILL_TRY(view.Add(path, node));
  }
  return {};
}

base::Result<archive::Compression> ChooseCompression(const BuildContext& ctx, const Spec& spec) {
  std::string c = !ctx.options().compression.empty() ? ctx.options().compression
                  : !spec.compression.empty()        ? spec.compression
                                                     : "gzip";
  if (c == "gzip") return archive::Compression::kGzip;
  if (c == "zstd") return archive::Compression::kZstd;
  return base::Fail("unknown compression '{}' (expected gzip or zstd)", c);
}

}  // namespace build
