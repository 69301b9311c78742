#include "registry/auth.h"

#include <gtest/gtest.h>

namespace registry {
namespace {

TEST(ParseWwwAuthenticateTest, BearerWithQuotedParams) {
  auto r = ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push")");
  ASSERT_TRUE(r) << r.error().message();
  std::vector<Challenge> want = {{"bearer",
                                  {{"realm", "https://auth.example/token"},
                                   {"service", "reg"},
                                   {"scope", "repository:a/b:pull,push"}}}};
  EXPECT_EQ(*r, want);
}

TEST(ParseWwwAuthenticateTest, SeveralChallengesTokensAndEscapes) {
  auto r =
      ParseWwwAuthenticate(R"(Basic realm="a \"b\"", Bearer realm=x, error=insufficient_scope)");
  ASSERT_TRUE(r) << r.error().message();
  std::vector<Challenge> want = {{"basic", {{"realm", "a \"b\""}}},
                                 {"bearer", {{"realm", "x"}, {"error", "insufficient_scope"}}}};
  EXPECT_EQ(*r, want);
}

TEST(ParseWwwAuthenticateTest, UnterminatedQuoteIsAnError) {
  auto r = ParseWwwAuthenticate(R"(Bearer realm="https://x)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "invalid authentication challenge: unterminated quoted string at 23");
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  EXPECT_EQ(Base64Encode("alice:s3cret"), "YWxpY2U6czNjcmV0");
  EXPECT_EQ(Base64Decode("YWxpY2U6czNjcmV0"), "alice:s3cret");
  EXPECT_EQ(Base64Decode("YQ=="), "a");
  auto bad = Base64Decode("not base64!");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "invalid base64");
}

TEST(ParseTokenResponseTest, AccessTokenAndExpiry) {
  auto now = std::chrono::steady_clock::time_point{};
  auto t = ParseTokenResponse(R"({"access_token":"abc","expires_in":300})", now);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->value, "abc");
  EXPECT_EQ(t->expires, now + std::chrono::seconds(290));
  auto short_lived = ParseTokenResponse(R"({"token":"x","expires_in":8})", now);
  EXPECT_EQ(short_lived->expires, now + std::chrono::seconds(6));
  auto none = ParseTokenResponse(R"({"expires_in":8})", now);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "token response holds no token");
}

TEST(UrlEncodeTest, EscapesReserved) {
  EXPECT_EQ(UrlEncode("repository:a/b:pull,push"), "repository%3Aa%2Fb%3Apull%2Cpush");
}

}  // namespace
}  // namespace registry
