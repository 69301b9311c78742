#include "cache/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace cache {
namespace {

namespace fs = std::filesystem;

// A fresh directory under /tmp, removed with everything in it at the end.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/distill-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  Store OpenStore() {
    base::Result<Store> s = Store::Open(root_);
    EXPECT_TRUE(s) << s.error().message();
    return std::move(*s);
  }
  std::vector<std::string> Listing(const std::string& sub) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root_ + "/" + sub))
      names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string root_;
};

const std::string kHello = base::Sha256Hex("hello");

TEST_F(StoreTest, InsertCommitsVerifiedBlob) {
  Store store = OpenStore();
  EXPECT_FALSE(store.Has(kHello));
  auto w = store.Insert(kHello, 5);
  ASSERT_TRUE(w) << w.error().message();
  ASSERT_TRUE(w->Write("hel"));
  ASSERT_TRUE(w->Write("lo"));
  // Nothing is visible under blobs/ before the commit.
  EXPECT_FALSE(store.Has(kHello));
  EXPECT_EQ(Listing("blobs/sha256"), std::vector<std::string>{});
  ASSERT_TRUE(w->Commit());
  EXPECT_TRUE(store.Has(kHello));
  EXPECT_EQ(store.Path(kHello), root_ + "/blobs/sha256/" + kHello);
  EXPECT_EQ(*base::ReadFile(store.Path(kHello)), "hello");
  EXPECT_EQ(Listing("tmp"), std::vector<std::string>{});
  struct stat st;
  ASSERT_EQ(stat(store.Path(kHello).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(StoreTest, DigestMismatchRemovesTempFile) {
  Store store = OpenStore();
  auto w = store.Insert(kHello);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Write("jello"));
  auto r = w->Commit();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "sha256 mismatch (expected " + kHello + ", got " + base::Sha256Hex("jello") + ")");
  EXPECT_FALSE(store.Has(kHello));
  EXPECT_EQ(Listing("tmp"), std::vector<std::string>{});
}

TEST_F(StoreTest, SizeIsCheckedWhileWritingAndAtCommit) {
  Store store = OpenStore();
  auto over = store.Insert(kHello, 4);
  ASSERT_TRUE(over);
  auto r = over->Write("hello");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "size mismatch (expected 4 bytes, got more)");
  auto under = store.Insert(kHello, 6);
  ASSERT_TRUE(under);
  ASSERT_TRUE(under->Write("hello"));
  auto c = under->Commit();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(), "size mismatch (expected 6 bytes, got 5)");
}

TEST_F(StoreTest, AbandonedWriterLeavesNothing) {
  Store store = OpenStore();
  {
    auto w = store.Insert(kHello);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->Write("hel"));
    EXPECT_EQ(Listing("tmp").size(), 1u);
  }
  EXPECT_EQ(Listing("tmp"), std::vector<std::string>{});
  EXPECT_FALSE(store.Has(kHello));
}

TEST_F(StoreTest, ConcurrentInsertsOfTheSameBlobAllSucceed) {
  Store store = OpenStore();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto w = store.Insert(kHello, 5);
      if (w && w->Write("hello") && w->Commit()) ++ok;
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(*base::ReadFile(store.Path(kHello)), "hello");
  EXPECT_EQ(Listing("blobs/sha256"), std::vector<std::string>{kHello});
}

TEST_F(StoreTest, RejectsMalformedDigests) {
  Store store = OpenStore();
  auto w = store.Insert("../../etc/passwd");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().message(), "invalid sha256 '../../etc/passwd'");
  EXPECT_FALSE(store.Has("../../etc/passwd"));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_TRUE(IsSha256Hex(kHello));
}

TEST_F(StoreTest, PutFileCopiesAndVerifies) {
  Store store = OpenStore();
  std::string src = root_ + "/src.txt";
  ASSERT_TRUE(base::WriteFileAtomic(src, "hello"));
  ASSERT_TRUE(store.PutFile(kHello, src));
  EXPECT_EQ(*base::ReadFile(store.Path(kHello)), "hello");
  std::string other = base::Sha256Hex("other");
  auto r = store.PutFile(other, src);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "'" + src + "': sha256 mismatch (expected " + other + ", got " + kHello + ")");
  auto missing = store.PutFile(other, root_ + "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "'" + root_ + "/nope': no such file or directory");
}

