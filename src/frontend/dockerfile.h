// The Dockerfile frontend, first half: the text of a Dockerfile (or
// Containerfile) parsed into instructions as BuildKit's parser does it —
// parser directives (`# escape=`, `# syntax=`), comments, line
// continuations, case-insensitive keywords, `--flag=value` options and the
// JSON (exec) versus shell form of the arguments. Variable substitution is a
// separate step (dockerfile_words.h) because it depends on the stage an
// instruction sits in; lowering onto a Spec is dockerfile_lower.h.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/limits.h"

namespace build {

// One instruction as written, continuation lines joined.
struct DockerInstruction {
  std::string keyword;  // upper case: "FROM", "COPY", ...
  // Leading `--name=value` options in order ("--link" alone has value "").
  std::vector<std::pair<std::string, std::string>> flags;
  std::string rest;               // the arguments after the flags, trimmed (shell form text)
  bool json = false;              // the arguments are a JSON array (exec form)
  std::vector<std::string> argv;  // the array's strings when `json`
  int line = 0;                   // 1-based line of the keyword
};

struct Dockerfile {
  std::string path;  // as the user named it, for errors
  std::string text;
  char escape = '\\';
  std::vector<DockerInstruction> instructions;
};

// Parses Dockerfile text; `path` names it in errors, which read
// "<path>:<line>: <what>" with the source line as detail. Unknown keywords
// get a suggestion; keywords that distill cannot honour (ONBUILD,
// HEALTHCHECK) and heredocs are errors here, before anything is built.
// `limits` bounds the physical lines (dockerfile-lines) and each joined
// line (line-bytes); continuation lines are joined in linear time.
base::Result<Dockerfile> ParseDockerfile(const std::string& text, const std::string& path,
                                         const base::Limits& limits = {});

// True when `path` names a Dockerfile by the usual conventions
// (Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*), or, failing
// that, when `text` opens (after comments and blank lines) with FROM or ARG
// or a `# syntax=` directive.
bool IsDockerfile(const std::string& path, const std::string& text);

// An error at `line` of `df`: "<path>:<line>: <what>", the line as detail.
base::Error DockerfileError(const Dockerfile& df, int line, const std::string& what);

}  // namespace build
