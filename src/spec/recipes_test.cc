#include "spec/recipes.h"

#include <gtest/gtest.h>

namespace build {

TEST(RecipesTest, EveryRecipeParses) {
  ASSERT_FALSE(EmbeddedRecipes().empty());
  for (const std::string& name : RecipeNames()) {
    base::Result<Spec> s = LoadRecipe(name);
    EXPECT_TRUE(s) << name << ": " << s.error().message();
    if (s) {
      EXPECT_FALSE(s->description.empty()) << name;
    }
  }
}

TEST(RecipesTest, ParsesVariants) {
  auto r = ParseBaseRef("python3:nonroot");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "python3");
  EXPECT_EQ(r->variant, Variant::kNonroot);
  EXPECT_EQ(ParseBaseRef("pyhton3").error().message(),
            "unknown base 'pyhton3' (did you mean 'python3'?)");
  EXPECT_EQ(
      ParseBaseRef("cc:debg").error().message(),
      "unknown variant 'debg' of 'cc' (expected latest, nonroot, debug or debug-nonroot; did you "
      "mean 'debug'?)");
}

}  // namespace build
