// The Dockerfile word lexer. It walks a word once, left to right, as
// BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) does: outside
// quotes the escape character protects the next character; inside double
// quotes it protects only '"', '$' and itself; single quotes protect
// everything. A `$` starts a substitution unless it is followed by something
// that cannot start a name, in which case it is kept literally.
#include "frontend/dockerfile_words.h"

#include <cctype>

#include "base/strings.h"

namespace build {

namespace {

bool NameStart(char c) { return isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool NameChar(char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  Lexer(std::string_view word, const VarLookup& vars, char escape, const base::Limits& limits,
        uint64_t depth = 0)
      : w_(word), vars_(vars), escape_(escape), limits_(limits), depth_(depth) {}

  base::Result<std::string> Word() {
    std::string out;
    while (i_ < w_.size()) {
      if (out.size() > limits_.expansion_bytes) return TooLong();
      char c = w_[i_];
      if (c == '\'') {
        size_t close = w_.find('\'', i_ + 1);
        if (close == std::string_view::npos)
          return base::Fail("unterminated single quote in '{}'", w_);
        out.append(w_.substr(i_ + 1, close - i_ - 1));
        i_ = close + 1;
      } else if (c == '"') {
        DISTILL_TRY(DoubleQuoted(out));
      } else if (c == escape_) {
        if (i_ + 1 < w_.size()) out += w_[i_ + 1];
        i_ += 2;
      } else if (c == '$') {
        DISTILL_TRY(Dollar(out));
      } else {
        out += c;
        ++i_;
      }
    }
    if (out.size() > limits_.expansion_bytes) return TooLong();
    return out;
  }

 private:
  base::Result<void> DoubleQuoted(std::string& out) {
    for (++i_; i_ < w_.size();) {
      char c = w_[i_];
      if (c == '"') {
        ++i_;
        return {};
      }
      if (c == escape_ && i_ + 1 < w_.size() &&
          (w_[i_ + 1] == '"' || w_[i_ + 1] == '$' || w_[i_ + 1] == escape_)) {
        out += w_[i_ + 1];
        i_ += 2;
      } else if (c == '$') {
        DISTILL_TRY(Dollar(out));
      } else {
        out += c;
        ++i_;
      }
    }
    return base::Fail("unterminated double quote in '{}'", w_);
  }

  base::Result<void> Dollar(std::string& out) {
    ++i_;  // the '$'
    if (i_ < w_.size() && w_[i_] == '{') return Braced(out);
    if (i_ >= w_.size() || !NameStart(w_[i_])) {
      out += '$';
      return {};
    }
    size_t start = i_;
    while (i_ < w_.size() && NameChar(w_[i_])) ++i_;
    out += vars_(std::string(w_.substr(start, i_ - start))).value_or("");
    return {};
  }

  // ${NAME}, ${NAME:-word} and friends; `word` may itself hold quotes and
  // substitutions, so it is lexed recursively.
  base::Result<void> Braced(std::string& out) {
    size_t open = i_ - 1;  // the '$'
    ++i_;                  // the '{'
    size_t start = i_;
    while (i_ < w_.size() && NameChar(w_[i_])) ++i_;
    std::string name(w_.substr(start, i_ - start));
    size_t close = MatchingBrace(i_);
    if (close == std::string_view::npos) return base::Fail("missing '}}' in '{}'", w_.substr(open));
    std::string_view text = w_.substr(open, close + 1 - open);
    if (name.empty() || !NameStart(name[0])) return base::Fail("bad substitution '{}'", text);
    std::string_view op_and_word = w_.substr(i_, close - i_);
    i_ = close + 1;
    std::optional<std::string> value = vars_(name);
    if (op_and_word.empty()) {
      out += value.value_or("");
      return {};
    }
    bool colon = op_and_word[0] == ':';
    std::string_view rest = colon ? op_and_word.substr(1) : op_and_word;
    if (rest.empty() || (rest[0] != '-' && rest[0] != '+' && rest[0] != '?'))
      return base::Fail(
          "unsupported substitution '{}' (distill has ${{VAR:-word}}, "
          "${{VAR:+word}} and ${{VAR:?message}})",
          text);
    char op = rest[0];
    // With ':' an empty value counts as unset (POSIX).
    bool set = value.has_value() && !(colon && value->empty());
    if (op == '-' && set) {
      out += *value;
      return {};
    }
    if (op == '+' && !set) return {};
    if (depth_ + 1 >= limits_.expansion_depth)
      return base::Fail(base::LimitError(limits_, "expansion-depth", "the nesting of ${...}"));
    base::Result<std::string> word =
        Lexer(rest.substr(1), vars_, escape_, limits_, depth_ + 1).Word();
    if (!word) return base::Fail(word.error());
    if (op == '?') {
      if (set) {
        out += *value;
        return {};
      }
      return base::Fail("{}: {}", name, word->empty() ? "parameter not set" : *word);
    }
    out += *word;
    return {};
  }

  // The '}' closing the ${ opened before `from`, past nested ${...}.
  size_t MatchingBrace(size_t from) const {
    int depth = 0;
    for (size_t j = from; j < w_.size(); ++j) {
      if (w_[j] == escape_) {
        ++j;
      } else if (w_[j] == '$' && j + 1 < w_.size() && w_[j + 1] == '{') {
        ++depth;
        ++j;
      } else if (w_[j] == '}') {
        if (depth == 0) return j;
        --depth;
      }
    }
    return std::string_view::npos;
  }

  std::unexpected<base::Error> TooLong() const {
    return base::Fail(base::LimitError(limits_, "expansion-bytes", "the expanded word"));
  }

  std::string_view w_;
  const VarLookup& vars_;
  char escape_;
  const base::Limits& limits_;
  uint64_t depth_;
  size_t i_ = 0;
};

}  // namespace

base::Result<std::vector<std::string>> SplitWords(std::string_view text, char escape) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == 0 && (c == ' ' || c == '\t' || c == '\n')) {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    cur += c;
    if (c == escape && quote != '\'' && i + 1 < text.size()) {
      cur += text[++i];
    } else if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;
    }
  }
  if (quote != 0)
    return base::Fail("unterminated {} quote in '{}'", quote == '"' ? "double" : "single",
                      base::Trim(text));
  if (in_word) words.push_back(cur);
  return words;
}

