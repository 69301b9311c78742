#include "base/limits.h"

#include <gtest/gtest.h>

#include "base/sink.h"

namespace base {
namespace {

TEST(LimitsTest, SetsByNameWithUnits) {
  Limits l;
  ASSERT_TRUE(SetLimit(l, "layer-bytes", "512MiB"));
  EXPECT_EQ(l.layer_bytes, uint64_t{512} << 20);
  ASSERT_TRUE(SetLimit(l, "entry-bytes", "2 GB"));
  EXPECT_EQ(l.entry_bytes, 2'000'000'000u);
  ASSERT_TRUE(SetLimit(l, "request-seconds", "15m"));
  EXPECT_EQ(l.request_seconds, 900u);
  ASSERT_TRUE(SetLimit(l, "layer-entries", "1000"));
  EXPECT_EQ(l.layer_entries, 1000u);
}

TEST(LimitsTest, RefusesUnknownNamesAndBadValues) {
  Limits l;
  Result<void> r = SetLimit(l, "layer-byte", "1");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().starts_with("unknown limit 'layer-byte' (limits: entry-bytes, "))
      << r.error().message();
  for (const char* v : {"0", "-1", "1 MiB s", "12x", "", "99999999999999999999", "1m"}) {
    Result<void> bad = SetLimit(l, "layer-bytes", v);
    ASSERT_FALSE(bad) << v;
    EXPECT_EQ(
        bad.error().message(),
        fmt::format("invalid value '{}' for limit 'layer-bytes' (a positive number of bytes)", v));
  }
  EXPECT_FALSE(SetLimit(l, "layer-entries", "1KiB"));
  EXPECT_FALSE(SetLimit(l, "request-seconds", "1GiB"));
}

TEST(LimitsTest, EveryFieldIsInTheTableOnce) {
  Limits l;
  uint64_t n = 1;
  for (const LimitInfo& i : LimitTable()) l.*(i.field) = n++;
  std::vector<uint64_t Limits::*> seen;
  for (const LimitInfo& i : LimitTable()) {
    EXPECT_EQ(std::count(seen.begin(), seen.end(), i.field), 0) << i.name;
    seen.push_back(i.field);
  }
  EXPECT_EQ(sizeof(Limits), LimitTable().size() * sizeof(uint64_t));
}

TEST(LimitsTest, ErrorNamesTheLimitAndHowToRaiseIt) {
  Limits l;
  EXPECT_EQ(LimitError(l, "layer-bytes", "layer 'sha256:ab'").message(),
            "layer 'sha256:ab' exceeds the limit layer-bytes (32 GiB); raise it with --limit "
            "layer-bytes=...");
}

TEST(CappedSinkTest, FailsOnTheWriteThatCrossesTheCap) {
  StringSink out;
  CappedSink capped(&out, 10, Error("too big"));
  EXPECT_EQ(capped.Capacity(), 10u);
  ASSERT_TRUE(capped.Write("0123456"));
  ASSERT_TRUE(capped.Write("789"));
  EXPECT_EQ(capped.Capacity(), 0u);
  Result<void> r = capped.Write("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "too big");
  EXPECT_TRUE(capped.exceeded());
  EXPECT_EQ(out.str(), "0123456789");
  // A write that would cross forwards nothing at all.
  StringSink out2;
  CappedSink c2(&out2, 4, Error("too big"));
  EXPECT_FALSE(c2.Write("12345"));
  EXPECT_EQ(out2.str(), "");
}

}  // namespace
}  // namespace base
