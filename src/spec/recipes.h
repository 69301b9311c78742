// The built-in bases: recipes/*.yaml compiled into the binary, each a spec
// built by the same code path as a user's, and the distroless variants
// (latest, nonroot, debug, debug-nonroot) applied on top.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "spec/spec.h"

namespace build {

struct EmbeddedRecipe {
  const char* name;
  const char* text;
};

// Generated from recipes/*.yaml (cmake/embed_recipes.cmake), sorted by name.
const std::vector<EmbeddedRecipe>& EmbeddedRecipes();

enum class Variant { kLatest, kNonroot, kDebug, kDebugNonroot };

struct BaseRef {
  std::string name;
  Variant variant = Variant::kLatest;
};

// Parses "python3", "python3:nonroot", "static:debug-nonroot". Errors name
// the text and suggest the closest base or variant.
base::Result<BaseRef> ParseBaseRef(const std::string& text);
bool IsBuiltinBase(const std::string& name);
std::vector<std::string> RecipeNames();
// The recipe's spec (path "recipes/<name>.yaml" in errors).
base::Result<Spec> LoadRecipe(const std::string& name);
std::string VariantName(Variant v);

}  // namespace build