base::Result<std::string> ExpandWord(std::string_view word, const VarLookup& vars, char escape,
                                     const base::Limits& limits) {
  return Lexer(word, vars, escape, limits).Word();
}

base::Result<std::vector<std::string>> ExpandWords(std::string_view text, const VarLookup& vars,
                                                   char escape, const base::Limits& limits) {
  base::Result<std::vector<std::string>> raw = SplitWords(text, escape);
  if (!raw) return base::Fail(raw.error());
  std::vector<std::string> out;
  for (const std::string& w : *raw) {
    base::Result<std::string> e = ExpandWord(w, vars, escape, limits);
    if (!e) return base::Fail(e.error());
    out.push_back(std::move(*e));
  }
  return out;
}

base::Result<std::vector<std::pair<std::string, std::string>>> ExpandPairs(
    std::string_view text, const VarLookup& vars, char escape, bool legacy,
    const base::Limits& limits) {
  base::Result<std::vector<std::string>> raw = SplitWords(text, escape);
  if (!raw) return base::Fail(raw.error());
  std::vector<std::pair<std::string, std::string>> out;
  if (raw->empty()) return out;
  if (legacy && (*raw)[0].find('=') == std::string::npos) {
    // "ENV KEY value with blanks": the value is the rest of the line.
    std::string_view t = base::Trim(text);
    size_t blank = t.find_first_of(" \t");
    if (blank == std::string_view::npos)
      return base::Fail("'{}' has no value (expected KEY=VALUE or KEY VALUE)", t);
    base::Result<std::string> v = ExpandWord(base::Trim(t.substr(blank)), vars, escape, limits);
    if (!v) return base::Fail(v.error());
    out.emplace_back((*raw)[0], *v);
    return out;
  }
  for (const std::string& w : *raw) {
    size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0)
      return base::Fail("'{}' is not of the form KEY=VALUE", w);
    base::Result<std::string> key = ExpandWord(w.substr(0, eq), vars, escape, limits);
    if (!key) return base::Fail(key.error());
    base::Result<std::string> v = ExpandWord(w.substr(eq + 1), vars, escape, limits);
    if (!v) return base::Fail(v.error());
    out.emplace_back(*key, *v);
  }
  return out;
}

}  // namespace build
