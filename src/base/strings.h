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

}  // namespace base
