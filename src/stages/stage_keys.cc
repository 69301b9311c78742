// Stage identity and checks: the keys a stage's results are cached under
// (everything a result depends on, hashed) and the spec checks that every
// stage `base:` and `from:` names something that exists.
#include <algorithm>

#include "base/sha256.h"
#include "base/strings.h"
#include "stages/stage.h"

namespace build {

bool IsDebianBase(const std::string& base) { return base.empty() || base == "debian"; }

std::string StageRef(const std::string& spec_path, const std::string& name) {
  return spec_path + "\n" + name;
}

std::string StageKey(const StageKeyInputs& in) {
  nlohmann::json j = {
      {"format", kStageFormatVersion}, {"base", in.base_key}, {"files", in.files_digest},
      {"workdir", in.workdir},         {"user", in.user},     {"network", in.network}};
  j["env"] = nlohmann::json::array();
  for (const auto& [k, v] : in.env) j["env"].push_back({k, v});
  j["run"] = nlohmann::json::array();
  for (const RunSpec& r : in.run)
    j["run"].push_back(r.argv.empty() ? nlohmann::json{{"shell", r.shell}}
                                      : nlohmann::json{{"exec", r.argv}});
  return base::Sha256Hex("distill-stage\n" + j.dump());
}

std::string PackageRootKey(const std::string& arch, const std::vector<ResolvedPackage>& packages) {
  std::string text =
      fmt::format("distill-stage-root\nformat={}\narch={}\n", kStageFormatVersion, arch);
  for (const ResolvedPackage& p : packages)
    text += fmt::format("{} {} {}\n", p.name, p.version, p.sha256);
  return base::Sha256Hex(text);
}

base::Result<std::string> TreeDigest(const fs::Tree& tree) {
  std::string text;
  for (const auto& [path, n] : tree.entries()) {
    std::string content;
    if (n.type == fs::NodeType::kFile) {
      if (n.content.kind == fs::Content::Kind::kInline) {
        content = base::Sha256Hex(n.content.bytes ? *n.content.bytes : "");
      } else {
        base::Result<std::string> h = base::Sha256FileHex(n.content.path);
        if (!h) return base::Fail(h.error());
        content = *h;
      }
    }
    nlohmann::json line = {path,   static_cast<int>(n.type), n.mode, n.uid, n.gid, n.link, n.size,
                           content};
    text += line.dump() + "\n";
  }
  return base::Sha256Hex(text);
}

namespace {

// The error for a `from:` or `base:` naming no (earlier) stage.
base::Error NoStage(const Spec& spec, Mark mark, const std::string& name,
                    const std::vector<std::string>& known) {
  std::string what = fmt::format("no build stage named '{}'", name);
  std::string close = base::ClosestMatch(name, known);
  if (!close.empty()) what += fmt::format(" (did you mean '{}'?)", close);
  return SpecError(spec, mark, what);
}

}  // namespace

bool IsImageBase(const std::string& base) {
  if (base.starts_with("docker://") || base.find('/') != std::string::npos ||
      base.ends_with(".yaml") || base.ends_with(".yml"))
    return true;
  base::Result<BaseRef> ref = ParseBaseRef(base);
  if (!ref) return false;
  std::vector<std::string> names = RecipeNames();
  return std::find(names.begin(), names.end(), ref->name) != names.end();
}

base::Result<void> CheckStages(const Spec& spec) {
  std::vector<std::string> earlier;
  for (const StageSpec& st : spec.stages) {
    bool stage = std::find(earlier.begin(), earlier.end(), st.base) != earlier.end();
    if (!IsDebianBase(st.base) && st.base != "scratch" && !stage && !IsImageBase(st.base)) {
      std::vector<std::string> known = earlier;
      known.insert(known.end(), {"debian", "scratch"});
      for (const std::string& r : RecipeNames()) known.push_back(r);
      std::string what = fmt::format(
          "stage base '{}' is not 'debian', 'scratch', an earlier stage or an image (a built-in "
          "base, a spec file, docker://...)",
          st.base);
      std::string close = base::ClosestMatch(st.base, known);
      if (!close.empty()) what += fmt::format(" (did you mean '{}'?)", close);
      return base::Fail(SpecError(spec, st.base_mark, what));
    }
    if (!IsDebianBase(st.base) && !st.packages.empty())
      return base::Fail(SpecError(
          spec, st.base_mark,
          fmt::format("stage '{}' installs packages, which needs base 'debian' (list them in "
                      "the stage it is based on)",
                      st.name)));
    for (const FileSpec& f : st.files)
      if (!f.from.empty() && std::find(earlier.begin(), earlier.end(), f.from) == earlier.end())
        return base::Fail(NoStage(spec, f.mark, f.from, earlier));
    earlier.push_back(st.name);
  }
  for (const FileSpec& f : spec.files)
    if (!f.from.empty() && std::find(earlier.begin(), earlier.end(), f.from) == earlier.end())
      return base::Fail(NoStage(spec, f.mark, f.from, earlier));
  return {};
}

}  // namespace build
