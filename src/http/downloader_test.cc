#include "http/downloader.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>

#include "http/fake_http_client.h"

namespace http {
namespace {

using Fake = FakeHttpClient;

// Holds requests until `width` are in flight at once (or 1 s passes), to
// show that the downloader really runs that many transfers in parallel.
class GatedClient : public HttpClient {
 public:
  GatedClient(HttpClient& inner, int width) : inner_(inner), width_(width) {}
  base::Result<Response> Do(const Request& req, base::Sink* body) override {
    {
      std::unique_lock lock(mu_);
      max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return max_in_flight_ >= width_; });
    }
    base::Result<Response> r = inner_.Do(req, body);
    std::lock_guard lock(mu_);
    --in_flight_;
    return r;
  }
  int max_in_flight() {
    std::lock_guard lock(mu_);
    return max_in_flight_;
  }

 private:
  HttpClient& inner_;
  int width_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

class Recorder : public Progress {
 public:
  void Start(uint64_t items, uint64_t bytes) override {
    Log(fmt::format("start {} {}", items, bytes));
  }
  void Advance(uint64_t bytes) override {
    std::lock_guard lock(mu_);
    bytes_ += bytes;
  }
  void ItemDone(const std::string& name) override {
    std::lock_guard lock(mu_);
    done_.push_back(name);
  }
  void Finish() override { Log("finish"); }
  void Log(std::string s) {
    std::lock_guard lock(mu_);
    log_.push_back(std::move(s));
  }

  std::mutex mu_;
  std::vector<std::string> log_;
  std::vector<std::string> done_;
  uint64_t bytes_ = 0;
};

class DownloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/distill-download-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    store_.emplace(*cache::Store::Open(root_));
    options_.retry.sleep = [](std::chrono::milliseconds) {};
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // An item named `name` whose expected bytes are `content`, scripted to be
  // served as `served` (the same unless a test tampers with it).
  DownloadItem Serve(const std::string& name, const std::string& content,
                     std::vector<Fake::Outcome> served = {}) {
    DownloadItem item{"https://mirror.test/" + name, base::Sha256Hex(content), content.size(),
                      name};
    if (served.empty()) served.push_back(Fake::Ok(content));
    fake_.Script(item.url, std::move(served));
    return item;
  }
  std::string Cached(const DownloadItem& item) {
    if (!store_->Has(item.sha256)) return "<absent>";
    return *base::ReadFile(store_->Path(item.sha256));
  }

  std::string root_;
  std::optional<cache::Store> store_;
  Fake fake_;
  DownloadOptions options_;
};

TEST_F(DownloaderTest, FetchesInParallelAndReportsProgress) {
  std::vector<DownloadItem> items;
  for (int i = 0; i < 6; ++i)
    items.push_back(Serve(fmt::format("p{}.deb", i), fmt::format("content {}", i)));
  GatedClient gated(fake_, 3);
  Recorder progress;
  options_.parallel = 3;
  options_.progress = &progress;
  auto r = Download(gated, *store_, items, options_);
  ASSERT_TRUE(r) << r.error().message();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Cached(items[i]), fmt::format("content {}", i));
  EXPECT_EQ(gated.max_in_flight(), 3);
  EXPECT_EQ(progress.log_, (std::vector<std::string>{"start 6 54", "finish"}));
  EXPECT_EQ(progress.bytes_, 54u);
  std::sort(progress.done_.begin(), progress.done_.end());
  EXPECT_EQ(progress.done_,
            (std::vector<std::string>{"p0.deb", "p1.deb", "p2.deb", "p3.deb", "p4.deb", "p5.deb"}));
}

TEST_F(DownloaderTest, SkipsCachedItemsAndDuplicates) {
  DownloadItem cached{"https://mirror.test/unscripted.deb", base::Sha256Hex("old"), 3, "old.deb"};
  auto w = store_->Insert(cached.sha256);
  ASSERT_TRUE(w && w->Write("old") && w->Commit());
  DownloadItem a = Serve("a.deb", "same");
  DownloadItem b = a;
  b.name = "b.deb";
  auto r = Download(fake_, *store_, {cached, a, b}, options_);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(fake_.requests().size(), 1u);
  EXPECT_EQ(Cached(a), "same");
}

TEST_F(DownloaderTest, TamperedBodyIsRejectedAndNotCached) {
  DownloadItem good = Serve("good.deb", "good");
  DownloadItem bad = Serve("libc6_2.36-9_amd64.deb", "real", {Fake::Ok("evil")});
  auto r = Download(fake_, *store_, {good, bad}, options_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'libc6_2.36-9_amd64.deb': sha256 mismatch (expected " +
                                     base::Sha256Hex("real") + ", got " + base::Sha256Hex("evil") +
                                     ")");
  EXPECT_EQ(Cached(good), "good");
  EXPECT_EQ(Cached(bad), "<absent>");
}

TEST_F(DownloaderTest, CollectsEveryFailure) {
  DownloadItem missing = Serve("missing.deb", "m", {Fake::Status(404)});
  DownloadItem bad = Serve("bad.deb", "real", {Fake::Ok("evil")});
  DownloadItem long_body = Serve("long.deb", "abc", {Fake::Ok("abcdef")});
  auto r = Download(fake_, *store_, {missing, bad, long_body}, options_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "'missing.deb': 'https://mirror.test/missing.deb': http status 404"
            " (and 2 more failed downloads)");
  // A body longer than Size is cut off by the cache and never retried.
  EXPECT_EQ(fake_.requests().size(), 3u);
}

TEST_F(DownloaderTest, SizeOverrunNamesTheFile) {
  DownloadItem long_body = Serve("long.deb", "abc", {Fake::Ok("abcdef")});
  auto r = Download(fake_, *store_, {long_body}, options_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'long.deb': size mismatch (expected 3 bytes, got more)");
}

TEST_F(DownloaderTest, RetriesBrokenTransfersFromScratch) {
  DownloadItem item = Serve("r.deb", "complete",
                            {Fake::Broken("comp", "transferred a partial file"), Fake::Status(503),
                             Fake::Ok("complete")});
  auto r = Download(fake_, *store_, {item}, options_);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(Cached(item), "complete");
  EXPECT_EQ(fake_.requests().size(), 3u);
  std::vector<std::string> tmp;
  for (const auto& e : std::filesystem::directory_iterator(root_ + "/tmp")) tmp.push_back(e.path());
  EXPECT_EQ(tmp, std::vector<std::string>{});
}

TEST_F(DownloaderTest, TransportErrorAfterRetriesNamesTheFile) {
  DownloadItem item = Serve("t.deb", "x", {Fake::Broken("", "couldn't connect to server")});
  options_.retry.max_attempts = 2;
  auto r = Download(fake_, *store_, {item}, options_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "'t.deb': 'https://mirror.test/t.deb': couldn't connect to server");
  EXPECT_EQ(fake_.requests().size(), 2u);
}

TEST_F(DownloaderTest, NothingToDoStillStartsAndFinishes) {
  Recorder progress;
  options_.progress = &progress;
  ASSERT_TRUE(Download(fake_, *store_, {}, options_));
  EXPECT_EQ(progress.log_, (std::vector<std::string>{"start 0 0", "finish"}));
}

}  // namespace
}  // namespace http
