// OpenPGP signature checks for Debian Release files (formats.md D1): the
// clearsigned InRelease, or Release with a detached Release.gpg, verified
// against a keyring with librnp.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

namespace debian {

// A set of trusted public keys. Move-only; owns its librnp state.
class Keyring {
 public:
  // Loads `source`: inline ASCII-armored key text (a deb822 Signed-By block),
  // or one or more keyring file paths (binary .gpg or armored .asc) separated
  // by ',' or whitespace, as apt's Signed-By allows. Fails when a file cannot
  // be read or holds no OpenPGP key; errors name the file.
  static base::Result<Keyring> Load(std::string_view source);
  // Loads keys from `bytes` (binary or armored); `name` is what errors call it.
  static base::Result<Keyring> FromBytes(std::string_view bytes, std::string name);

  Keyring(Keyring&&) noexcept;
  Keyring& operator=(Keyring&&) noexcept;
  ~Keyring();

  // The path(s) the keys came from, or "inline key": used in error messages.
  const std::string& name() const { return name_; }
  // KeyringDigest of what was loaded (for FromBytes: as if `bytes` were an
  // inline key).
  const std::string& digest() const { return digest_; }

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  Keyring(std::unique_ptr<Impl> impl, std::string name, std::string digest);
  std::unique_ptr<Impl> impl_;
  std::string name_;
  std::string digest_;
};

// Checks that `inrelease` is a clearsigned message in apt's strict form
// (header line, only "Hash:" armor headers, dash-escaped text, one signature
// block, nothing but blank lines outside the armor) carrying at least one
// good signature by a key in `keyring`, and returns ONLY the signed text
// (dash-escaping removed; as RFC 4880 §7.1 says, the line break before the
// signature is not part of it, so Debian's Release text comes back without a
// final '\n'). Errors name `name`, e.g.
//   'InRelease': no valid signature by a key in '<keyring>'
base::Result<std::string> VerifyClearsigned(std::string_view inrelease, const Keyring& keyring,
                                            std::string_view name = "InRelease");

// The signed text of a clearsigned `inrelease`, split and checked exactly as
// VerifyClearsigned does (same errors) but with no signature check: for
// bytes already verified with the same keys (see KeyringDigest).
base::Result<std::string> ClearsignedText(std::string_view inrelease,
                                          std::string_view name = "InRelease");

// Identifies the keys that Keyring::Load(source) would load, by content:
// the SHA-256 over each named file's bytes (or over the inline key text), in
// order. Reading a keyring is cheap; loading it into librnp is not (~0.2 s
// for Debian's), so a cache of verified signatures keys on this instead.
// Errors: a file that cannot be read, named as Load names it.
base::Result<std::string> KeyringDigest(std::string_view source);

// Checks that `signature` (armored or binary; may hold several signatures)
// has at least one good signature over `data` by a key in `keyring`. Errors
// name `name` like VerifyClearsigned's.
base::Result<void> VerifyDetached(std::string_view data, std::string_view signature,
                                  const Keyring& keyring, std::string_view name = "Release");

}  // namespace debian
