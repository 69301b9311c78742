#include "oci/reference.h"

#include <gtest/gtest.h>

namespace oci {

TEST(ReferenceTest, ParsesLocalForms) {
  auto r = ParseImageRef("oci:/tmp/layout:v1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->transport, Transport::kOci);
  EXPECT_EQ(r->path, "/tmp/layout");
  EXPECT_EQ(r->tag, "v1");
  r = ParseImageRef("oci-archive:img.tar");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, "img.tar");
  EXPECT_EQ(r->tag, "");
  r = ParseImageRef("docker-archive:img.tar:localhost:5000/app");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "localhost:5000/app:latest");
  r = ParseImageRef("docker-archive:img.tar:app:1.0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "app:1.0");
}

TEST(ReferenceTest, ParsesDocker) {
  auto r = ParseImageRef("docker://127.0.0.1:5000/team/app:2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "127.0.0.1:5000/team/app");
  EXPECT_EQ(r->tag, "2");
  r = ParseImageRef("docker://localhost:5000/app");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tag, "latest");
}

TEST(ReferenceTest, RejectsUnknownTransport) {
  EXPECT_EQ(ParseImageRef("ocii:/x").error().message(),
            "'ocii:/x': unknown transport 'ocii' (did you mean 'oci:'?)");
  EXPECT_EQ(
      ParseImageRef("/tmp/x").error().message(),
      "'/tmp/x': missing transport (expected oci:, oci-archive:, docker-archive: or docker://)");
  EXPECT_EQ(ParseImageRef("oci:/x:bad tag").error().message(),
            "'oci:/x:bad tag': invalid tag 'bad tag'");
}

TEST(ReferenceTest, AcceptsRepositoryNamesOfTheDistributionGrammar) {
  for (const char* ok :
       {"docker://reg.test/a", "docker://reg.test/a-b/c.d/e_f/g__h/i--j:1", "docker://app",
        "docker://team/app:v1.2_3-rc", "docker://Reg.Test:5000/app", "docker://[::1]:5000/app",
        "docker://reg.test/app@sha256:"
        "0123456789abcdef0123456789abcdef0123456789abcdef"
        "0123456789abcdef",
        "docker://localhost/app:_x"})
    EXPECT_TRUE(ParseImageRef(ok)) << ok;
}

TEST(ReferenceTest, RejectsDotSegmentsAndOtherBadRepositoryNames) {
  auto msg = [](const char* text) {
    base::Result<ImageRef> r = ParseImageRef(text);
    return r ? std::string("accepted") : r.error().message();
  };
  EXPECT_EQ(msg("docker://reg.test/x/../evil-ok:1"),
            "'docker://reg.test/x/../evil-ok:1': invalid repository name: path component '..' is "
            "not allowed");
  EXPECT_EQ(msg("docker://reg.test/./evil-ok:1"),
            "'docker://reg.test/./evil-ok:1': invalid repository name: path component '.' is not "
            "allowed");
  EXPECT_EQ(msg("docker://reg.test/a//b"),
            "'docker://reg.test/a//b': invalid repository name: empty path component");
  EXPECT_EQ(msg("docker://reg.test/App"),
            "'docker://reg.test/App': invalid repository name: invalid path component 'App' "
            "(lowercase letters, digits and inner '.', '_', '__' or '-' only)");
  for (const char* bad :
       {"docker://reg.test/a_-b", "docker://reg.test/-a", "docker://reg.test/a.",
        "docker://reg.test/a___b", "docker://reg.test/a..b", "docker://reg.test/a%2e",
        "docker://reg.test/a b", "docker://reg.test/a\x1b[31m", "docker://reg.test/"})
    EXPECT_NE(msg(bad).find("invalid repository name"), std::string::npos) << bad;
  EXPECT_EQ(msg("docker://re_g.test/app"),
            "'docker://re_g.test/app': invalid repository name: invalid registry host 're_g.test'");
  EXPECT_EQ(msg("docker://reg.test:5x/app"),
            "'docker://reg.test:5x/app': invalid repository name: invalid registry host "
            "'reg.test:5x'");
}

TEST(ReferenceTest, RejectsBadTagsAndDigests) {
  EXPECT_EQ(ParseImageRef("docker://reg.test/app:.x").error().message(),
            "'docker://reg.test/app:.x': invalid tag '.x'");
  EXPECT_FALSE(ParseImageRef("docker://reg.test/app:" + std::string(129, 'a')));
  EXPECT_EQ(ParseImageRef("docker://reg.test/app@sha256:../../x").error().message(),
            "'docker://reg.test/app@sha256:../../x': invalid digest 'sha256:../../x'");
  EXPECT_FALSE(ParseImageRef("docker://reg.test/app@sha256:ABC"));
  EXPECT_FALSE(ParseImageRef("docker://reg.test/app@nocolon"));
  EXPECT_FALSE(
      ParseImageRef("docker://reg.test/app@" + std::string("sha256:") + std::string(64, 'A')));
}

}  // namespace oci
