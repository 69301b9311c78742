// Copying files from the build context into a layer tree: the `files:`
// entries of a spec whose source is the context directory.
#pragma once

#include <string>

#include "base/error.h"
#include "base/limits.h"
#include "cache/store.h"
#include "fs/tree.h"
#include "spec/spec.h"

namespace build {

// Adds `entry` (src relative to `context`; a file, a directory copied
// recursively, or a glob) to `tree`. Paths that the context's .distillignore
// or the entry's `exclude:` (gitignore patterns, compose/ignore_rules.h) match
// are left out of directory copies and glob matches; naming an ignored path
// directly is an error, as is a source reached through a symlink that leaves
// the context. The top directory of a directory copy keeps the owner and
// mode of a directory the image already has there unless `owner` is set. Modes are normalized for
// reproducibility (0755 when any execute bit is set, else 0644; directories
// 0755) unless the entry gives `mode`, which applies to regular files. Owner
// "uid[:gid]" applies to every entry copied. Symlinks are kept as symlinks
// and hardlinked files inside one copy stay hardlinked. Errors point at the
// entry's spec line.
// `below` is the image so far: owner names are looked up in its /etc/passwd
// and /etc/group.
//
// Hostile contexts: a source or destination holding a NUL byte is an error
// (the rest of the path would be cut off: "a\0" would copy the whole
// context into itself), and so is a file or ADD archive entry whose name
// starts with ".wh." (a layer would read it as a whiteout, OCI layer.md;
// Docker refuses them too). An ADD archive's regular files are streamed
// into `options.store` (when given; else held in memory, each up to
// value-bytes) and the archive is read under `options.limits`.
struct ContextOptions {
  const cache::Store* store = nullptr;
  base::Limits limits = {};
};
base::Result<void> AddContextFiles(const Spec& spec, const FileSpec& entry,
                                   const std::string& context, fs::Tree& tree,
                                   const fs::Tree& below, const ContextOptions& options = {});

// Parses "uid", "uid:gid", "name", "name:group" (names from `below`'s
// /etc/passwd and /etc/group; a user name alone takes the user's group).
base::Result<std::pair<uint32_t, uint32_t>> ParseOwner(const std::string& owner,
                                                       const fs::Tree& below);

// A text naming everything the layer of `tree` (a files layer) depends on:
// each entry's path, type, mode, owner, size, link and the clamped mtime the
// layer writer will store, and the sha256 of each regular file's content
// (read from disk). Equal texts give byte-identical layers, so this keys the
// layer cache: an unchanged files layer is never compressed again. Fails
// when a file cannot be read.
base::Result<std::string> FilesLayerInputs(const fs::Tree& tree, int64_t source_date_epoch);

}  // namespace build
