#include "debian/signature.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/file_util.h"
#include "debian/release.h"
#include "debian/test_signing.h"

namespace debian {
namespace {

constexpr std::string_view kText = "Origin: Test\nSuite: stable\n-dash line\n";

// One key pair for the whole suite: generation is the slow part.
const TestSigner& Signer() {
  static TestSigner* s = new TestSigner("archive@test");
  return *s;
}
const TestSigner& Stranger() {
  static TestSigner* s = new TestSigner("stranger@test");
  return *s;
}

Keyring TrustedKeyring() {
  auto k = Keyring::FromBytes(Signer().PublicKeyArmored(), "test.asc");
  EXPECT_TRUE(k) << k.error().message();
  return std::move(*k);
}

TEST(SignatureTest, ClearsignedReturnsOnlyTheSignedText) {
  std::string signed_text = Signer().Clearsign(kText);
  ASSERT_NE(signed_text.find("- -dash line"), std::string::npos);
  auto r = VerifyClearsigned(signed_text, TrustedKeyring());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, kText);
}

TEST(SignatureTest, ClearsignedByUnknownKeyFails) {
  auto r = VerifyClearsigned(Stranger().Clearsign(kText), TrustedKeyring());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': no valid signature by a key in 'test.asc'");
}

TEST(SignatureTest, OneGoodSignatureAmongSeveralIsEnough) {
  auto both = Keyring::Load(Signer().PublicKeyArmored() + Stranger().PublicKeyArmored());
  ASSERT_TRUE(both) << both.error().message();
  EXPECT_EQ(both->name(), "inline key");
  auto r = VerifyClearsigned(Stranger().Clearsign(kText), *both);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, kText);
}

TEST(SignatureTest, TamperedClearsignedTextFails) {
  std::string s = Signer().Clearsign(kText);
  s.replace(s.find("stable"), 6, "stab1e");
  auto r = VerifyClearsigned(s, TrustedKeyring(), "dists/x/InRelease");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'dists/x/InRelease': no valid signature by a key in 'test.asc'");
}

TEST(SignatureTest, RejectsDataOutsideTheArmor) {
  std::string s = Signer().Clearsign(kText);
  auto r = VerifyClearsigned("Origin: Evil\n" + s, TrustedKeyring());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': not a clearsigned message");
  r = VerifyClearsigned(s + "\nOrigin: Evil\n", TrustedKeyring());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().substr(0, 19), "'InRelease': line 1");
  EXPECT_TRUE(r.error().message().ends_with(": data after the signature"));
}

TEST(SignatureTest, RejectsBadArmorHeadersAndUnescapedDashes) {
  std::string s = Signer().Clearsign(kText);
  std::string bad = s;
  bad.insert(bad.find("Hash:"), "Comment: x\n");
  auto r = VerifyClearsigned(bad, TrustedKeyring());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': line 2: unexpected armor header 'Comment: x'");
  bad = s;
  bad.replace(bad.find("- -dash"), 7, "-dash");
  r = VerifyClearsigned(bad, TrustedKeyring());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': line 6: dash line not escaped");
}

TEST(SignatureTest, UnsignedTextFails) {
  auto r = VerifyClearsigned(kText, TrustedKeyring());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': not a clearsigned message");
  std::string s = Signer().Clearsign(kText);
  r = VerifyClearsigned(s.substr(0, s.find("-----BEGIN PGP SIGNATURE")), TrustedKeyring());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'InRelease': no signature block");
}

TEST(SignatureTest, DetachedSignatures) {
  Keyring k = TrustedKeyring();
  EXPECT_TRUE(VerifyDetached(kText, Signer().DetachSign(kText), k));
  auto r = VerifyDetached(kText, Stranger().DetachSign(kText), k);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'Release': no valid signature by a key in 'test.asc'");
  r = VerifyDetached("Origin: Evil\n", Signer().DetachSign(kText), k);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'Release': no valid signature by a key in 'test.asc'");
  r = VerifyDetached(kText, "not a signature", k);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'Release': no valid signature by a key in 'test.asc'");
}

