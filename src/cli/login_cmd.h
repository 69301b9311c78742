// `distill login HOST`: check credentials against a registry and store them
// in docker's config.json, as `docker login` does.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/copy_cmd.h"

namespace cli {

struct LoginFlags {
  std::string host;
  std::string username;
  bool password_stdin = false;
  TlsFlags tls;
};

void AddLoginFlags(CLI::App& cmd, LoginFlags& flags);
// Returns the exit status; the secret never reaches stdout or stderr.
int RunLogin(const LoginFlags& flags);

}  // namespace cli
