// SHA-256 through OpenSSL's EVP interface, which picks the SHA-NI or AVX code
// path at run time; layer digests are computed while streaming, so this sits
// on the hot path of every build.
#include "base/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <vector>

#include "base/file_util.h"

namespace base {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;

void Sha256::Update(std::span<const uint8_t> bytes) {
  EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}
void Sha256::Update(std::string_view bytes) {
  EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

std::string Sha256::FinishHex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.FinishHex();
}

std::string Sha256Digest(std::string_view bytes) { return "sha256:" + Sha256Hex(bytes); }

Result<std::string> Sha256FileHex(const std::string& path) {
  Result<UniqueFile> f = OpenRead(path);
  if (!f) return Fail(f.error());
  Sha256 h;
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    size_t n = fread(buf.data(), 1, buf.size(), f->get());
    if (n > 0) h.Update(std::span<const uint8_t>(buf.data(), n));
    if (n < buf.size()) {
      if (ferror(f->get())) return Fail("reading '{}': {}", path, ErrnoText());
      break;
    }
  }
  return h.FinishHex();
}

bool IsSha256Digest(std::string_view digest) {
  if (digest.size() != 71 || digest.substr(0, 7) != "sha256:") return false;
  for (char c : digest.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace base
