#include "registry/host_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/file_util.h"

namespace registry {
namespace {

RegistriesConf Parse(std::string_view text) {
  RegistriesConf c;
  base::Result<void> r = ParseRegistriesConf(text, "r.conf", c);
  EXPECT_TRUE(r) << r.error().message();
  return c;
}

TEST(RegistriesConfTest, V2TablesLongestPrefixWins) {
  RegistriesConf c = Parse(R"(
unqualified-search-registries = ["example.com"]

[[registry]]
location = "reg.example.com:5000"
insecure = true

[[registry]]
prefix = "reg.example.com:5000/private"
location = "reg.example.com:5000/private"
blocked = true

[[registry]]
prefix = "*.corp.example"
insecure = true

[[registry.mirror]]
location = "mirror.example.com"
)");
  const RegistryRule* r = FindRule(c, "reg.example.com:5000/team/app");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->insecure);
  EXPECT_FALSE(r->blocked);
  r = FindRule(c, "reg.example.com:5000/private/app");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->blocked);
  EXPECT_EQ(r->source, "r.conf");
  // A prefix matches whole path components only.
  EXPECT_EQ(FindRule(c, "reg.example.com:50001/app"), nullptr);
  EXPECT_EQ(FindRule(c, "reg.example.com:5000/privateer/app")->prefix, "reg.example.com:5000");
  EXPECT_TRUE(InsecureHost(c, "reg.example.com:5000", nullptr));
  EXPECT_TRUE(InsecureHost(c, "a.corp.example", nullptr));
  EXPECT_FALSE(InsecureHost(c, "corp.example", nullptr));
  EXPECT_FALSE(InsecureHost(c, "other.example.com", nullptr));
}

TEST(RegistriesConfTest, V1ListsAndLaterFilesReplaceEarlierRules) {
  RegistriesConf c = Parse(R"(
[registries.insecure]
registries = ["localhost:5000"]
[registries.block]
registries = ["bad.example.com"]
)");
  EXPECT_TRUE(InsecureHost(c, "localhost:5000", nullptr));
  ASSERT_NE(FindRule(c, "bad.example.com/x"), nullptr);
  EXPECT_TRUE(FindRule(c, "bad.example.com/x")->blocked);
  // A drop-in read later sets the same prefix again.
  ASSERT_TRUE(ParseRegistriesConf("[[registry]]\nlocation = \"localhost:5000\"\n", "d.conf", c));
  EXPECT_FALSE(InsecureHost(c, "localhost:5000", nullptr));
  EXPECT_EQ(c.files, (std::vector<std::string>{"r.conf", "d.conf"}));
}

TEST(RegistriesConfTest, BadFilesNameTheFileAndLine) {
  RegistriesConf c;
  base::Result<void> r = ParseRegistriesConf("[[registry]]\nlocation = \"x\"\ninsecure = \"yes\"\n",
                                             "/etc/containers/registries.conf", c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "'/etc/containers/registries.conf': line 3: 'insecure' must be true or false");
  r = ParseRegistriesConf("[[registry]\n", "bad.conf", c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind("'bad.conf': line 1: ", 0), 0u) << r.error().message();
  // Keys of the wrong type, each at its line.
  const std::pair<const char*, const char*> kBad[] = {
      {"registry = 1\n", "'t.conf': line 1: 'registry' must be [[registry]] tables"},
      {"registry = [1]\n", "'t.conf': line 1: 'registry' must be [[registry]] tables"},
      {"[[registry]]\nprefix = 5\n", "'t.conf': line 2: 'prefix' must be a string"},
      {"[[registry]]\nlocation = true\n", "'t.conf': line 2: 'location' must be a string"},
      {"[[registry]]\nlocation = \"x\"\nblocked = 1\n",
       "'t.conf': line 3: 'blocked' must be true or false"},
      {"[registries.insecure]\nregistries = \"x\"\n",
       "'t.conf': line 2: 'registries' must be a list of hosts"},
      {"[registries.block]\nregistries = [\"\"]\n",
       "'t.conf': line 2: a registry must be a host name"},
  };
  for (const auto& [text, want] : kBad) {
    RegistriesConf t;
    base::Result<void> bad = ParseRegistriesConf(text, "t.conf", t);
    ASSERT_FALSE(bad) << text;
    EXPECT_EQ(bad.error().message(), want) << text;
  }
  r = ParseRegistriesConf("[[registry]]\ninsecure = true\n", "empty.conf", c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "'empty.conf': line 1: a [[registry]] needs a 'prefix' or a 'location'");
}

class HostFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("distill-hostcfg-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    paths_.home = dir_ / "home";
    paths_.system_root = dir_ / "sys";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::string p = (dir_ / rel).string();
    ASSERT_TRUE(base::MakeDirs(base::DirName(p)));
    ASSERT_TRUE(base::WriteFileAtomic(p, text));
  }
  std::filesystem::path dir_;
  ConfigPaths paths_;
};

