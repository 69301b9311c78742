// `distill copy SRC DEST`: both arguments take every IMAGE form of the
// contract (oci:, oci-archive:, docker-archive:, docker://). The image's
// bytes are carried over unchanged, so the digest printed last on stdout is
// the source's. Registry credentials come from registry/credentials.h.
#include "cli/copy_cmd.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/reporter.h"
#include "oci/reference.h"
#include "registry/transfer.h"

namespace cli {

void AddTlsFlags(CLI::App& cmd, TlsFlags& tls) {
  cmd.add_option("--tls-verify", tls.verify,
                 "verify registry certificates; false also allows plain http")
      ->default_val(true);
  cmd.add_option("--cert-dir", tls.cert_dir,
                 "CA certificates (*.crt) and a client certificate (*.cert, *.key) for every "
                 "registry, instead of certs.d");
}

registry::Options RegistryOptions(const TlsFlags& tls, int jobs, base::Reporter* reporter) {
  registry::Options o;
  o.tls_verify = tls.verify;
  o.config.cert_dir = tls.cert_dir;
  o.jobs = std::max(jobs, 1);
  o.reporter = reporter;
  // The variable OpenSSL, curl(1) and Go (skopeo, podman) read.
  if (const char* ca = getenv("SSL_CERT_FILE"); ca && *ca) o.ca_file = ca;
  return o;
}

void AddCopyFlags(CLI::App& cmd, CopyFlags& f) {
  cmd.add_option("src", f.src, "source image: oci:, oci-archive:, docker-archive: or docker://")
      ->required();
  cmd.add_option("dest", f.dest, "destination, in the same forms")->required();
  AddTlsFlags(cmd, f.tls);
  cmd.add_option("--jobs", f.jobs, "blobs transferred at once")->check(CLI::Range(1, 64));
  cmd.add_option("--progress", f.progress, "progress on stderr")
      ->check(CLI::IsMember({"auto", "plain", "none"}));
  cmd.add_flag("--json", f.json, "print one JSON object on stdout");
}

int RunCopy(const CopyFlags& f) {
  base::Result<oci::ImageRef> src = oci::ParseImageRef(f.src);
  base::Result<oci::ImageRef> dst = src ? oci::ParseImageRef(f.dest) : src;
  if (!dst) {
    PrintError((src ? dst : src).error().message());
    return kExitUsage;
  }
  StderrReporter reporter(ParseProgressMode(f.progress));
  registry::Client client(RegistryOptions(f.tls, f.jobs, &reporter));
  registry::PushStats stats;
  base::Result<std::string> digest = registry::Copy(client, *src, *dst, &stats);
  if (!digest) {
    PrintError(digest.error().Context("copying '{}' to '{}'", f.src, f.dest).message());
    return kExitFailure;
  }
  if (f.json) {
    nlohmann::json j = {{"digest", *digest},
                        {"blobs",
                         {{"existed", stats.existed.load()},
                          {"mounted", stats.mounted.load()},
                          {"uploaded", stats.uploaded.load()}}}};
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}\n", *digest);
  }
  return kExitOk;
}

}  // namespace cli
