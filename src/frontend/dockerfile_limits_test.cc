// Hostile Dockerfiles (issue 14): nesting, doubling ARGs, huge and many
// lines, and NUL bytes in COPY sources. Each must fail with its limit (or
// succeed in linear time), never crash or eat the machine.
#include <gtest/gtest.h>

#include <chrono>

#include "frontend/dockerfile.h"
#include "frontend/dockerfile_lower.h"
#include "frontend/dockerfile_words.h"

namespace build {
namespace {

std::string LowerError(const std::string& text, const base::Limits& limits = {}) {
  base::Result<Dockerfile> df = ParseDockerfile(text, "Dockerfile", limits);
  if (!df) return df.error().message();
  DockerfileOptions o;
  o.platform = "linux/amd64";
  o.limits = limits;
  base::Result<Spec> s = LowerDockerfile(*df, o);
  return s ? "lowered" : s.error().message();
}

TEST(DockerfileLimitsTest, DeepNestingIsAnErrorNotACrash) {
  std::string word;
  for (int i = 0; i < 10'000; ++i) word += "${A:-";
  word += "x" + std::string(10'000, '}');
  EXPECT_EQ(LowerError("FROM scratch\nENV B=" + word + "\n"),
            "Dockerfile:2: the nesting of ${...} exceeds the limit expansion-depth (64); raise it "
            "with --limit expansion-depth=...");
  // 63 levels are fine.
  std::string ok;
  for (int i = 0; i < 63; ++i) ok += "${A:-";
  ok += "x" + std::string(63, '}');
  auto vars = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  base::Result<std::string> w = ExpandWord(ok, vars, '\\');
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_EQ(*w, "x");
}

TEST(DockerfileLimitsTest, DoublingArgsStopAtTheExpansionLimit) {
  std::string text = "FROM scratch\nARG A0=0123456789abcdef\n";
  for (int i = 1; i <= 40; ++i) text += fmt::format("ARG A{}=${{A{}}}${{A{}}}\n", i, i - 1, i - 1);
  auto start = std::chrono::steady_clock::now();
  // 16 bytes doubled 17 times is 2 MiB: ARG A17 is the first over 1 MiB.
  EXPECT_EQ(LowerError(text),
            "Dockerfile:19: the expanded word exceeds the limit expansion-bytes (1 MiB); raise it "
            "with --limit expansion-bytes=...");
  // Reported, not asserted: it fails at the limit, in milliseconds.
  RecordProperty("ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count()));
}

TEST(DockerfileLimitsTest, ContinuationLinesJoinInLinearTime) {
  std::string text = "FROM scratch\nLABEL a=\\\n";
  for (int i = 0; i < 400'000; ++i) text += "x\\\n";
  text += "y\n";
  base::Limits limits;
  limits.dockerfile_lines = 500'000;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(LowerError(text, limits), "lowered");
  long ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  RecordProperty("ms", static_cast<int>(ms));  // 22 s when joining was quadratic
  std::printf("400,000 continuation lines: %ld ms\n", ms);
}

TEST(DockerfileLimitsTest, TooManyLinesOrTooLongALineIsAnError) {
  std::string text = "FROM scratch\n" + std::string(200'000, '\n');
  EXPECT_EQ(LowerError(text),
            "'Dockerfile' (200001 lines) exceeds the limit dockerfile-lines (100000); raise it "
            "with --limit dockerfile-lines=...");
  base::Limits limits;
  limits.line_bytes = 1000;
  std::string joined = "FROM scratch\nLABEL a=\\\n";
  for (int i = 0; i < 600; ++i) joined += "xy\\\n";
  joined += "z\n";
  EXPECT_EQ(LowerError(joined, limits),
            "Dockerfile:2: the instruction exceeds the limit line-bytes (1000 bytes); raise it "
            "with --limit line-bytes=...");
}

TEST(DockerfileLimitsTest, ANulInACopySourceNamesTheLine) {
  std::string nul(1, '\0');
  EXPECT_EQ(LowerError("FROM scratch\nCOPY app" + nul + " /srv/\n"),
            "Dockerfile:2: COPY path 'app\\0...' contains a NUL byte");
  EXPECT_EQ(LowerError("FROM scratch\nADD [\"a\", \"/x" + nul + "\"]\n"),
            "Dockerfile:2: ADD path '/x\\0...' contains a NUL byte");
}

}  // namespace
}  // namespace build
