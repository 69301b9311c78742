// `distill copy SRC DEST`: copy an image between any two forms (push, pull,
// convert), and the registry flags shared with build and login.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "base/reporter.h"
#include "registry/session.h"

namespace cli {

// The flags every registry command takes, spelled as podman's and skopeo's.
struct TlsFlags {
  bool verify = true;    // --tls-verify
  std::string cert_dir;  // --cert-dir
};

struct CopyFlags {
  std::string src;
  std::string dest;
  TlsFlags tls;
  int jobs = 4;
  std::string progress = "auto";
  bool json = false;
};

// Registers --tls-verify (podman's spelling: --tls-verify=false) and
// --cert-dir on `cmd`.
void AddTlsFlags(CLI::App& cmd, TlsFlags& tls);
// Registry options for a command: TLS verification and the certificate
// directory as flagged, the CA bundle from $SSL_CERT_FILE when set, status
// lines to `reporter`. registries.conf and certs.d apply per host.
registry::Options RegistryOptions(const TlsFlags& tls, int jobs, base::Reporter* reporter);

void AddCopyFlags(CLI::App& cmd, CopyFlags& flags);
// Runs a copy; prints the top digest last on stdout; returns the exit status.
int RunCopy(const CopyFlags& flags);

}  // namespace cli
