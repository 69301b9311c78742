// SHA-256 over streamed bytes (OpenSSL EVP), and the OCI digest spelling
// "sha256:<64 lowercase hex>" (image-spec descriptor.md).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace base {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::span<const uint8_t> bytes);
  void Update(std::string_view bytes);
  // Returns the 64-character lowercase hex digest. Call once.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view bytes);
// "sha256:" + Sha256Hex(bytes).
std::string Sha256Digest(std::string_view bytes);
// Hashes a file by streaming it; errors name the file.
Result<std::string> Sha256FileHex(const std::string& path);
// True when `digest` is "sha256:" followed by exactly 64 lowercase hex chars.
bool IsSha256Digest(std::string_view digest);

}  // namespace base
