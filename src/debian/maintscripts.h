// Maintainer scripts are never run: for each package, what distill does
// instead, and a warning for what it does not.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/error.h"
#include "fs/tree.h"

namespace debian {

// An effect of maintainer scripts that distill reproduces as data.
enum class Emulation {
  kCaBundle,        // /etc/ssl/certs/ca-certificates.crt (compose/cacerts.h)
  kJavaTrustStore,  // /etc/ssl/certs/java/cacerts (compose/java_keystore.h)
  kAlternatives,    // update-alternatives links (AddAlternatives below)
};

struct ScriptReview {
  std::vector<Emulation> emulations;
  // One per script whose effects are neither emulated nor known to be
  // unneeded: "'foo': postinst is not emulated; its effects are missing
  // from the image".
  std::vector<std::string> warnings;
  bool operator==(const ScriptReview&) const = default;
};

// Decides for `package` with maintainer scripts `scripts` (name → text, the
// names of archive::DebControl::scripts) what distill emulates and what it
// warns about. The table is in maintscripts.cc.
ScriptReview ReviewMaintainerScripts(const std::string& package,
                                     const std::map<std::string, std::string>& scripts);

// The update-alternatives links `package` would get, as symlinks added to
// `tree` (the package's own tree): for openjdk-N-jre-headless and
// openjdk-N-jdk-headless, usr/bin/<tool> → ../lib/jvm/<jvm>/bin/<tool> for
// every tool the package ships, and usr/bin/jexec for the JRE. Returns the
// links added ("usr/bin/java"); none for other packages.
base::Result<std::vector<std::string>> AddAlternatives(const std::string& package, fs::Tree& tree);

}  // namespace debian
