// deb822: the "Name: value" stanza format of Debian control files, Release,
// Packages and .sources files (deb822(5), formats.md D3).
//
// Stanzas are separated by blank (or whitespace-only) lines; a line starting
// with space or tab continues the previous field; '#' lines are comments
// (allowed in .sources files). Field names are matched case-insensitively.
// Values keep their continuation lines joined by '\n' with the leading
// whitespace of each continuation line removed; callers fold (Depends) or
// split lines (SHA256 lists) as the field requires.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace debian {

struct Field {
  std::string name;
  std::string value;
};

class Stanza {
 public:
  // The value of `name` (case-insensitive), or "" if absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  const std::vector<Field>& fields() const { return fields_; }
  std::vector<Field>& mutable_fields() { return fields_; }
  // 1-based line of the stanza's first field in its file.
  int line() const { return line_; }
  void set_line(int line) { line_ = line; }

 private:
  std::vector<Field> fields_;
  int line_ = 0;
};

// Parses every stanza of `text`. Errors (a continuation line with no field, a
// line without ':', a field repeated in one stanza) name `name:line`.
base::Result<std::vector<Stanza>> ParseDeb822(std::string_view text, std::string_view name);

// Serializes a stanza back to deb822 text (ending with '\n').
std::string FormatStanza(const Stanza& s);

}  // namespace debian
