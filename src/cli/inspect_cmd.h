// `distill inspect IMAGE [--json]`: manifest, config, layers, sizes.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace cli {

struct InspectFlags {
  std::string image;
  bool json = false;
};

void AddInspectFlags(CLI::App& cmd, InspectFlags& flags);
int RunInspect(const InspectFlags& flags);

}  // namespace cli
