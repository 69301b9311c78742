// Host apt sources (sources.list(5)). Two syntaxes exist: the one-line
// `deb [opt=val …] uri suite comp…` of sources.list and *.list files, and the
// deb822 stanzas of *.sources files (Types, URIs, Suites, Components,
// Signed-By, Architectures, Enabled). apt reads sources.list, then
// sources.list.d/ in name order, and silently ignores files with any other
// suffix, so a farm that renames a file to "*.disabled" really disables it.
// Only binary ("deb") entries matter to an image builder; deb-src is skipped.
// Signed-By is either keyring path(s) or, in deb822 only, an inline armored
// key block, which we keep verbatim for signature.h to load.
#include "debian/sources.h"

#include <algorithm>
#include <filesystem>

#include "base/file_util.h"
#include "base/strings.h"
#include "debian/deb822.h"

namespace debian {
namespace {

// Splits on runs of spaces and tabs.
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t b = s.find_first_not_of(" \t\n", i);
    if (b == std::string_view::npos) break;
    size_t e = s.find_first_of(" \t\n", b);
    if (e == std::string_view::npos) e = s.size();
    out.emplace_back(s.substr(b, e - b));
    i = e;
  }
  return out;
}

std::string StripSlash(std::string_view uri) {
  while (uri.size() > 1 && uri.back() == '/') uri.remove_suffix(1);
  return std::string(uri);
}

bool IsFlat(std::string_view suite) { return !suite.empty() && suite.back() == '/'; }

// Options of a one-line entry; only the ones that change what we fetch.
struct LineOptions {
  std::vector<std::string> architectures;
  std::string keyring;
};

base::Result<void> ApplyLineOption(std::string_view opt, LineOptions& out) {
  size_t eq = opt.find('=');
  if (eq == std::string_view::npos) return base::Fail("option '{}' has no value", opt);
  std::string_view key = opt.substr(0, eq);
  std::string_view value = opt.substr(eq + 1);
  if (key == "arch") {
    out.architectures = base::Split(value, ',');
  } else if (key == "signed-by") {
    out.keyring = std::string(value);
  }
  // Others (trusted, lang, target, arch+=, …) do not change what we fetch.
  return {};
}

base::Result<std::vector<Source>> ParseLine(std::string_view line) {
  std::vector<Source> out;
  size_t type_end = line.find_first_of(" \t");
  std::string_view type = line.substr(0, type_end);
  if (type != "deb" && type != "deb-src") return base::Fail("unknown type '{}'", type);
  std::string_view rest = type_end == std::string_view::npos ? "" : line.substr(type_end);
  rest = base::Trim(rest);
  LineOptions opts;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return base::Fail("'[' without ']'");
    for (const std::string& opt : Words(rest.substr(1, close - 1)))
      DISTILL_TRY(ApplyLineOption(opt, opts));
    rest = rest.substr(close + 1);
  }
  std::vector<std::string> words = Words(rest);
  if (words.size() < 2) return base::Fail("expected 'deb [options] uri suite [component...]'");
  if (!IsFlat(words[1]) && words.size() < 3)
    return base::Fail("no components for suite '{}'", words[1]);
  if (type == "deb-src") return out;
  Source s;
  s.uri = StripSlash(words[0]);
  s.suite = words[1];
  s.components.assign(words.begin() + 2, words.end());
  s.keyring = opts.keyring.empty() ? std::string(kDefaultKeyring) : opts.keyring;
  s.architectures = opts.architectures;
  out.push_back(std::move(s));
  return out;
}

base::Result<std::vector<Source>> StanzaSources(const Stanza& st) {
  std::vector<Source> out;
  if (st.Get("Enabled") == "no") return out;
  std::vector<std::string> types = Words(st.Get("Types"));
  if (std::find(types.begin(), types.end(), "deb") == types.end()) return out;
  for (std::string_view field : {"URIs", "Suites"})
    if (base::Trim(st.Get(field)).empty()) return base::Fail("missing '{}'", field);
  std::vector<std::string> components = Words(st.Get("Components"));
  std::string keyring(base::Trim(st.Get("Signed-By")));
  if (keyring.empty()) keyring = kDefaultKeyring;
  for (const std::string& uri : Words(st.Get("URIs"))) {
    for (const std::string& suite : Words(st.Get("Suites"))) {
      if (!IsFlat(suite) && components.empty())
        return base::Fail("no components for suite '{}'", suite);
      out.push_back({StripSlash(uri), suite, components, keyring, Words(st.Get("Architectures"))});
    }
  }
  return out;
}

void Append(std::vector<Source>& to, std::vector<Source> more) {
  for (Source& s : more) to.push_back(std::move(s));
}

