// Dockerfile words and variable substitution (BuildKit's shell lexer, the
// subset users write): words split at unquoted blanks; single quotes keep
// text literally; double quotes keep blanks and still expand variables; the
// escape character makes the next character literal; $VAR, ${VAR},
// ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word}, ${VAR:?message}.
// Docker substitutes in ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL,
// USER, VOLUME, WORKDIR and ARG defaults, never in RUN, CMD or ENTRYPOINT,
// whose shell does its own expansion.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/limits.h"

namespace build {

// A variable's value, or nullopt when it is not set.
using VarLookup = std::function<std::optional<std::string>(const std::string&)>;

// Splits `text` at unquoted blanks, keeping quotes and escapes in the words.
// Errors: an unterminated quote.
base::Result<std::vector<std::string>> SplitWords(std::string_view text, char escape);

// One word with quotes removed, escapes applied and variables substituted
// (unset variables are empty, as in Docker). Errors: unterminated quotes or
// braces, ${VAR:?message} with VAR unset, modifiers Docker has and distill
// does not (${VAR#pattern}, ...), and from `limits` ${...} nested deeper
// than expansion-depth or a result longer than expansion-bytes (checked
// as the word grows, so doubling ARGs fail at the limit, not at the end).
base::Result<std::string> ExpandWord(std::string_view word, const VarLookup& vars, char escape,
                                     const base::Limits& limits = {});

// SplitWords then ExpandWord on each.
base::Result<std::vector<std::string>> ExpandWords(std::string_view text, const VarLookup& vars,
                                                   char escape, const base::Limits& limits = {});

// The KEY=VALUE pairs of ENV, LABEL and ARG-like text, values expanded. The
// legacy form "KEY value with blanks" (no '=' in the first word) is one pair
// when `legacy` allows it. Errors name the word without '='.
base::Result<std::vector<std::pair<std::string, std::string>>> ExpandPairs(
    std::string_view text, const VarLookup& vars, char escape, bool legacy,
    const base::Limits& limits = {});

}  // namespace build