TEST_F(HostFilesTest, UserFileElseSystemFilePlusDropIns) {
  ::unsetenv("CONTAINERS_REGISTRIES_CONF");
  Write("sys/etc/containers/registries.conf",
        "[[registry]]\nlocation = \"a:1\"\ninsecure = true\n");
  Write("sys/etc/containers/registries.conf.d/10-b.conf",
        "[[registry]]\nlocation = \"b:1\"\nblocked = true\n");
  base::Result<RegistriesConf> c = LoadRegistriesConf(paths_);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(InsecureHost(*c, "a:1", nullptr));
  EXPECT_TRUE(FindRule(*c, "b:1/x")->blocked);
  // The user's file replaces the system's; drop-ins still apply.
  Write("home/.config/containers/registries.conf",
        "[[registry]]\nlocation = \"c:1\"\ninsecure = true\n");
  c = LoadRegistriesConf(paths_);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(InsecureHost(*c, "a:1", nullptr));
  EXPECT_TRUE(InsecureHost(*c, "c:1", nullptr));
  EXPECT_TRUE(FindRule(*c, "b:1/x")->blocked);
  // An explicit file is read alone.
  Write("only.conf", "[[registry]]\nlocation = \"d:1\"\ninsecure = true\n");
  paths_.registries_conf = (dir_ / "only.conf").string();
  c = LoadRegistriesConf(paths_);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->files, (std::vector<std::string>{paths_.registries_conf}));
  EXPECT_EQ(FindRule(*c, "b:1/x"), nullptr);
  // A named file that does not exist is an error, not "no rules".
  paths_.registries_conf = (dir_ / "missing.conf").string();
  c = LoadRegistriesConf(paths_);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(), "registries.conf '" + paths_.registries_conf +
                                     "' (CONTAINERS_REGISTRIES_CONF) does not exist");
}

TEST_F(HostFilesTest, NoFilesIsNoRules) {
  ::unsetenv("CONTAINERS_REGISTRIES_CONF");
  base::Result<RegistriesConf> c = LoadRegistriesConf(paths_);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->rules.empty());
  base::Result<HostCerts> certs = FindHostCerts(paths_, "reg:5000");
  ASSERT_TRUE(certs);
  EXPECT_EQ(certs->dir, "");
}

TEST_F(HostFilesTest, CertsDirectoriesInPodmansOrder) {
  Write("sys/etc/docker/certs.d/reg:5000/ca.crt", "docker");
  Write("sys/etc/containers/certs.d/reg:5000/b.crt", "b");
  Write("sys/etc/containers/certs.d/reg:5000/a.crt", "a");
  Write("sys/etc/containers/certs.d/reg:5000/client.cert", "cert");
  Write("sys/etc/containers/certs.d/reg:5000/client.key", "key");
  base::Result<HostCerts> c = FindHostCerts(paths_, "reg:5000");
  ASSERT_TRUE(c) << c.error().message();
  std::string d = (dir_ / "sys/etc/containers/certs.d/reg:5000").string();
  EXPECT_EQ(c->dir, d);
  EXPECT_EQ(c->ca_files, (std::vector<std::string>{d + "/a.crt", d + "/b.crt"}));
  EXPECT_EQ(c->client_cert, d + "/client.cert");
  EXPECT_EQ(c->client_key, d + "/client.key");
  // The user's directory comes first; another host has none.
  Write("home/.config/containers/certs.d/reg:5000/mine.crt", "mine");
  c = FindHostCerts(paths_, "reg:5000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ca_files.size(), 1u);
  EXPECT_EQ(FindHostCerts(paths_, "other:5000")->dir, "");
  // --cert-dir is used for every host.
  paths_.cert_dir = (dir_ / "sys/etc/docker/certs.d/reg:5000").string();
  c = FindHostCerts(paths_, "other:5000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ca_files, (std::vector<std::string>{paths_.cert_dir + "/ca.crt"}));
}

TEST_F(HostFilesTest, BadCertDirectories) {
  Write("sys/etc/containers/certs.d/reg:5000/client.cert", "cert");
  base::Result<HostCerts> c = FindHostCerts(paths_, "reg:5000");
  ASSERT_FALSE(c);
  std::string d = (dir_ / "sys/etc/containers/certs.d/reg:5000").string();
  EXPECT_EQ(c.error().message(),
            "'" + d + "/client.cert': client certificate without its key 'client.key'");
  std::filesystem::remove(d + "/client.cert");
  Write("sys/etc/containers/certs.d/reg:5000/other.key", "key");
  c = FindHostCerts(paths_, "reg:5000");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(),
            "'" + d + "/other.key': key without its client certificate 'other.cert'");
  paths_.cert_dir = (dir_ / "missing").string();
  c = FindHostCerts(paths_, "reg:5000");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(), "--cert-dir '" + paths_.cert_dir + "' is not a directory");
}

}  // namespace
}  // namespace registry
