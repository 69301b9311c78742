// deb822 parsing (deb822(5)): a line-oriented scan that builds Stanzas. Used
// for Release, .sources and control files; Packages indexes have their own
// faster scanner in packages_index.cc because they are large.
#include "debian/deb822.h"

#include <strings.h>

#include "base/strings.h"

namespace debian {

static bool NameEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Stanza::Get(std::string_view name) const {
  for (const Field& f : fields_)
    if (NameEquals(f.name, name)) return f.value;
  return {};
}

bool Stanza::Has(std::string_view name) const {
  for (const Field& f : fields_)
    if (NameEquals(f.name, name)) return true;
  return false;
}

base::Result<std::vector<Stanza>> ParseDeb822(std::string_view text, std::string_view name) {
  std::vector<Stanza> out;
  Stanza cur;
  int lineno = 0;
  size_t pos = 0;
  auto flush = [&] {
    if (!cur.fields().empty()) out.push_back(std::move(cur));
    cur = Stanza();
  };
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (base::Trim(line).empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    if (line[0] == ' ' || line[0] == '\t') {
      if (cur.fields().empty())
        return base::Fail("{}:{}: continuation line outside a field", name, lineno);
      std::string& v = cur.mutable_fields().back().value;
      std::string_view rest = base::Trim(line);
      // A lone "." stands for an empty line inside multiline values.
      if (rest == ".") rest = "";
      v += '\n';
      v += rest;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return base::Fail("{}:{}: expected 'Field: value'", name, lineno);
    std::string field(base::Trim(line.substr(0, colon)));
    if (cur.Has(field)) return base::Fail("{}:{}: duplicate field '{}'", name, lineno, field);
    if (cur.fields().empty()) cur.set_line(lineno);
    cur.mutable_fields().push_back({field, std::string(base::Trim(line.substr(colon + 1)))});
  }
  flush();
  return out;
}

std::string FormatStanza(const Stanza& s) {
  std::string out;
  for (const Field& f : s.fields()) {
    out += f.name;
    out += ':';
    std::vector<std::string> lines = base::Split(f.value, '\n');
    if (!lines[0].empty()) out += ' ' + lines[0];
    for (size_t i = 1; i < lines.size(); ++i) out += "\n " + (lines[i].empty() ? "." : lines[i]);
    out += '\n';
  }
  return out;
}

}  // namespace debian