// The host's own Debian release: the first source whose suite has no
// "-updates"-style suffix, e.g. "bookworm".
const Source* BaseSource(const std::vector<Source>& host) {
  for (const Source& s : host)
    if (!IsFlat(s.suite) && s.suite.find('-') == std::string::npos) return &s;
  return nullptr;
}

const Source* FindSuite(const std::vector<Source>& host, std::string_view suite) {
  for (const Source& s : host)
    if (s.suite == suite) return &s;
  return nullptr;
}

Source Overridden(const Source& from, std::string suite, const SourceOverride& spec) {
  Source s = from;
  s.suite = std::move(suite);
  if (!spec.components.empty()) s.components = spec.components;
  if (!spec.keyring.empty()) s.keyring = spec.keyring;
  return s;
}

}  // namespace

base::Result<std::vector<Source>> ParseSourcesList(std::string_view text, std::string_view name) {
  std::vector<Source> out;
  int lineno = 0;
  for (const std::string& raw : base::Split(text, '\n')) {
    ++lineno;
    std::string_view line = raw;
    line = base::Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    base::Result<std::vector<Source>> r = ParseLine(line);
    if (!r) return base::Fail(r.error().Context("{}:{}", name, lineno));
    Append(out, std::move(*r));
  }
  return out;
}

base::Result<std::vector<Source>> ParseDeb822Sources(std::string_view text, std::string_view name) {
  base::Result<std::vector<Stanza>> stanzas = ParseDeb822(text, name);
  if (!stanzas) return base::Fail(stanzas.error());
  std::vector<Source> out;
  for (const Stanza& st : *stanzas) {
    base::Result<std::vector<Source>> r = StanzaSources(st);
    if (!r) return base::Fail(r.error().Context("{}:{}", name, st.line()));
    Append(out, std::move(*r));
  }
  return out;
}

base::Result<std::vector<Source>> ReadHostSources(const std::string& root) {
  namespace fs = std::filesystem;
  std::vector<Source> out;
  std::string list = base::JoinPath(root, "etc/apt/sources.list");
  if (base::PathExists(list)) {
    base::Result<std::string> text = base::ReadFile(list);
    if (!text) return base::Fail(text.error());
    base::Result<std::vector<Source>> r = ParseSourcesList(*text, list);
    if (!r) return base::Fail(r.error());
    Append(out, std::move(*r));
  }
  std::string dir = base::JoinPath(root, "etc/apt/sources.list.d");
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string path = it->path().string();
    if (base::EndsWith(path, ".list") || base::EndsWith(path, ".sources")) files.push_back(path);
  }
  if (ec && base::IsDirectory(dir)) return base::Fail("reading '{}': {}", dir, ec.message());
  std::sort(files.begin(), files.end());
  for (const std::string& path : files) {
    base::Result<std::string> text = base::ReadFile(path);
    if (!text) return base::Fail(text.error());
    base::Result<std::vector<Source>> r = base::EndsWith(path, ".list")
                                              ? ParseSourcesList(*text, path)
                                              : ParseDeb822Sources(*text, path);
    if (!r) return base::Fail(r.error());
    Append(out, std::move(*r));
  }
  return out;
}

base::Result<std::vector<Source>> ApplyOverride(const std::vector<Source>& host,
                                                const SourceOverride& spec) {
  const Source* base_source = BaseSource(host);
  if (!spec.mirror.empty()) {
    if (spec.suite.empty() && !base_source)
      return base::Fail("no suite given and no Debian suite in the host's apt sources");
    Source s;
    s.uri = StripSlash(spec.mirror);
    s.suite = spec.suite.empty() ? base_source->suite : spec.suite;
    s.components = spec.components.empty() ? std::vector<std::string>{"main"} : spec.components;
    s.keyring = spec.keyring.empty() ? std::string(kDefaultKeyring) : spec.keyring;
    return std::vector<Source>{s};
  }
  if (spec.suite.empty()) {
    std::vector<Source> out;
    for (const Source& s : host) out.push_back(Overridden(s, s.suite, spec));
    return out;
  }
  if (!base_source)
    return base::Fail("no host apt source to take a mirror from for suite '{}'", spec.suite);
  std::vector<Source> out{Overridden(*base_source, spec.suite, spec)};
  // Updates and security fixes come from sibling suites; follow the host's
  // lead rather than guessing URIs (debian-security lives elsewhere).
  for (std::string_view suffix : {"-updates", "-security"}) {
    const Source* sibling = FindSuite(host, base_source->suite + std::string(suffix));
    if (sibling) out.push_back(Overridden(*sibling, spec.suite + std::string(suffix), spec));
  }
  return out;
}

}  // namespace debian
