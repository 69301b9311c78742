// Small string helpers shared by every module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace base {

std::vector<std::string> Split(std::string_view s, char sep);
std::string_view Trim(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a likely typo
// (distance ≤ max(2, |word|/3)), else "".
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);
// Human-readable byte count: "1.5 MB" (decimal units, as registries show).
std::string HumanBytes(uint64_t n);

// `text` safe to print on one terminal line: control bytes (C0, DEL, C1 as
// UTF-8) and bytes that are not valid UTF-8 become escapes ("\n", "\t",
// "\r", "\x1b"), a backslash stays itself; printable UTF-8 is kept. Used on
// every error and status line, since their values come from outside
// (registry error bodies, spec paths, Dockerfile text).
std::string EscapeControl(std::string_view text);

}  // namespace base