TEST_F(StoreTest, OpenRemovesStaleTempFiles) {
  ASSERT_TRUE(base::MakeDirs(root_ + "/tmp"));
  ASSERT_TRUE(base::WriteFileAtomic(root_ + "/tmp/old.partial", "x"));
  ASSERT_TRUE(base::WriteFileAtomic(root_ + "/tmp/new.partial", "y"));
  time_t two_days_ago = time(nullptr) - 2 * 24 * 3600;
  struct timespec times[2] = {{two_days_ago, 0}, {two_days_ago, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (root_ + "/tmp/old.partial").c_str(), times, 0), 0);
  Store store = OpenStore();
  EXPECT_EQ(Listing("tmp"), std::vector<std::string>{"new.partial"});
  EXPECT_EQ(*store.CleanTemp(std::chrono::seconds(-10)), 1);
  EXPECT_EQ(Listing("tmp"), std::vector<std::string>{});
}

TEST_F(StoreTest, EntriesRoundTripThroughTmp) {
  Store store = OpenStore();
  EXPECT_EQ(store.GetEntry("resolutions", kHello), std::nullopt);
  ASSERT_TRUE(store.PutEntry("resolutions", kHello, "{\"a\": 1}\n"));
  EXPECT_EQ(store.GetEntry("resolutions", kHello), "{\"a\": 1}\n");
  EXPECT_EQ(store.EntryPath("resolutions", kHello), root_ + "/entries/resolutions/" + kHello);
  EXPECT_EQ(*base::ReadFile(store.EntryPath("resolutions", kHello)),
            "sha256:" + base::Sha256Hex("{\"a\": 1}\n") + "\n{\"a\": 1}\n");
  EXPECT_EQ(Listing("tmp"), std::vector<std::string>{});
  // Kinds keep their own keys; an empty payload is a valid marker.
  EXPECT_EQ(store.GetEntry("verified", kHello), std::nullopt);
  ASSERT_TRUE(store.PutEntry("verified", kHello, ""));
  EXPECT_EQ(store.GetEntry("verified", kHello), "");
  // Putting again replaces the entry.
  ASSERT_TRUE(store.PutEntry("resolutions", kHello, "new"));
  EXPECT_EQ(store.GetEntry("resolutions", kHello), "new");
}

TEST_F(StoreTest, DamagedEntriesAreMisses) {
  Store store = OpenStore();
  ASSERT_TRUE(store.PutEntry("resolutions", kHello, "payload"));
  std::string path = store.EntryPath("resolutions", kHello);
  std::string whole = *base::ReadFile(path);
  for (const std::string& damaged : std::vector<std::string>{
           whole.substr(0, whole.size() - 1), whole.substr(0, 20), std::string(), whole + "x",
           "payload", "sha256:" + base::Sha256Hex("payload")}) {
    ASSERT_TRUE(base::WriteFileAtomic(path, damaged));
    EXPECT_EQ(store.GetEntry("resolutions", kHello), std::nullopt) << damaged;
  }
}

TEST_F(StoreTest, EntryNamesAreChecked) {
  Store store = OpenStore();
  for (auto [kind, key] : std::vector<std::pair<std::string, std::string>>{
           {"resolutions", "abc"}, {"../x", kHello}, {"", kHello}, {"a/b", kHello}}) {
    auto r = store.PutEntry(kind, key, "x");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), "invalid cache entry '" + kind + "/" + key + "'");
    EXPECT_EQ(store.GetEntry(kind, key), std::nullopt);
  }
}

TEST(DefaultRootTest, PrefersXdgThenHome) {
  EXPECT_EQ(*DefaultRoot("/x/cache", "/home/u"), "/x/cache/distill");
  EXPECT_EQ(*DefaultRoot("", "/home/u"), "/home/u/.cache/distill");
  EXPECT_EQ(*DefaultRoot(nullptr, "/home/u"), "/home/u/.cache/distill");
  auto r = DefaultRoot(nullptr, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "no cache directory: neither XDG_CACHE_HOME nor HOME is set");
}

}  // namespace
}  // namespace cache
