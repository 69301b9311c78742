// Placeholder dispatch; replaced by the subcommand table.
#include "cli/cli.h"

namespace cli {
int Main(int, char**) { return 2; }
}  // namespace cli
