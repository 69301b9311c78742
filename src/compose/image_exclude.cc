// The spec's `exclude:` applied to layer trees. The patterns of the whole
// chain make one gitignore rule list (root spec first, so a later pattern,
// a `!` one included, decides as in a .gitignore), matched against tree
// paths without their leading '/'. Each pattern remembers whether it decided
// anything: every layer tree of the image passes through Excludes, cached
// layers too (their trees are built before the cache is asked), so a pattern
// that never decided matches nothing in the image.
#include "compose/image_exclude.h"

#include <nlohmann/json.hpp>

#include "debian/slim.h"

namespace build {

namespace {

constexpr std::string_view kStatusD = "var/lib/dpkg/status.d";

// The package records and the directories that lead to them.
bool IsPackageRecord(std::string_view path) {
  if (path.starts_with(kStatusD))
    return path.size() == kStatusD.size() || path[kStatusD.size()] == '/';
  return kStatusD.starts_with(path) && kStatusD[path.size()] == '/';
}

}  // namespace

ImageExclude::ImageExclude(const Chain& chain) {
  std::vector<std::string> texts;
  for (const Spec& spec : chain.specs)
    for (const ExcludeSpec& e : spec.exclude) {
      patterns_.push_back({&spec, e});
      texts.push_back(e.pattern);
    }
  rules_ = IgnoreRules::FromList(texts);
  matched_.assign(patterns_.size(), false);
}

std::string ImageExclude::Key() const {
  if (patterns_.empty()) return "";
  nlohmann::json list = nlohmann::json::array();
  for (const Pattern& p : patterns_) list.push_back(p.entry.pattern);
  return "\nexclude=" + list.dump();
}

bool ImageExclude::Excludes(std::string_view path, fs::NodeType type) {
  if (IsPackageRecord(path)) return false;
  std::optional<IgnoreRules::Match> m =
      rules_.LastMatch(std::string(path), type == fs::NodeType::kDir);
  if (!m) return false;
  matched_[m->line - 1] = true;
  return !m->negate;
}

void ImageExclude::Prune(fs::Tree& tree) {
  if (patterns_.empty()) return;
  debian::DropEntries(
      tree, [this](std::string_view path, fs::NodeType type) { return Excludes(path, type); });
}

base::Result<void> ImageExclude::CheckBase(const fs::Tree& view, const std::string& base) const {
  if (patterns_.empty()) return {};
  // In path order a directory comes before what it holds: the first match
  // is the topmost path the pattern would remove.
  for (const auto& [path, node] : view.entries()) {
    if (IsPackageRecord(path)) continue;
    std::optional<IgnoreRules::Match> m = rules_.LastMatch(path, node.type == fs::NodeType::kDir);
    if (!m || m->negate) continue;
    const Pattern& p = patterns_[m->line - 1];
    return base::Fail(SpecError(*p.spec, p.entry.mark,
                                fmt::format("exclude '{}' matches '/{}' of the registry base "
                                            "'{}', whose layers distill does not rewrite",
                                            p.entry.pattern, path, base)));
  }
  return {};
}

base::Result<void> ImageExclude::CheckMatched() const {
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (matched_[i]) continue;
    const Pattern& p = patterns_[i];
    return base::Fail(
        SpecError(*p.spec, p.entry.mark,
                  fmt::format("exclude '{}' matches nothing in the image", p.entry.pattern)));
  }
  return {};
}

}  // namespace build
