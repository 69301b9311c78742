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
  EXPECT_EQ(ParseImageRef("/tmp/x").error().message(),
            "'/tmp/x': missing transport (expected oci:, oci-archive:, docker-archive: or docker://)");
  EXPECT_EQ(ParseImageRef("oci:/x:bad tag").error().message(), "'oci:/x:bad tag': invalid tag 'bad tag'");
}

}  // namespace oci
