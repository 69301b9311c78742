// Copying files from the build context into a layer tree: the `files:`
// entries of a spec whose source is the context directory.
#pragma once

#include <string>

#include "base/error.h"
#include "build/spec.h"
#include "fs/tree.h"

namespace build {

// Adds `entry` (src relative to `context`; a file, a directory copied
// recursively, or a glob) to `tree`. Modes are normalized for
// reproducibility (0755 when any execute bit is set, else 0644; directories
// 0755) unless the entry gives `mode`, which applies to regular files. Owner
// "uid[:gid]" applies to every entry copied. Symlinks are kept as symlinks
// and hardlinked files inside one copy stay hardlinked. Errors point at the
// entry's spec line.
// `below` is the image so far: owner names are looked up in its /etc/passwd
// and /etc/group.
base::Result<void> AddContextFiles(const Spec& spec, const FileSpec& entry,
                                   const std::string& context, fs::Tree& tree,
                                   const fs::Tree& below);

// Parses "uid", "uid:gid", "name", "name:group" (names from `below`'s
// /etc/passwd and /etc/group; a user name alone takes the user's group).
base::Result<std::pair<uint32_t, uint32_t>> ParseOwner(const std::string& owner,
                                                       const fs::Tree& below);

}  // namespace build
