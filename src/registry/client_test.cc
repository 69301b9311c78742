#include "registry/client.h"

#include <gtest/gtest.h>

#include "registry/repository.h"

namespace registry {
namespace {

TEST(SplitRepoNameTest, HostsAndDockerHubDefaults) {
  EXPECT_EQ(SplitRepoName("127.0.0.1:5000/team/app"), (RepoName{"127.0.0.1:5000", "team/app"}));
  EXPECT_EQ(SplitRepoName("localhost/app"), (RepoName{"localhost", "app"}));
  EXPECT_EQ(SplitRepoName("app"), (RepoName{"registry-1.docker.io", "library/app"}));
  EXPECT_EQ(SplitRepoName("team/app"), (RepoName{"registry-1.docker.io", "team/app"}));
  EXPECT_EQ(SplitRepoName("docker.io/team/app"), (RepoName{"registry-1.docker.io", "team/app"}));
}

TEST(WithQueryTest, JoinsWithQuestionMarkOrAmpersand) {
  EXPECT_EQ(WithQuery("/v2/a/blobs/uploads/u1", "digest=d"), "/v2/a/blobs/uploads/u1?digest=d");
  EXPECT_EQ(WithQuery("http://h/v2/a/blobs/uploads/u1?_state=x", "digest=d"),
            "http://h/v2/a/blobs/uploads/u1?_state=x&digest=d");
}

TEST(IsLoopbackHostTest, LoopbackOnly) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1:5000"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("[::1]:5000"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1:5000"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example"));
}

TEST(ReplyErrorTextTest, FirstDistributionError) {
  Reply r;
  r.response.status = 404;
  r.body = R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})";
  EXPECT_EQ(ReplyErrorText(r), "manifest unknown");
  r.body = R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})";
  EXPECT_EQ(ReplyErrorText(r), "unauthorized: authentication required");
  r.body = "<html>";
  EXPECT_EQ(ReplyErrorText(r), "http 404");
}

}  // namespace
}  // namespace registry
