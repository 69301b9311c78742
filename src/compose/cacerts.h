// The CA bundle that ca-certificates' postinst (update-ca-certificates)
// would write, made from the package's files instead.
#pragma once

#include <string>

#include "base/error.h"
#include "fs/tree.h"

namespace build {

// Where the bundle goes: the path SSL_CERT_FILE names in every base.
inline constexpr char kCaBundlePath[] = "etc/ssl/certs/ca-certificates.crt";

// The bundle: every regular file under usr/share/ca-certificates/ of
// `ca_certificates` (the package's unpacked tree), concatenated in sorted
// path order, each ending with a newline. An error when there is none or a
// file cannot be read.
base::Result<std::string> CaBundle(const fs::Tree& ca_certificates);

// Adds `bundle` to `tree` at kCaBundlePath (0644, root), with etc, etc/ssl
// and etc/ssl/certs as 0755 directories where `tree` has none.
base::Result<void> AddCaBundle(fs::Tree& tree, std::string bundle);

// The bytes of a regular file of a tree, wherever its content lives.
base::Result<std::string> ReadNodeContent(const fs::Node& node);

}  // namespace build
