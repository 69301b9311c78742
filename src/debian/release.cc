// Release file parsing (formats.md D2; Debian wiki "DebianRepository/Format").
// Only the verified text reaches this parser (signature.h). We read the
// fields that decide what we fetch and trust: the SHA256 list, which is the
// only link from the signature to every index (MD5Sum and SHA1 are unusable
// for trust), Acquire-By-Hash, Components (security suites say
// "updates/main" while the files live under main/), the architecture-all
// convention, the pinning flags, and Date / Valid-Until, which apt checks to
// stop a mirror from replaying an old, correctly signed Release.
#include "debian/release.h"

#include <charconv>

#include "base/strings.h"
#include "debian/deb822.h"

namespace debian {
namespace {

// Apt allows Date to be this far ahead of the local clock (Max-FutureTime).
constexpr int64_t kMaxFutureSeconds = 10;

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  for (const std::string& w : base::Split(s, ' ')) {
    std::string_view t = base::Trim(w);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

bool ParseUint(std::string_view s, uint64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

bool IsLowerHex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int MonthNumber(std::string_view name) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (kMonths[i] == name) return i + 1;
  return 0;
}

bool ParseClock(std::string_view s, uint64_t& h, uint64_t& m, uint64_t& sec) {
  std::vector<std::string> parts = base::Split(s, ':');
  return parts.size() == 3 && ParseUint(parts[0], h) && ParseUint(parts[1], m) &&
         ParseUint(parts[2], sec) && h < 24 && m < 60 && sec < 61;
}

base::Result<void> ParseHashes(std::string_view list, std::string_view name, Release& out) {
  for (const std::string& line : base::Split(list, '\n')) {
    if (base::Trim(line).empty()) continue;
    std::vector<std::string> w = Words(line);
    uint64_t size = 0;
    if (w.size() != 3 || !IsLowerHex64(w[0]) || !ParseUint(w[1], size))
      return base::Fail("'{}': bad SHA256 line '{}'", name, line);
    out.sha256[w[2]] = {w[0], size};
  }
  if (out.sha256.empty()) return base::Fail("'{}': no SHA256 file list", name);
  return {};
}

base::Result<void> ParseDates(const Stanza& st, std::string_view name, Release& out) {
  out.date_text = base::Trim(st.Get("Date"));
  if (!out.date_text.empty()) {
    base::Result<int64_t> t = ParseReleaseDate(out.date_text);
    if (!t) return base::Fail(t.error().Context("'{}': Date", name));
    out.date = *t;
  }
  out.valid_until_text = base::Trim(st.Get("Valid-Until"));
  if (!out.valid_until_text.empty()) {
    base::Result<int64_t> t = ParseReleaseDate(out.valid_until_text);
    if (!t) return base::Fail(t.error().Context("'{}': Valid-Until", name));
    out.valid_until = *t;
  }
  return {};
}

}  // namespace

base::Result<int64_t> ParseReleaseDate(std::string_view text) {
  std::vector<std::string> w = Words(text);
  // The weekday is redundant; some generators omit it.
  if (!w.empty() && base::EndsWith(w[0], ",")) w.erase(w.begin());
  uint64_t day = 0, year = 0, h = 0, m = 0, s = 0;
  int month = w.size() == 5 ? MonthNumber(w[1]) : 0;
  if (w.size() != 5 || !ParseUint(w[0], day) || day < 1 || day > 31 || month == 0 ||
      !ParseUint(w[2], year) || year < 1970 || year > 9999 || !ParseClock(w[3], h, m, s) ||
      (w[4] != "UTC" && w[4] != "GMT" && w[4] != "Z" && w[4] != "+0000"))
    return base::Fail("invalid date '{}'", text);
  int64_t days = DaysFromCivil(static_cast<int64_t>(year), month, static_cast<unsigned>(day));
  return days * 86400 + static_cast<int64_t>(h * 3600 + m * 60 + s);
}

base::Result<Release> ParseRelease(std::string_view text, std::string_view name) {
  base::Result<std::vector<Stanza>> stanzas = ParseDeb822(text, name);
  if (!stanzas) return base::Fail(stanzas.error());
  if (stanzas->empty()) return base::Fail("'{}': empty Release", name);
  const Stanza& st = stanzas->front();
  Release out;
  out.origin = st.Get("Origin");
  out.label = st.Get("Label");
  out.suite = st.Get("Suite");
  out.codename = st.Get("Codename");
  out.version = st.Get("Version");
  DISTILL_TRY(ParseDates(st, name, out));
  out.acquire_by_hash = st.Get("Acquire-By-Hash") == "yes";
  out.architectures = Words(st.Get("Architectures"));
  for (const std::string& c : Words(st.Get("Components")))
    out.components.push_back(c.substr(c.rfind('/') + 1));
  out.all_in_arch_indexes = st.Get("No-Support-for-Architecture-all") == "Packages";
  if (st.Get("NotAutomatic") == "yes") out.pin = st.Get("ButAutomaticUpgrades") == "yes" ? 100 : 1;
  DISTILL_TRY(ParseHashes(st.Get("SHA256"), name, out));
  return out;
}

base::Result<void> CheckReleaseDates(const Release& release, int64_t now, bool ignore_valid_until) {
  if (!ignore_valid_until && release.valid_until && *release.valid_until < now)
    return base::Fail("'{}' Release expired on {}", release.name(), release.valid_until_text);
  if (release.date > now + kMaxFutureSeconds)
    return base::Fail("'{}' Release is dated in the future ({})", release.name(),
                      release.date_text);
  return {};
}

}  // namespace debian
