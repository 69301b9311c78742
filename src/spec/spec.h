// The distill spec (docs/spec.md, DESIGN.md "The spec"): what to build, read
// from YAML. Parsing checks every key against the contract, so a typo is an
// error with its file:line:col and a "did you mean" rather than a silently
// ignored setting.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"

namespace build {

// Where a value sits in the spec file, for error messages.
struct Mark {
  int line = 0;  // 1-based
  int col = 0;   // 1-based
};

struct FileSpec {
  std::string src;   // path in the context (or in stage `from`)
  std::string from;  // build stage name; empty: the context
  std::string dst;   // absolute path in the image
  std::optional<uint32_t> mode;
  std::string owner;  // "uid:gid", "uid", or names
  std::vector<std::string> exclude;
  std::string layer;  // entries with the same name share a layer
  // Dockerfile ADD: a source that is a local tar archive (plain or
  // compressed, known by its content) is unpacked into dst.
  bool extract = false;
  Mark mark, src_mark, dst_mark;
};

// A pattern of the spec's top-level `exclude:` (compose/image_exclude.h):
// gitignore syntax over absolute image paths ("/usr/share/locale/**").
struct ExcludeSpec {
  std::string pattern;
  Mark mark;
};

struct DebianSpec {
  std::string mirror;
  std::string suite;
  std::vector<std::string> components;
  std::string keyring;
  Mark mark;
};

struct ConfigSpec {
  std::optional<std::string> user;
  std::optional<std::string> workdir;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::pair<std::string, std::string>> env;  // in spec order
  std::vector<std::string> ports;
  std::vector<std::string> volumes;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  Mark entrypoint_mark, cmd_mark;  // where the spec sets them, for run-check errors
};

struct UserSpec {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;   // default /home/<name>
  std::string shell;  // default /sbin/nologin
};

struct GroupSpec {
  std::string name;
  uint32_t gid = 0;
};

// A symlink a recipe adds (alternatives that maintainer scripts would make).
// `${DEB_ARCH}` in either field expands to the Debian architecture.
struct LinkSpec {
  std::string path;
  std::string target;
  Mark mark;
};

// Settings that replace the spec's when the Debian suite in effect matches
// (recipes differ between bookworm and trixie in package names).
struct SuiteOverlay {
  std::optional<std::vector<std::string>> packages;
  std::optional<std::vector<LinkSpec>> links;
  std::optional<std::vector<std::string>> entrypoint;
  std::vector<std::pair<std::string, std::string>> env;
};

// One `run:` command of a build stage: a shell string (run with the stage's
// /bin/sh -c, as Dockerfile RUN's shell form) or an argv (exec form).
struct RunSpec {
  std::string shell;              // set for the shell form
  std::vector<std::string> argv;  // set for the exec form
  Mark mark;
};

// A build stage (`stages:` in the contract; a Dockerfile stage that is not
// the final image): a root filesystem made from `base`, then `packages`
// installed with their maintainer scripts run, `files` copied in, and `run`
// commands executed in an OCI runtime. Its resulting filesystem feeds
// `files: - from: NAME` of later stages and of the image.
struct StageSpec {
  std::string name;
  // "" or "debian": the Debian Essential set (plus `packages`); "scratch";
  // another stage's name; a built-in base NAME[:VARIANT]; a spec file path.
  std::string base;
  std::vector<std::string> packages;
  std::vector<FileSpec> files;
  std::string workdir;                                   // default "/"
  std::vector<std::pair<std::string, std::string>> env;  // in order
  std::string user;                                      // default root
  std::vector<RunSpec> run;
  bool network = false;  // `network: true` gives `run` the host's network
  Mark mark, base_mark;
};

struct Spec {
  std::string path;         // the spec file
  std::string source_text;  // its text, for error carets
  std::string base = "scratch";
  Mark base_mark;
  DebianSpec debian;
  bool has_debian = false;
  std::vector<std::string> platforms;
  std::vector<std::string> packages;
  Mark packages_mark;
  // `packages: auto` (or `auto` in the list, which is then not in
  // `packages`): add the Debian packages that ship the shared libraries the
  // entrypoint needs (check/check.h).
  bool auto_packages = false;
  std::vector<FileSpec> files;
  bool has_stages = false;
  bool from_dockerfile = false;  // lowered from a Dockerfile (frontend/dockerfile_lower.h)
  Mark stages_mark;
  std::vector<StageSpec> stages;  // in spec order; later stages may use earlier ones
  std::vector<UserSpec> users;    // accounts: beyond root, nobody, nonroot
  std::vector<GroupSpec> groups;
  Mark accounts_mark;
  // Base-image keys (recipes/*.yaml; usable in any spec):
  std::string description;
  // The distroless skeleton: /etc/passwd, /etc/group, /root, /home/nonroot,
  // /tmp, /etc/nsswitch.conf, /usr/lib/os-release.
  bool skeleton = false;
  bool cacerts = false;       // /etc/ssl/certs/ca-certificates.crt from ca-certificates
  bool java_cacerts = false;  // /etc/ssl/certs/java/cacerts (JKS) from that bundle
  std::string locale;         // "C.utf8": that locale's files from libc-bin
  std::vector<LinkSpec> links;
  // Dependencies treated as satisfied, as dpkg --ignore-depends: for
  // packages needed only by maintainer scripts, which never run.
  std::vector<std::string> ignore_depends;
  std::map<std::string, SuiteOverlay> suites;
  ConfigSpec config;
  // Image paths removed from every layer distill writes: what packages
  // install (their status.d entries stay), synthesized files, `files:`.
  std::vector<ExcludeSpec> exclude;
  bool slim = true;
  bool minimize = false;
  Mark minimize_mark;
  // `check: false` skips the run-check (the entrypoint, its interpreter and
  // its shared libraries must be in the image).
  bool check = true;
  std::string compression;  // "gzip" (default) or "zstd"
};

// Parses spec text; `path` names it in errors. Errors read
// "<path>:<line>:<col>: <what>" and carry the source line and a caret as
// detail.
base::Result<Spec> ParseSpec(const std::string& text, const std::string& path);
// Reads and parses the spec file at `path`.
base::Result<Spec> LoadSpec(const std::string& path);

// An error at `mark` in `spec`'s file, with the caret detail.
base::Error SpecError(const Spec& spec, Mark mark, const std::string& what);

}  // namespace build
