// `distill login HOST [-u USER] [--password-stdin]`: reads the password from
// stdin (one line, the trailing newline dropped) or, on a terminal, prompts
// with echo off; checks the pair with the registry (Basic or the token
// service, registry/client.h CheckLogin); then writes it to
// $DOCKER_CONFIG/config.json (~/.docker/config.json) atomically, mode 0600.
// Error messages name the host and where credentials came from, never the
// password.
#include "cli/login_cmd.h"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "cli/copy_cmd.h"
#include "cli/exit_codes.h"
#include "cli/reporter.h"
#include "registry/client.h"
#include "registry/credentials.h"

namespace cli {

void AddLoginFlags(CLI::App& cmd, LoginFlags& f) {
  cmd.add_option("host", f.host, "registry HOST[:PORT]")->required();
  cmd.add_option("-u,--username", f.username, "user name (default: prompt)");
  cmd.add_flag("--password-stdin", f.password_stdin, "read the password from stdin");
  AddTlsFlags(cmd, f.tls);
}

static std::string ReadLine(bool echo) {
  termios old{};
  bool tty = !echo && isatty(0) && tcgetattr(0, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(0, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(0, TCSANOW, &old);
    fmt::print(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int RunLogin(const LoginFlags& f) {
  if (!f.password_stdin && !isatty(0)) {
    PrintError("no terminal to prompt for a password; use --password-stdin");
    return kExitUsage;
  }
  registry::Credential c;
  c.username = f.username;
  if (c.username.empty()) {
    if (f.password_stdin) {
      PrintError("--password-stdin needs --username");
      return kExitUsage;
    }
    fmt::print(stderr, "Username: ");
    c.username = ReadLine(true);
  }
  if (!f.password_stdin) fmt::print(stderr, "Password: ");
  c.password = ReadLine(false);
  c.origin = "distill login";
  std::string host = registry::CredentialKey(f.host);
  registry::Client client(RegistryOptions(f.tls, 1, nullptr));
  base::Result<void> ok = registry::CheckLogin(client, host, c);
  if (!ok) {
    PrintError(ok.error().Context("logging in to '{}'", host).message());
    return kExitFailure;
  }
  base::Result<std::string> path = registry::StoreCredential(host, c);
  if (!path) {
    PrintError(path.error().Context("logging in to '{}'", host).message());
    return kExitFailure;
  }
  fmt::print(stderr, "login succeeded; credentials stored in '{}'\n", *path);
  return kExitOk;
}

}  // namespace cli
