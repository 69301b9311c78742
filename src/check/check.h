// The run-check pass and `packages: auto` (issue 5 items 3 and 4): before
// anything is written, the image's entrypoint must be able to start — the
// file exists and is executable, a script's interpreter is there, an ELF
// program's loader and every shared library it needs resolve inside the
// image (analyze/closure.h). Missing libraries are named with the Debian
// package that ships them; `packages: auto` adds those packages itself.
#pragma once

#include <string>
#include <vector>

#include "analyze/closure.h"
#include "base/error.h"
#include "spec/chain.h"
#include "compose/compose.h"
#include "resolve/library_packages.h"
#include "resolve/plan.h"
#include "oci/image.h"

namespace build {

// Rounds of compose → check → add packages before `packages: auto` gives
// up; each round adds at least one package, and a library's package brings
// its own dependencies along, so real programs close in one or two.
inline constexpr int kMaxAutoRounds = 4;

// The command the runtime starts: Entrypoint[0], else Cmd[0]; "" when the
// image has neither (a base image), which is not checked.
std::string CommandToCheck(const oci::RunConfig& run);

// True when `chain`'s requested spec wants the check (no `check: false`)
// and `run` names a command.
bool WantsCheck(const Chain& chain, const oci::RunConfig& run);

// The run-check over `image`'s merged filesystem for `debian_arch`, with the
// config's working directory and PATH. Errors only for unreadable or
// malformed files (analyze::CheckRunnable).
base::Result<analyze::RunCheck> CheckComposed(const Composed& image,
                                              const std::string& debian_arch);

// What a lookup should ask the Contents index for `check`'s problems: the
// missing libraries, and the missing interpreters as paths (a bare name
// found through PATH is asked for in /usr/bin and /usr/sbin).
ShippingQuery QueryFor(const analyze::RunCheck& check);

// The packages that ship `check`'s missing libraries, one per library (the
// first by name when several do), in discovery order, without duplicates.
std::vector<std::string> PackagesToAdd(const analyze::RunCheck& check, const Shipping& shipping);

// The error for a failed check: each problem on its own line, the first
// one at the spec line that set the command (with a caret), then, for
// several, a count. With `shipping`, missing libraries and interpreters
// name their package:
//   '/app/server' needs 'libpq.so.5' (package libpq5): add it to packages
//   '/app/server' needs 'libfoo.so.1', which no Debian package in bookworm ships
//   '/app/run.sh' needs interpreter '/bin/sh', which is not in the image (package dash ships it)
// Without (an image without Debian packages), a library reads
//   '/app/server' needs 'libpq.so.5', which is not in the image
base::Error CheckError(const Chain& chain, const analyze::RunCheck& check,
                       const Shipping* shipping);

// The packages `packages: auto` adds to `chain`'s requested spec for
// `platform`: composes, checks, looks the missing libraries up in the
// Contents index, adds their packages and repeats until the check finds no
// missing library or nothing new to add (at most kMaxAutoRounds). With
// --locked, they are the lock's requests beyond the spec's, and nothing is
// composed. Empty when the spec does not
// say `auto`. The final check is the check pass's, not this function's.
base::Result<std::vector<std::string>> AutoPackages(Resolver& r, const Chain& chain,
                                                    const StageFiles* stages,
                                                    const oci::Platform& platform);

// `chain` with `packages` appended to its requested spec's packages.
Chain WithPackages(Chain chain, const std::vector<std::string>& packages);

// The check pass: fails with CheckError when `image` would not start,
// naming packages from the Contents index when the image uses Debian
// packages (or `packages: auto`). When the lookup itself fails (offline
// without the index, say), the problems are still reported, without
// package names, and a warning says why.
base::Result<void> CheckImage(Resolver& r, const Chain& chain, const Composed& image,
                              const std::string& debian_arch);

}  // namespace build
