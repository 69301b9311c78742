// version_oracle: answers version comparisons with debian::CompareVersions so
// tests/e2e/version_vs_dpkg.sh can check them against `dpkg --compare-versions`.
// Reads lines "A B" on stdin and prints "A B <", "A B =" or "A B >" for each.
#include <iostream>
#include <string>

#include "debian/version.h"

int main() {
  std::ios::sync_with_stdio(false);
  std::string a, b;
  while (std::cin >> a >> b) {
    int c = debian::CompareVersions(a, b);
    std::cout << a << ' ' << b << ' ' << (c < 0 ? '<' : c > 0 ? '>' : '=') << '\n';
  }
  return 0;
}
