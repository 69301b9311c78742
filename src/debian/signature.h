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

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  Keyring(std::unique_ptr<Impl> impl, std::string name);
  std::unique_ptr<Impl> impl_;
  std::string name_;
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

// Checks that `signature` (armored or binary; may hold several signatures)
// has at least one good signature over `data` by a key in `keyring`. Errors
// name `name` like VerifyClearsigned's.
base::Result<void> VerifyDetached(std::string_view data, std::string_view signature,
                                  const Keyring& keyring, std::string_view name = "Release");

}  // namespace debian