TEST(SignatureTest, LoadsKeyringFilesBinaryAndArmored) {
  std::string dir = testing::TempDir() + "signature_test_" + std::to_string(getpid());
  ASSERT_TRUE(base::MakeDirs(dir));
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/a.gpg", Signer().PublicKeyBinary()));
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/b.asc", Stranger().PublicKeyArmored()));
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/c.txt", "hello"));
  auto k = Keyring::Load(dir + "/a.gpg, " + dir + "/b.asc");
  ASSERT_TRUE(k) << k.error().message();
  EXPECT_TRUE(VerifyClearsigned(Signer().Clearsign(kText), *k));
  EXPECT_TRUE(VerifyClearsigned(Stranger().Clearsign(kText), *k));
  k = Keyring::Load(dir + "/c.txt");
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().message(), "'" + dir + "/c.txt': not an OpenPGP keyring");
  std::filesystem::remove_all(dir);
}

TEST(SignatureTest, ClearsignedTextSplitsWithoutVerifying) {
  std::string s = Signer().Clearsign(kText);
  EXPECT_EQ(ClearsignedText(s), kText);
  // Same strict parser, same errors; no signature check (that is the point).
  EXPECT_EQ(ClearsignedText(Stranger().Clearsign(kText)), kText);
  auto r = ClearsignedText("Origin: Evil\n" + s, "dists/x/InRelease");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "'dists/x/InRelease': not a clearsigned message");
  r = ClearsignedText(s + "\nOrigin: Evil\n");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().ends_with(": data after the signature"));
}

TEST(SignatureTest, KeyringDigestIdentifiesTheKeys) {
  std::string dir = testing::TempDir() + "signature_digest_" + std::to_string(getpid());
  ASSERT_TRUE(base::MakeDirs(dir));
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/a.gpg", Signer().PublicKeyBinary()));
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/b.asc", Stranger().PublicKeyArmored()));
  auto a = KeyringDigest(dir + "/a.gpg");
  auto ab = KeyringDigest(dir + "/a.gpg, " + dir + "/b.asc");
  auto inline_key = KeyringDigest(Signer().PublicKeyArmored());
  ASSERT_TRUE(a && ab && inline_key);
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *ab);
  EXPECT_NE(*a, *inline_key);
  // The digest is the keys' (their bytes), not the path's, and Load agrees.
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/copy.gpg", Signer().PublicKeyBinary()));
  EXPECT_EQ(KeyringDigest(dir + "/copy.gpg"), *a);
  EXPECT_EQ(KeyringDigest(" " + dir + "/a.gpg,\t" + dir + "/b.asc\n"), *ab);
  EXPECT_EQ(Keyring::Load(dir + "/a.gpg")->digest(), *a);
  EXPECT_EQ(Keyring::Load(dir + "/a.gpg, " + dir + "/b.asc")->digest(), *ab);
  EXPECT_EQ(Keyring::Load(Signer().PublicKeyArmored())->digest(), *inline_key);
  // Another key in the same file: another digest.
  ASSERT_TRUE(base::WriteFileAtomic(dir + "/copy.gpg", Stranger().PublicKeyBinary()));
  EXPECT_NE(KeyringDigest(dir + "/copy.gpg"), *a);
  auto missing = KeyringDigest(dir + "/nope.gpg");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            "reading keyring: '" + dir + "/nope.gpg': no such file or directory");
  EXPECT_EQ(missing.error().message(), Keyring::Load(dir + "/nope.gpg").error().message());
  std::filesystem::remove_all(dir);
}

// The host's real Debian InRelease files against the archive keyring, when
// this machine has them (apt update has run).
TEST(SignatureTest, VerifiesHostInRelease) {
  const std::string keyring_path = "/usr/share/keyrings/debian-archive-keyring.gpg";
  std::vector<std::string> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/var/lib/apt/lists", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string p = it->path().string();
    if (p.ends_with("_InRelease") && p.find("debian") != std::string::npos) files.push_back(p);
  }
  if (files.empty() || !base::PathExists(keyring_path)) GTEST_SKIP() << "no host InRelease";
  auto k = Keyring::Load(keyring_path);
  ASSERT_TRUE(k) << k.error().message();
  for (const std::string& f : files) {
    auto bytes = base::ReadFile(f);
    ASSERT_TRUE(bytes);
    auto text = VerifyClearsigned(*bytes, *k, f);
    ASSERT_TRUE(text) << text.error().message();
    EXPECT_TRUE(text->starts_with("Origin: ")) << f;
    auto release = ParseRelease(*text, f);
    ASSERT_TRUE(release) << release.error().message();
    EXPECT_FALSE(release->sha256.empty());
  }
}

}  // namespace
}  // namespace debian
