// A Java trust store (JKS) made from a PEM bundle, as ca-certificates-java's
// postinst would make /etc/ssl/certs/java/cacerts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "fs/tree.h"

namespace build {

inline constexpr char kJavaKeystorePath[] = "etc/ssl/certs/java/cacerts";

struct KeystoreOptions {
  // Every entry's creation date, in milliseconds since the epoch: 0, or
  // SOURCE_DATE_EPOCH * 1000, so that the same bundle gives the same bytes.
  int64_t timestamp_ms = 0;
  // ASCII only. What Java's default trust store uses.
  std::string password = "changeit";
};

// The JKS bytes holding each certificate of `pem_bundle` as a trusted
// certificate entry, aliased by its subject's lowercased common name
// (deduplicated: "name", "name 2", …) and written in alias order. Errors:
// "certificate 3 of the bundle: <OpenSSL's reason>", or "no certificate in
// the bundle".
base::Result<std::string> JavaKeystore(std::string_view pem_bundle,
                                       const KeystoreOptions& options = {});

// Adds `jks` at kJavaKeystorePath (0644, root), with missing parent
// directories as 0755 entries.
base::Result<void> AddJavaKeystore(fs::Tree& tree, std::string jks);

}  // namespace build
