// The command line: one table of subcommands drives dispatch, help and "did
// you mean" (ninja's -t table). CLI11 parses each subcommand's flags; a parse
// error prints one line plus a usage hint and exits 2; it never repeats an
// argument of `distill login` or one that looks like a secret.
#include "cli/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "cli/build_cmd.h"
#include "cli/copy_cmd.h"
#include "cli/exit_codes.h"
#include "cli/inspect_cmd.h"
#include "cli/lock_cmd.h"
#include "cli/login_cmd.h"
#include "cli/reporter.h"

namespace cli {

namespace {

struct Command {
  const char* name;
  const char* help;
};

constexpr Command kCommands[] = {
    {"build", "build an image from a spec"},
    {"inspect", "show an image's manifest, config and layers"},
    {"lock", "write distill.lock: the exact packages the spec resolves to"},
    {"base", "build a built-in base: static, base, cc, python3, java17, nodejs..."},
    {"recipes", "list the built-in bases and what each holds"},
    {"copy", "copy an image between oci:, oci-archive:, docker-archive: and docker://"},
    {"login", "store registry credentials as docker login does"},
};

std::vector<std::string> CommandNames() {
  std::vector<std::string> names;
  for (const Command& c : kCommands) names.push_back(c.name);
  return names;
}

// True when the command line is `distill login ...` (its arguments are
// credentials) or any argument names a password, token or secret.
bool MayHoldSecret(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "login") return true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    for (char& c : a) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    for (const char* word : {"pass", "token", "secret", "auth"})
      if (a.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

int Main(int argc, char** argv) {
  // An unknown subcommand gets a suggestion before CLI11 sees it.
  if (argc > 1 && argv[1][0] != '-') {
    std::string sub = argv[1];
    std::vector<std::string> names = CommandNames();
    if (std::find(names.begin(), names.end(), sub) == names.end()) {
      std::string close = base::ClosestMatch(sub, names);
      PrintError(fmt::format("unknown command '{}'{}", sub,
                             close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close)));
      fmt::print(stderr, "run 'distill --help' for usage\n");
      return kExitUsage;
    }
  }

  CLI::App app{"distill: minimal, reproducible OCI images from Debian packages and artifacts"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "distill 0.1.0");

  BuildFlags build_flags;
  CLI::App* build = app.add_subcommand("build", kCommands[0].help);
  AddBuildFlags(*build, build_flags);

  InspectFlags inspect_flags;
  CLI::App* inspect = app.add_subcommand("inspect", kCommands[1].help);
  AddInspectFlags(*inspect, inspect_flags);

  LockFlags lock_flags;
  CLI::App* lock = app.add_subcommand("lock", kCommands[2].help);
  AddLockFlags(*lock, lock_flags);

  BuildFlags base_flags;
  CLI::App* base = app.add_subcommand("base", kCommands[3].help);
  AddBuildFlags(*base, base_flags, /*base_mode=*/true);

  CLI::App* recipes = app.add_subcommand("recipes", kCommands[4].help);

  CopyFlags copy_flags;
  CLI::App* copy = app.add_subcommand("copy", kCommands[5].help);
  AddCopyFlags(*copy, copy_flags);

  LoginFlags login_flags;
  CLI::App* login = app.add_subcommand("login", kCommands[6].help);
  AddLoginFlags(*login, login_flags);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 quotes the arguments it rejects; for a command that takes a
    // secret, or an argument that looks like one, say what is wrong
    // without any value.
    if (MayHoldSecret(argc, argv)) {
      PrintError(
          fmt::format("invalid arguments to 'distill {}' (not shown, as they may hold a "
                      "secret)",
                      argv[1]));
      fmt::print(stderr, "run 'distill {} --help' for usage\n", argv[1]);
      return kExitUsage;
    }
    std::string what = e.what();
    if (!what.empty()) what[0] = static_cast<char>(tolower(static_cast<unsigned char>(what[0])));
    PrintError(what);
    fmt::print(stderr, "run 'distill --help' for usage\n");
    return kExitUsage;
  }
  if (build->parsed()) return RunBuild(build_flags);
  if (inspect->parsed()) return RunInspect(inspect_flags);
  if (lock->parsed()) return RunLock(lock_flags);
  if (base->parsed()) return RunBuild(base_flags);
  if (recipes->parsed()) return RunRecipes();
  if (copy->parsed()) return RunCopy(copy_flags);
  if (login->parsed()) return RunLogin(login_flags);
  return kExitUsage;
}

}  // namespace cli
