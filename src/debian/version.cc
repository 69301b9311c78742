// Debian version parsing and comparison (formats.md E; Debian Policy
// §5.6.12; dpkg's lib/dpkg/version.c and parsehelp.c).
//
// A version is "[epoch:]upstream[-revision]": the epoch is the digits before
// the first ':', the revision is what follows the last '-'. Each part after
// the epoch is compared with verrevcmp, which alternates between non-digit
// runs (compared character by character with '~' lowest, then end of string,
// then letters, then everything else) and digit runs (compared as numbers,
// leading zeros ignored). CompareVersions works directly on string_views and
// allocates nothing, because the resolver calls it millions of times.
#include "debian/version.h"

#include <fmt/format.h>

namespace debian {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// dpkg's order(): the weight of one character in a non-digit run; 0 stands
// for both "end of string" and "a digit starts here".
int Order(char c) {
  if (IsDigit(c)) return 0;
  if (IsAlpha(c)) return c;
  if (c == '~') return -1;
  if (c) return static_cast<unsigned char>(c) + 256;
  return 0;
}

char At(std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; }

int VerRevCmp(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !IsDigit(a[i])) || (j < b.size() && !IsDigit(b[j]))) {
      int ac = Order(At(a, i));
      int bc = Order(At(b, j));
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (At(a, i) == '0') ++i;
    while (At(b, j) == '0') ++j;
    int first_diff = 0;
    while (IsDigit(At(a, i)) && IsDigit(At(b, j))) {
      if (!first_diff) first_diff = At(a, i) - At(b, j);
      ++i;
      ++j;
    }
    if (IsDigit(At(a, i))) return 1;
    if (IsDigit(At(b, j))) return -1;
    if (first_diff) return first_diff;
  }
  return 0;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The three parts of a version string, split as dpkg splits them.
struct Parts {
  std::string_view epoch;  // "" when there is no ':'
  std::string_view upstream;
  std::string_view revision;
  bool has_colon = false;
  bool has_dash = false;
};

Parts Split(std::string_view s) {
  Parts p;
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    p.has_colon = true;
    p.epoch = s.substr(0, colon);
    s.remove_prefix(colon + 1);
  }
  size_t dash = s.rfind('-');
  if (dash != std::string_view::npos) {
    p.has_dash = true;
    p.revision = s.substr(dash + 1);
    s = s.substr(0, dash);
  }
  p.upstream = s;
  return p;
}

// Lenient epoch value for comparison: the leading digits, saturated.
uint64_t EpochValue(std::string_view e) {
  uint64_t v = 0;
  for (char c : e) {
    if (!IsDigit(c)) break;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) return UINT32_MAX + uint64_t{1};
  }
  return v;
}

bool AllCharsIn(std::string_view s, std::string_view extra) {
  for (char c : s)
    if (!IsDigit(c) && !IsAlpha(c) && extra.find(c) == std::string_view::npos) return false;
  return true;
}

// The reason `p` is not a valid version, or "" when it is.
std::string_view Invalid(const Parts& p) {
  if (p.has_colon) {
    if (p.epoch.empty()) return "epoch is empty";
    if (p.epoch.find_first_not_of("0123456789") != std::string_view::npos)
      return "epoch is not a number";
    if (EpochValue(p.epoch) > INT32_MAX) return "epoch is too big";
    if (p.upstream.empty() && !p.has_dash) return "nothing after colon";
  }
  if (p.has_dash && p.revision.empty()) return "revision is empty";
  if (p.upstream.empty()) return "upstream version is empty";
  if (!AllCharsIn(p.upstream, ".+~:-")) return "invalid character in upstream version";
  if (!AllCharsIn(p.revision, ".+~")) return "invalid character in revision";
  return "";
}

}  // namespace

std::string Version::ToString() const {
  std::string out = epoch ? fmt::format("{}:{}", epoch, upstream) : upstream;
  if (!revision.empty()) out += "-" + revision;
  return out;
}

base::Result<Version> ParseVersion(std::string_view text) {
  std::string_view s = TrimBlanks(text);
  if (s.empty()) return base::Fail("invalid version '{}': empty", text);
  if (s.find_first_of(" \t\r\n") != std::string_view::npos)
    return base::Fail("invalid version '{}': embedded space", text);
  Parts p = Split(s);
  if (std::string_view why = Invalid(p); !why.empty())
    return base::Fail("invalid version '{}': {}", text, why);
  Version v;
  v.epoch = static_cast<uint32_t>(EpochValue(p.epoch));
  v.upstream = std::string(p.upstream);
  v.revision = std::string(p.revision);
  return v;
}

int CompareVersions(std::string_view a, std::string_view b) {
  Parts pa = Split(TrimBlanks(a));
  Parts pb = Split(TrimBlanks(b));
  uint64_t ea = EpochValue(pa.epoch), eb = EpochValue(pb.epoch);
  if (ea != eb) return ea > eb ? 1 : -1;
  if (int c = VerRevCmp(pa.upstream, pb.upstream)) return c;
  return VerRevCmp(pa.revision, pb.revision);
}

int CompareVersions(const Version& a, const Version& b) {
  if (a.epoch != b.epoch) return a.epoch > b.epoch ? 1 : -1;
  if (int c = VerRevCmp(a.upstream, b.upstream)) return c;
  return VerRevCmp(a.revision, b.revision);
}

}  // namespace debian
