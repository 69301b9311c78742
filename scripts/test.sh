#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds with ASan+UBSan and runs the whole suite:
# unit tests, CLI golden tests and end-to-end tests (podman, skopeo, umoci),
# in a random order each run (--schedule-random): no test may depend on
# another having run first. Extra arguments go to ctest (e.g. -L cli).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${PRESET:-asan}
scripts/setup.sh "$preset"
ctest --preset "$preset" -j2 --schedule-random "$@"
