#include "debian/release.h"

#include <gtest/gtest.h>

namespace debian {
namespace {

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

std::string SecurityRelease() {
  return "Origin: Debian\n"
         "Label: Debian-Security\n"
         "Suite: oldstable-security\n"
         "Version: 12\n"
         "Codename: bookworm-security\n"
         "Date: Wed, 25 Nov 2026 02:22:30 UTC\n"
         "Valid-Until: Wed, 02 Dec 2026 02:22:30 UTC\n"
         "Acquire-By-Hash: yes\n"
         "Architectures: amd64 arm64\n"
         "Components: updates/main updates/contrib\n"
         "Description: Debian 12 - Security Updates\n"
         "MD5Sum:\n"
         " 0123 10 main/binary-amd64/Packages\n"
         "SHA256:\n " +
         kHashA + "   1234 main/binary-amd64/Packages.xz\n " + kHashB +
         " 99 main/binary-amd64/Packages\n";
}

TEST(ReleaseTest, ParsesFields) {
  auto r = ParseRelease(SecurityRelease(), "InRelease");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->origin, "Debian");
  EXPECT_EQ(r->label, "Debian-Security");
  EXPECT_EQ(r->suite, "oldstable-security");
  EXPECT_EQ(r->codename, "bookworm-security");
  EXPECT_EQ(r->name(), "bookworm-security");
  EXPECT_EQ(r->version, "12");
  EXPECT_EQ(r->date_text, "Wed, 25 Nov 2026 02:22:30 UTC");
  EXPECT_EQ(r->date, 1795573350);
  EXPECT_EQ(r->valid_until, std::optional<int64_t>(1796178150));
  EXPECT_TRUE(r->acquire_by_hash);
  EXPECT_EQ(r->architectures, (std::vector<std::string>{"amd64", "arm64"}));
  EXPECT_EQ(r->components, (std::vector<std::string>{"main", "contrib"}));
  EXPECT_FALSE(r->all_in_arch_indexes);
  EXPECT_EQ(r->pin, 500);
  std::map<std::string, FileHash> want = {
      {"main/binary-amd64/Packages.xz", {kHashA, 1234}},
      {"main/binary-amd64/Packages", {kHashB, 99}},
  };
  EXPECT_EQ(r->sha256, want);
}

TEST(ReleaseTest, PinsAndArchitectureAll) {
  std::string base = "Suite: x\nNo-Support-for-Architecture-all: Packages\nSHA256:\n " + kHashA +
                     " 1 main/binary-amd64/Packages\n";
  auto r = ParseRelease(base, "R");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->all_in_arch_indexes);
  EXPECT_EQ(r->date, 0);
  EXPECT_EQ(r->valid_until, std::nullopt);
  r = ParseRelease("NotAutomatic: yes\n" + base, "R");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pin, 1);
  r = ParseRelease("NotAutomatic: yes\nButAutomaticUpgrades: yes\n" + base, "R");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pin, 100);
}

TEST(ReleaseTest, RejectsBadHashesAndDates) {
  auto r = ParseRelease("Suite: x\nSHA256:\n abc 1 main/Packages\n", "InRelease");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': bad SHA256 line 'abc 1 main/Packages'");
  r = ParseRelease("Suite: x\nMD5Sum:\n 0123 1 main/Packages\n", "InRelease");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': no SHA256 file list");
  r = ParseRelease("Suite: x\nDate: yesterday\n", "InRelease");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': Date: invalid date 'yesterday'");
  r = ParseRelease("", "InRelease");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': empty Release");
}

TEST(ReleaseTest, ParsesRfc1123Dates) {
  EXPECT_EQ(ParseReleaseDate("Thu, 01 Jan 1970 00:00:00 UTC"), 0);
  EXPECT_EQ(ParseReleaseDate("Sat, 11 Jul 2026 10:16:37 UTC"), 1783764997);
  EXPECT_EQ(ParseReleaseDate("Sat, 1 Jul 2023 00:00:01 GMT"), 1688169601);
  EXPECT_EQ(ParseReleaseDate("29 Feb 2024 12:00:00 +0000"), 1709208000);
  EXPECT_EQ(ParseReleaseDate("Sat, 11 Jul 2026 10:16:37 Z"), 1783764997);
  auto r = ParseReleaseDate("Sat, 11 Jul 2026 10:16:37 CEST");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "invalid date 'Sat, 11 Jul 2026 10:16:37 CEST'");
  EXPECT_FALSE(ParseReleaseDate("Sat, 11 Jly 2026 10:16:37 UTC"));
  EXPECT_FALSE(ParseReleaseDate("Sat, 11 Jul 2026 25:16:37 UTC"));
}

TEST(ReleaseTest, ChecksDatesAgainstTheClock) {
  auto r = ParseRelease(SecurityRelease(), "InRelease");
  ASSERT_TRUE(r);
  EXPECT_TRUE(CheckReleaseDates(*r, r->date, false));
  EXPECT_TRUE(CheckReleaseDates(*r, *r->valid_until, false));
  EXPECT_TRUE(CheckReleaseDates(*r, r->date - 10, false));
  auto c = CheckReleaseDates(*r, *r->valid_until + 1, false);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(),
            "'bookworm-security' Release expired on Wed, 02 Dec 2026 02:22:30 UTC");
  EXPECT_TRUE(CheckReleaseDates(*r, *r->valid_until + 1, true));
  c = CheckReleaseDates(*r, r->date - 11, true);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(),
            "'bookworm-security' Release is dated in the future (Wed, 25 Nov 2026 02:22:30 UTC)");
}

}  // namespace
}  // namespace debian
