// Built-in base lookup and variant names. The variants follow the distroless
// tags: nonroot runs as 65532 in /home/nonroot; debug adds busybox at
// /busybox with /busybox/sh (and no /bin/sh).
#include "spec/recipes.h"

#include "base/strings.h"

namespace build {

namespace {
constexpr const char* kVariantNames[] = {"latest", "nonroot", "debug", "debug-nonroot"};
}

std::string VariantName(Variant v) { return kVariantNames[static_cast<int>(v)]; }

std::vector<std::string> RecipeNames() {
  std::vector<std::string> names;
  for (const EmbeddedRecipe& r : EmbeddedRecipes()) names.push_back(r.name);
  return names;
}

bool IsBuiltinBase(const std::string& name) {
  for (const EmbeddedRecipe& r : EmbeddedRecipes())
    if (name == r.name) return true;
  return false;
}

base::Result<BaseRef> ParseBaseRef(const std::string& text) {
  size_t colon = text.find(':');
  BaseRef ref;
  ref.name = text.substr(0, colon);
  if (!IsBuiltinBase(ref.name)) {
    std::string close = base::ClosestMatch(ref.name, RecipeNames());
    return base::Fail("unknown base '{}'{}", ref.name,
                      close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close));
  }
  if (colon == std::string::npos) return ref;
  std::string variant = text.substr(colon + 1);
  for (int i = 0; i < 4; ++i)
    if (variant == kVariantNames[i]) {
      ref.variant = static_cast<Variant>(i);
      return ref;
    }
  std::vector<std::string> names(std::begin(kVariantNames), std::end(kVariantNames));
  std::string close = base::ClosestMatch(variant, names);
  return base::Fail(
      "unknown variant '{}' of '{}' (expected latest, nonroot, debug or debug-nonroot{})", variant,
      ref.name, close.empty() ? "" : fmt::format("; did you mean '{}'?", close));
}

base::Result<Spec> LoadRecipe(const std::string& name) {
  for (const EmbeddedRecipe& r : EmbeddedRecipes())
    if (name == r.name) return ParseSpec(r.text, fmt::format("recipes/{}.yaml", name));
  return base::Fail("unknown base '{}'", name);
}

}  // namespace build
