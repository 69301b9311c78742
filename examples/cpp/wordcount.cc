// wordcount: reads text on stdin and prints its most frequent words, one
// "count word" line each, most frequent first (ties alphabetically). The
// C++ example: a dynamically linked program that needs libstdc++ and
// libgcc_s from the cc base. Usage: wordcount [N]  (default 10)
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
  size_t top = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10;
  std::map<std::string, size_t> counts;
  std::string word;
  for (char c; std::cin.get(c);) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  if (!word.empty()) ++counts[word];
  std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (sorted.size() > top) sorted.resize(top);
  for (const auto& [w, n] : sorted) std::cout << n << ' ' << w << '\n';
  return 0;
}
