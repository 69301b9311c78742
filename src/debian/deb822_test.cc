#include "debian/deb822.h"

#include <gtest/gtest.h>

namespace debian {

TEST(Deb822Test, ParsesStanzasAndContinuations) {
  auto r = ParseDeb822(
      "Origin: Debian\nSHA256:\n abc 12 main/x\n def 34 main/y\n\n\nPackage: a\nversion: 1\n",
      "Release");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].Get("origin"), "Debian");
  EXPECT_EQ((*r)[0].Get("SHA256"), "\nabc 12 main/x\ndef 34 main/y");
  EXPECT_EQ((*r)[1].Get("Version"), "1");
  EXPECT_EQ((*r)[1].line(), 7);
}

TEST(Deb822Test, RejectsDuplicateField) {
  auto r = ParseDeb822("A: 1\nA: 2\n", "f");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "f:2: duplicate field 'A'");
}

TEST(Deb822Test, FormatRoundTrips) {
  auto r = ParseDeb822("Package: a\nDescription: short\n long\n .\n more\n", "c");
  ASSERT_TRUE(r);
  EXPECT_EQ(FormatStanza((*r)[0]), "Package: a\nDescription: short\n long\n .\n more\n");
}

}  // namespace debian
