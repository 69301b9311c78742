// The command line: subcommand table, flag parsing, diagnostics, exit codes.
#pragma once

namespace cli {

// Runs distill with the process arguments; returns the exit status
// (0 ok, 1 failure, 2 usage, 130 interrupted).
int Main(int argc, char** argv);

}  // namespace cli
