// Writing a JKS key store (the format of sun.security.provider.JavaKeyStore,
// which Java's default trust store has used since 1.2 and still reads):
//   u32 magic 0xFEEDFEED, u32 version 2, u32 entry count, then per entry
//   u32 tag (2 = trusted certificate), UTF alias, u64 creation date (ms),
//   UTF certificate type "X.509", u32 length and the DER certificate;
//   last, 20 bytes of SHA-1 over the password as UTF-16BE, the bytes of
//   "Mighty Aphrodite" and everything before the digest.
// Integers are big-endian; "UTF" is Java's DataOutput.writeUTF: a u16 byte
// length then modified UTF-8 (NUL as C0 80, characters beyond the BMP as
// two 3-byte surrogates). Java's reader lowercases aliases on lookup, so
// aliases are stored lowercased (ASCII letters; others are kept as they are).
//
// ca-certificates-java names entries "debian:<file>.pem"; the bundle has no
// file names, so the alias is the subject's common name (else its
// organizational unit, else organization), which is what keytool -list shows
// usefully. PEM is parsed by OpenSSL.
#include "compose/java_keystore.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

namespace build {

using base::Fail;
using base::Result;

namespace {

constexpr uint32_t kMagic = 0xFEEDFEED;
constexpr uint32_t kVersion = 2;
constexpr uint32_t kTrustedCertTag = 2;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

void PutU16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}
void PutU32(std::string& out, uint32_t v) {
  PutU16(out, static_cast<uint16_t>(v >> 16));
  PutU16(out, static_cast<uint16_t>(v & 0xffff));
}
void PutU64(std::string& out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v & 0xffffffff));
}

// UTF-8 → Java's modified UTF-8 (DataOutput.writeUTF without the length).
std::string ModifiedUtf8(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) {
      out += "\xC0\x80";
      ++i;
    } else if (c >= 0xF0 && i + 3 < s.size()) {
      uint32_t cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
                    (s[i + 3] & 0x3Fu);
      cp -= 0x10000;
      for (uint32_t unit : {0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)}) {
        out += static_cast<char>(0xE0 | (unit >> 12));
        out += static_cast<char>(0x80 | ((unit >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (unit & 0x3F));
      }
      i += 4;
    } else {
      out += s[i++];
    }
  }
  return out;
}

void PutUtf(std::string& out, std::string_view s) {
  std::string m = ModifiedUtf8(s);
  PutU16(out, static_cast<uint16_t>(std::min<size_t>(m.size(), 0xFFFF)));
  out.append(m, 0, 0xFFFF);
}

// The subject's CN (else OU, else O) as UTF-8, ASCII-lowercased.
std::string AliasOf(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  for (int nid : {NID_commonName, NID_organizationalUnitName, NID_organizationName}) {
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0) continue;
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (n < 0) continue;
    std::string alias(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
    OPENSSL_free(utf8);
    for (char& c : alias)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!alias.empty()) return alias;
  }
  return "certificate";
}

std::string OpenSslReason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  return reason ? reason : "unreadable certificate";
}

// Each certificate of the bundle, DER-encoded, keyed by its unique alias.
Result<std::map<std::string, std::string>> ReadBundle(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::map<std::string, std::string> out;
  ERR_clear_error();
  for (int index = 1;; ++index) {
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) break;
      return Fail("certificate {} of the bundle: {}", index, OpenSslReason());
    }
    unsigned char* der = nullptr;
    int n = i2d_X509(cert.get(), &der);
    if (n < 0) return Fail("certificate {} of the bundle: {}", index, OpenSslReason());
    std::string base = AliasOf(cert.get()), alias = base;
    for (int k = 2; out.count(alias); ++k) alias = base + " " + std::to_string(k);
    out.emplace(alias, std::string(reinterpret_cast<char*>(der), static_cast<size_t>(n)));
    OPENSSL_free(der);
  }
  ERR_clear_error();
  if (out.empty()) return Fail("no certificate in the bundle");
  return out;
}

std::string Sha1(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha1(), nullptr);
  return std::string(reinterpret_cast<char*>(md), n);
}

}  // namespace

Result<std::string> JavaKeystore(std::string_view pem_bundle, const KeystoreOptions& options) {
  Result<std::map<std::string, std::string>> certs = ReadBundle(pem_bundle);
  if (!certs) return Fail(certs.error());
  std::string out;
  PutU32(out, kMagic);
  PutU32(out, kVersion);
  PutU32(out, static_cast<uint32_t>(certs->size()));
  for (const auto& [alias, der] : *certs) {
    PutU32(out, kTrustedCertTag);
    PutUtf(out, alias);
    PutU64(out, static_cast<uint64_t>(options.timestamp_ms));
    PutUtf(out, "X.509");
    PutU32(out, static_cast<uint32_t>(der.size()));
    out += der;
  }
  // The password as Java chars, big-endian (ASCII passwords: a zero byte
  // before each).
  std::string keyed;
  for (char c : options.password) keyed += std::string(1, '\0') + c;
  out += Sha1(keyed + "Mighty Aphrodite" + out);
  return out;
}

Result<void> AddJavaKeystore(fs::Tree& tree, std::string jks) {
  for (const char* dir : {"etc", "etc/ssl", "etc/ssl/certs", "etc/ssl/certs/java"})
    if (tree.Find(dir) == nullptr) DISTILL_TRY(tree.Add(dir, fs::Node::Dir(0755)));
  uint64_t size = jks.size();
  return tree.Add(kJavaKeystorePath, fs::Node::File(fs::Content::Inline(std::move(jks)), size));
}

}  // namespace build
