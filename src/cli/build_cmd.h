// `distill build`: options and the command.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace cli {

struct BuildFlags {
  std::string file;
  std::string context;
  std::vector<std::string> outputs;
  std::vector<std::string> platforms;
  std::string cache;
  std::string compression;
  std::string progress = "auto";
  bool json = false;
  bool locked = false;
  bool offline = false;
  bool tls_verify = true;  // for docker:// outputs
};

// Registers the build subcommand's flags on `cmd`.
void AddBuildFlags(CLI::App& cmd, BuildFlags& flags);
// Runs a build; returns the exit status.
int RunBuild(const BuildFlags& flags);

}  // namespace cli
