// Parsing of relationship fields (Debian Policy §7.1, formats.md D4).
//
// A field is a ','-separated AND list of '|'-separated alternatives. Each
// alternative is `name[:archqual] [(op version)] [[arch list]] [<profile>...]`.
// Operators are <<, <=, =, >=, >>; dpkg and apt still accept the legacy '<'
// and '>' as '<=' and '>=' (Policy §7.1 footnote). Arch lists and build
// profiles appear only in source control fields, never in Packages indexes,
// but they are parsed and kept so that source-style lists round-trip. The
// parser is a hand-written scanner over the string_view; the resolver parses
// only the stanzas it visits, so it need not be faster than that.
#include "debian/relation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/strings.h"
#include "debian/version.h"

namespace debian {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '-' || c == '.' || c == '_';
}

// A cursor over the field text; errors are reasons, the caller adds the
// field text.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  void SkipSpace() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Consume(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string_view TakeWhile(bool (*pred)(char)) {
    size_t start = pos_;
    while (pos_ < s_.size() && pred(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  base::Result<Relation> ParseAtom();

 private:
  base::Result<void> ParseVersionPart(Relation& r);
  base::Result<void> ParseArchList(Relation& r);
  base::Result<void> ParseProfiles(Relation& r);
  // Whitespace-separated words up to `close`.
  base::Result<std::vector<std::string>> Words(char close, std::string_view what);

  std::string_view s_;
  size_t pos_ = 0;
};

base::Result<Relation> Scanner::ParseAtom() {
  Relation r;
  SkipSpace();
  r.name = std::string(TakeWhile(IsNameChar));
  if (r.name.empty()) {
    if (AtEnd()) return base::Fail("missing package name");
    return base::Fail("unexpected '{}' where a package name should be", Peek());
  }
  if (Peek() == ':') {
    ++pos_;
    r.arch_qualifier = std::string(TakeWhile(IsNameChar));
    if (r.arch_qualifier.empty())
      return base::Fail("missing architecture after ':' in '{}'", r.name);
  }
  if (Consume('(')) DISTILL_TRY(ParseVersionPart(r));
  if (Consume('[')) DISTILL_TRY(ParseArchList(r));
  SkipSpace();
  if (Peek() == '<') DISTILL_TRY(ParseProfiles(r));
  return r;
}

base::Result<void> Scanner::ParseVersionPart(Relation& r) {
  SkipSpace();
  std::string_view op = TakeWhile([](char c) { return c == '<' || c == '>' || c == '='; });
  if (op == "<<")
    r.op = RelationOp::kLess;
  else if (op == "<=" || op == "<")
    r.op = RelationOp::kLessEqual;
  else if (op == "=")
    r.op = RelationOp::kEqual;
  else if (op == ">=" || op == ">")
    r.op = RelationOp::kGreaterEqual;
  else if (op == ">>")
    r.op = RelationOp::kGreater;
  else if (op.empty())
    return base::Fail("missing version operator for '{}'", r.name);
  else
    return base::Fail("bad version operator '{}' for '{}'", op, r.name);
  SkipSpace();
  r.version = std::string(TakeWhile([](char c) { return !IsSpace(c) && c != ')' && c != ','; }));
  if (r.version.empty()) return base::Fail("missing version for '{}'", r.name);
  if (!Consume(')')) return base::Fail("missing ')' after version of '{}'", r.name);
  return {};
}

base::Result<std::vector<std::string>> Scanner::Words(char close, std::string_view what) {
  std::vector<std::string> words;
  for (;;) {
    SkipSpace();
    if (AtEnd()) return base::Fail("missing '{}' after {}", close, what);
    if (Peek() == close) {
      ++pos_;
      break;
    }
    std::string_view w = TakeWhile(
        [](char c) { return !IsSpace(c) && c != ']' && c != '>' && c != ',' && c != '|'; });
    if (w.empty()) return base::Fail("unexpected '{}' in {}", Peek(), what);
    words.emplace_back(w);
  }
  if (words.empty()) return base::Fail("empty {}", what);
  return words;
}

base::Result<void> Scanner::ParseArchList(Relation& r) {
  auto words = Words(']', "architecture list");
  if (!words) return base::Fail(words.error());
  r.architectures = std::move(*words);
  return {};
}

base::Result<void> Scanner::ParseProfiles(Relation& r) {
  while (Consume('<')) {
    auto words = Words('>', "build profile list");
    if (!words) return base::Fail(words.error());
    r.profiles.push_back(std::move(*words));
    SkipSpace();
  }
  return {};
}

base::Result<RelationList> ParseList(Scanner& sc) {
  RelationList out;
  sc.SkipSpace();
  if (sc.AtEnd()) return out;
  for (;;) {
    OrGroup group;
    do {
      auto atom = sc.ParseAtom();
      if (!atom) return base::Fail(atom.error());
      group.push_back(std::move(*atom));
    } while (sc.Consume('|'));
    out.push_back(std::move(group));
    sc.SkipSpace();
    if (sc.AtEnd()) return out;
    if (!sc.Consume(','))
      return base::Fail("unexpected '{}' after '{}'", sc.Peek(), out.back().back().name);
  }
}

}  // namespace

std::string_view OpString(RelationOp op) {
  switch (op) {
    case RelationOp::kNone:
      return "";
    case RelationOp::kLess:
      return "<<";
    case RelationOp::kLessEqual:
      return "<=";
    case RelationOp::kEqual:
      return "=";
    case RelationOp::kGreaterEqual:
      return ">=";
    case RelationOp::kGreater:
      return ">>";
  }
  return "";
}

std::string Relation::ToString() const {
  std::string out = name;
  if (!arch_qualifier.empty()) out += ":" + arch_qualifier;
  if (op != RelationOp::kNone) out += fmt::format(" ({} {})", OpString(op), version);
  if (!architectures.empty()) out += fmt::format(" [{}]", fmt::join(architectures, " "));
  for (const std::vector<std::string>& p : profiles) out += fmt::format(" <{}>", fmt::join(p, " "));
  return out;
}

std::string FormatOrGroup(const OrGroup& group) {
  std::string out;
  for (const Relation& r : group) {
    if (!out.empty()) out += " | ";
    out += r.ToString();
  }
  return out;
}

base::Result<RelationList> ParseRelations(std::string_view text) {
  Scanner sc(text);
  auto list = ParseList(sc);
  if (!list)
    return base::Fail(list.error().Context("invalid relationship field '{}'", base::Trim(text)));
  return list;
}

bool Satisfies(const Relation& relation, std::string_view version) {
  if (relation.op == RelationOp::kNone) return true;
  int c = CompareVersions(version, relation.version);
  switch (relation.op) {
    case RelationOp::kNone:
      return true;
    case RelationOp::kLess:
      return c < 0;
    case RelationOp::kLessEqual:
      return c <= 0;
    case RelationOp::kEqual:
      return c == 0;
    case RelationOp::kGreaterEqual:
      return c >= 0;
    case RelationOp::kGreater:
      return c > 0;
  }
  return false;
}

}  // namespace debian
