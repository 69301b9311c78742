// `distill build`: options and the command.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/copy_cmd.h"

namespace cli {

struct BuildFlags {
  std::string file;
  std::string context;
  std::vector<std::string> outputs;
  std::vector<std::string> platforms;
  std::vector<std::string> limits;  // --limit NAME=VALUE
  std::string cache;
  std::string compression;
  std::string progress = "auto";
  bool json = false;
  bool locked = false;
  bool offline = false;
  std::vector<std::string> debug;  // -d explain
  std::string base_ref;            // `distill base NAME[:VARIANT]`
  TlsFlags tls;                    // for docker:// outputs, bases and caches
  // The registry build cache (workspace/registry_cache.h): docker:// references.
  std::vector<std::string> cache_from;
  std::string cache_to;
  // Dockerfiles only:
  std::string target;                   // --target STAGE
  std::vector<std::string> build_args;  // --build-arg K[=V]
  std::vector<std::string> base_maps;   // --base-map REF=TARGET
};

// Registers the build subcommand's flags on `cmd`.
// With `base_mode`, the positional argument is a built-in base
// NAME[:VARIANT] instead of -f FILE and CONTEXT (`distill base`).
void AddBuildFlags(CLI::App& cmd, BuildFlags& flags, bool base_mode = false);
// `distill recipes`: the built-in bases, what each is built on and holds.
int RunRecipes();
// Runs a build; returns the exit status.
int RunBuild(const BuildFlags& flags);

}  // namespace cli
