// `distill lock [-f FILE]`: resolve the spec's packages for every platform,
// fetch them into the cache, and write distill.lock beside the spec.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "resolve/packages.h"

namespace cli {

struct LockFlags {
  std::string file;
  std::vector<std::string> platforms;
  std::string cache;
  std::string progress = "auto";
  std::vector<std::string> debug;  // -d explain
  bool json = false;
  bool offline = false;
  bool dry_run = false;  // resolve only: no downloads, no lock written
};

void AddLockFlags(CLI::App& cmd, LockFlags& flags);
// Returns the exit status.
int RunLock(const LockFlags& flags);

// Prints `-d explain` lines for every platform on stderr.
void PrintExplain(const std::vector<build::PlatformPackages>& platforms);

}  // namespace cli
