// `distill copy SRC DEST`: copy an image between any two forms (push, pull,
// convert), and the registry flags shared with build and login.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "base/reporter.h"
#include "registry/session.h"

namespace cli {

struct CopyFlags {
  std::string src;
  std::string dest;
  bool tls_verify = true;
  int jobs = 4;
  std::string progress = "auto";
  bool json = false;
};

// Registers --tls-verify on `cmd` (podman's spelling: --tls-verify=false).
void AddTlsVerifyFlag(CLI::App& cmd, bool& tls_verify);
// Registry options for a command: TLS verification as flagged, the CA
// bundle from $SSL_CERT_FILE when set, status lines to `reporter`.
registry::Options RegistryOptions(bool tls_verify, int jobs, base::Reporter* reporter);

void AddCopyFlags(CLI::App& cmd, CopyFlags& flags);
// Runs a copy; prints the top digest last on stdout; returns the exit status.
int RunCopy(const CopyFlags& flags);

}  // namespace cli
