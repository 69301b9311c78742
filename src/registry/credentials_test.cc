#include "registry/credentials.h"

#include <gtest/gtest.h>

namespace registry {
namespace {

HelperRunner NoHelper() {
  return [](const std::string& helper, const std::string&) -> base::Result<std::string> {
    return base::Fail("no helper '{}'", helper);
  };
}

TEST(CredentialKeyTest, HostPartAndDockerHubAliases) {
  EXPECT_EQ(CredentialKey("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(CredentialKey("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(CredentialKey("http://Reg.Example:5000/v2/"), "reg.example:5000");
}

TEST(CredentialFromConfigTest, AuthsEntryMatchedOnHost) {
  auto c = CredentialFromConfig(
      R"({"auths":{"https://127.0.0.1:5000/v1/":{"auth":"YWxpY2U6czNjcmV0"}}})", "cfg.json",
      "127.0.0.1:5000", NoHelper());
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->password, "s3cret");
  EXPECT_EQ(c->origin, "cfg.json");
}

TEST(CredentialFromConfigTest, IdentityTokenAndNoMatch) {
  auto c = CredentialFromConfig(R"({"auths":{"r.example":{"identitytoken":"tok"}}})", "f",
                                "r.example", NoHelper());
  EXPECT_EQ(c->identity_token, "tok");
  auto none = CredentialFromConfig(R"({"auths":{}})", "f", "r.example", NoHelper());
  EXPECT_TRUE(none->Anonymous());
}

TEST(CredentialFromConfigTest, HelpersPerHostThenStore) {
  std::vector<std::string> calls;
  HelperRunner run = [&](const std::string& helper, const std::string& server) {
    calls.push_back(helper + " " + server);
    return base::Result<std::string>(R"({"ServerURL":"x","Username":"<token>","Secret":"idtok"})");
  };
  auto c =
      CredentialFromConfig(R"({"credHelpers":{"a.example":"pass"},"credsStore":"secretservice"})",
                           "f", "a.example", run);
  EXPECT_EQ(c->identity_token, "idtok");
  EXPECT_EQ(c->origin, "docker-credential-pass");
  auto d = CredentialFromConfig(R"({"credsStore":"secretservice"})", "f", "b.example", run);
  EXPECT_EQ(d->identity_token, "idtok");
  EXPECT_EQ(calls, (std::vector<std::string>{"pass a.example", "secretservice b.example"}));
}

TEST(CredentialFromConfigTest, BadAuthDoesNotEchoTheSecret) {
  auto c = CredentialFromConfig(R"({"auths":{"h":{"auth":"c2VjcmV0"}}})", "f", "h", NoHelper());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(), "'f': invalid 'auth' entry");
}

TEST(WithLoginTest, KeepsOtherKeysAndReplacesLegacySpelling) {
  Credential c;
  c.username = "alice";
  c.password = "s3cret";
  auto text = WithLogin(R"({"auths":{"https://h:5000/v1/":{"auth":"eA=="}},"credsStore":"x"})", "f",
                        "h:5000", c);
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(
      *text,
      "{\n\t\"auths\": {\n\t\t\"h:5000\": {\n\t\t\t\"auth\": \"YWxpY2U6czNjcmV0\"\n\t\t}\n\t},"
      "\n\t\"credsStore\": \"x\"\n}\n");
}

}  // namespace
}  // namespace registry
