#include "compose/java_keystore.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <vector>

namespace build {
namespace {

// A self-signed certificate for `cn`, generated at test time, as PEM; its
// DER goes to `der`.
std::string MakeCert(const std::string& cn, std::string* der) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Org"), -1, -1, 0);
  if (!cn.empty())
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_set_pubkey(x, key);
  X509_sign(x, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  unsigned char* d = nullptr;
  int len = i2d_X509(x, &d);
  *der = std::string(reinterpret_cast<char*>(d), static_cast<size_t>(len));
  OPENSSL_free(d);
  BIO_free(bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return pem;
}

// A JKS reader for the test: the entries as (alias, timestamp, der), and
// whether the trailing digest matches the password.
struct Entry {
  std::string alias;
  uint64_t timestamp;
  std::string der;
  bool operator==(const Entry&) const = default;
};

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  uint64_t U(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b_.at(pos_++));
    return v;
  }
  std::string Bytes(size_t n) {
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

std::vector<Entry> ParseJks(const std::string& jks, const std::string& password, bool* digest_ok) {
  Reader r(jks);
  EXPECT_EQ(r.U(4), 0xFEEDFEEDu);
  EXPECT_EQ(r.U(4), 2u);
  uint64_t count = r.U(4);
  std::vector<Entry> out;
  for (uint64_t i = 0; i < count; ++i) {
    EXPECT_EQ(r.U(4), 2u);  // trusted certificate
    Entry e;
    e.alias = r.Bytes(r.U(2));
    e.timestamp = r.U(8);
    EXPECT_EQ(r.Bytes(r.U(2)), "X.509");
    e.der = r.Bytes(r.U(4));
    out.push_back(e);
  }
  std::string keyed;
  for (char c : password) keyed += std::string(1, '\0') + c;
  std::string signed_part = keyed + "Mighty Aphrodite" + jks.substr(0, r.pos());
  unsigned char md[20];
  unsigned int n = 0;
  EVP_Digest(signed_part.data(), signed_part.size(), md, &n, EVP_sha1(), nullptr);
  *digest_ok = jks.substr(r.pos()) == std::string(reinterpret_cast<char*>(md), n);
  return out;
}

TEST(JavaKeystoreTest, RoundTrip) {
  std::string der_a, der_b, der_c, der_d;
  std::string bundle = MakeCert("Zeta Root CA", &der_a) + MakeCert("Alpha Root", &der_b) + "\n" +
                       MakeCert("Alpha Root", &der_c) + MakeCert("", &der_d);
  auto jks = JavaKeystore(bundle, {.timestamp_ms = 1700000000000});
  ASSERT_TRUE(jks) << jks.error().message();
  bool digest_ok = false;
  EXPECT_EQ(ParseJks(*jks, "changeit", &digest_ok),
            (std::vector<Entry>{{"alpha root", 1700000000000, der_b},
                                {"alpha root 2", 1700000000000, der_c},
                                {"org", 1700000000000, der_d},
                                {"zeta root ca", 1700000000000, der_a}}));
  EXPECT_TRUE(digest_ok);
  ParseJks(*jks, "other", &digest_ok);
  EXPECT_FALSE(digest_ok);
  // Reproducible: the same bundle, the same bytes.
  EXPECT_EQ(*JavaKeystore(bundle, {.timestamp_ms = 1700000000000}), *jks);
}

TEST(JavaKeystoreTest, NonAsciiAlias) {
  std::string der;
  auto jks = JavaKeystore(MakeCert("Főtanúsítvány \xF0\x9F\x94\x92", &der));
  ASSERT_TRUE(jks) << jks.error().message();
  bool digest_ok = false;
  std::vector<Entry> entries = ParseJks(*jks, "changeit", &digest_ok);
  ASSERT_EQ(entries.size(), 1u);
  // U+1F512 as the surrogates D83D DD12, three bytes each.
  EXPECT_EQ(entries[0].alias, "főtanúsítvány \xED\xA0\xBD\xED\xB4\x92");
  EXPECT_EQ(entries[0].timestamp, 0u);
  EXPECT_TRUE(digest_ok);
}

TEST(JavaKeystoreTest, Errors) {
  auto jks = JavaKeystore("no pem here\n");
  ASSERT_FALSE(jks);
  EXPECT_EQ(jks.error().message(), "no certificate in the bundle");
  std::string der;
  std::string good = MakeCert("a", &der);
  jks = JavaKeystore(good + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(jks);
  EXPECT_TRUE(jks.error().message().starts_with("certificate 2 of the bundle: "))
      << jks.error().message();
}

TEST(JavaKeystoreTest, AddsTheFile) {
  fs::Tree tree;
  ASSERT_TRUE(AddJavaKeystore(tree, "JKS"));
  const fs::Node* n = tree.Find(kJavaKeystorePath);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->mode, 0644u);
  EXPECT_EQ(*n->content.bytes, "JKS");
  EXPECT_FALSE(tree.Find("etc/ssl/certs/java")->implicit);
}

}  // namespace
}  // namespace build
