#include "http/progress_bar.h"

#include <gtest/gtest.h>

namespace http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Captures what the bar writes, with a clock the test moves by hand.
class ProgressBarTest : public ::testing::Test {
 protected:
  void SetUp() override { out_ = open_memstream(&buf_, &len_); }
  void TearDown() override {
    fclose(out_);
    free(buf_);
  }
  std::string Written() {
    fflush(out_);
    return std::string(buf_, len_);
  }

  FILE* out_ = nullptr;
  char* buf_ = nullptr;
  size_t len_ = 0;
  steady_clock::time_point now_;
};

TEST_F(ProgressBarTest, DrawsBytesAndThrottlesRedraws) {
  ProgressBar bar(out_, [this] { return now_; });
  bar.Start(4, 2'000'000);
  bar.Advance(500'000);  // within 100 ms of the last draw: skipped
  now_ += milliseconds(150);
  bar.Advance(500'000);
  bar.ItemDone("a.deb");  // throttled again
  bar.Finish();
  EXPECT_EQ(Written(),
            "\rfetching 0/4 [--------------------] 0 B/2.0 MB\x1b[K"
            "\rfetching 0/4 [##########----------] 1.0 MB/2.0 MB\x1b[K"
            "\rfetching 1/4 [##########----------] 1.0 MB/2.0 MB\x1b[K\n");
}

TEST_F(ProgressBarTest, FollowsItemsWhenSizesAreUnknown) {
  ProgressBar bar(out_, [this] { return now_; });
  bar.Start(2, 0);
  now_ += milliseconds(200);
  bar.ItemDone("a");
  bar.Finish();
  EXPECT_EQ(Written(),
            "\rfetching 0/2 [--------------------]\x1b[K"
            "\rfetching 1/2 [##########----------]\x1b[K"
            "\rfetching 1/2 [##########----------]\x1b[K\n");
}

TEST_F(ProgressBarTest, ClampsBytesCountedTwiceByRetries) {
  ProgressBar bar(out_, [this] { return now_; });
  bar.Start(1, 10);
  bar.Advance(25);
  bar.Finish();
  EXPECT_EQ(Written(),
            "\rfetching 0/1 [--------------------] 0 B/10 B\x1b[K"
            "\rfetching 0/1 [####################] 10 B/10 B\x1b[K\n");
}

TEST_F(ProgressBarTest, SilentWhenThereIsNothingToFetch) {
  ProgressBar bar(out_, [this] { return now_; });
  bar.Start(0, 0);
  bar.Finish();
  EXPECT_EQ(Written(), "");
}

}  // namespace
}  // namespace http
