#include "base/strings.h"

#include <gtest/gtest.h>

namespace base {

TEST(StringsTest, ClosestMatchSuggestsTypos) {
  EXPECT_EQ(ClosestMatch("entrypiont", {"entrypoint", "cmd", "env"}), "entrypoint");
  EXPECT_EQ(ClosestMatch("zzzzzz", {"entrypoint", "cmd"}), "");
}

TEST(StringsTest, SplitKeepsEmptyFields) {
  EXPECT_EQ(Split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
}

TEST(StringsTest, HumanBytes) {
  EXPECT_EQ(HumanBytes(999), "999 B");
  EXPECT_EQ(HumanBytes(1500000), "1.5 MB");
}

}  // namespace base
