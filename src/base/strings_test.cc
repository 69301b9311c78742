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

TEST(StringsTest, EscapeControlKeepsOneLineAndPrintableUtf8) {
  EXPECT_EQ(EscapeControl("plain 'text' \\ ok"), "plain 'text' \\ ok");
  EXPECT_EQ(EscapeControl("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(EscapeControl("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(EscapeControl(std::string("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
  EXPECT_EQ(EscapeControl("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x93\xa6"),
            "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x93\xa6");
  // C1 controls (U+009B is a CSI), truncated, overlong and stray bytes.
  EXPECT_EQ(EscapeControl("\xc2\x9b"
                          "2J"),
            "\\xc2\\x9b2J");
  EXPECT_EQ(EscapeControl("x\xe2\x9c"), "x\\xe2\\x9c");
  EXPECT_EQ(EscapeControl("\xc0\xaf \xff"), "\\xc0\\xaf \\xff");
  EXPECT_EQ(EscapeControl("\xed\xa0\x80"), "\\xed\\xa0\\x80");
}

}  // namespace base
