// Dockerfile parsing, following BuildKit's parser (the dockerfile/parser
// package) as users know it:
//   - parser directives are `# key=value` comment lines at the very top
//     (escape, syntax, check); the first other line ends them;
//   - a line whose last non-blank character is the escape character (`\`,
//     or `` ` `` with `# escape=``) continues on the next line; comment and
//     empty lines inside a continuation are skipped;
//   - keywords are case-insensitive; leading `--name=value` words are flags;
//   - arguments that parse as a JSON array of strings are the exec form of
//     RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD and VOLUME; anything else is the
//     shell form (SHELL accepts only JSON).
// Reference: https://docs.docker.com/reference/dockerfile/ ("Format",
// "Parser directives", "Shell and exec form").
#include "frontend/dockerfile.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace build {

namespace {

constexpr const char* kKeywords[] = {"ADD",        "ARG",     "CMD",    "COPY",        "ENTRYPOINT",
                                     "ENV",        "EXPOSE",  "FROM",   "HEALTHCHECK", "LABEL",
                                     "MAINTAINER", "ONBUILD", "RUN",    "SHELL",       "STOPSIGNAL",
                                     "USER",       "VOLUME",  "WORKDIR"};

// Instructions whose arguments may be a JSON array.
constexpr const char* kJsonKeywords[] = {"ADD", "CMD",   "COPY",  "ENTRYPOINT",
                                         "RUN", "SHELL", "VOLUME"};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(const auto& list, const std::string& word) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

// The line ends with the escape character (blanks after it allowed): the
// instruction continues on the next line.
bool Continues(std::string_view line, char escape) {
  size_t end = line.find_last_not_of(" \t");
  return end != std::string_view::npos && line[end] == escape;
}

std::string_view DropContinuation(std::string_view line) {
  size_t end = line.find_last_not_of(" \t");
  return line.substr(0, end);
}

bool IsCommentOrBlank(std::string_view line) {
  std::string_view t = base::Trim(line);
  return t.empty() || t[0] == '#';
}

// A heredoc (`<<EOF`, `<<-"EOF"`) in RUN, COPY or ADD; `<<<` (a here-string)
// and shifts such as `1<<2` are not heredocs.
bool HasHeredoc(std::string_view s) {
  for (size_t pos = s.find("<<"); pos != std::string_view::npos; pos = s.find("<<", pos + 2)) {
    size_t i = pos + 2;
    if (i < s.size() && s[i] == '<') {
      pos = i;
      continue;
    }
    if (i < s.size() && s[i] == '-') ++i;
    if (i < s.size() &&
        (isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '"' || s[i] == '\''))
      return true;
  }
  return false;
}

class Parser {
 public:
  Parser(Dockerfile& df, const base::Limits& limits) : df_(df), limits_(limits) {}

  base::Result<void> Run() {
    // Count before splitting: a million empty lines should not cost a
    // million strings first.
    uint64_t count = static_cast<uint64_t>(std::count(df_.text.begin(), df_.text.end(), '\n')) +
                     (!df_.text.empty() && df_.text.back() != '\n');
    if (count > limits_.dockerfile_lines)
      return base::Fail(base::LimitError(limits_, "dockerfile-lines",
                                         fmt::format("'{}' ({} lines)", df_.path, count)));
    lines_ = base::Split(df_.text, '\n');
    for (std::string& l : lines_)
      if (!l.empty() && l.back() == '\r') l.pop_back();
    size_t i = 0;
    DISTILL_TRY(Directives(i));
    for (; i < lines_.size(); ++i) {
      if (IsCommentOrBlank(lines_[i])) continue;
      int start = static_cast<int>(i) + 1;
      std::string text = lines_[i];
      // Joined in place (amortized linear): only the newest line's end is
      // looked at and the escape character dropped by shrinking.
      while (Continues(text, df_.escape)) {
        text.resize(DropContinuation(text).size());
        ++i;
        while (i < lines_.size() && IsCommentOrBlank(lines_[i])) ++i;
        if (i >= lines_.size()) break;
        text += lines_[i];
        if (text.size() > limits_.line_bytes) break;
      }
      if (text.size() > limits_.line_bytes)
        return base::Fail(DockerfileError(
            df_, start, base::LimitError(limits_, "line-bytes", "the instruction").message()));
      DISTILL_TRY(Instruction(text, start));
    }
    return {};
  }

 private:
  base::Result<void> Directives(size_t& i) {
    std::vector<std::string> seen;
    for (; i < lines_.size(); ++i) {
      std::string_view t = base::Trim(lines_[i]);
      if (t.empty() || t[0] != '#') return {};
      std::string_view body = base::Trim(t.substr(1));
      size_t eq = body.find('=');
      if (eq == std::string_view::npos) return {};
      std::string key = Lower(base::Trim(body.substr(0, eq)));
      std::string value(base::Trim(body.substr(eq + 1)));
      if (key != "escape" && key != "syntax" && key != "check") return {};
      if (Contains(seen, key))
        return base::Fail(DockerfileError(df_, static_cast<int>(i) + 1,
                                          fmt::format("duplicate '{}' directive", key)));
      seen.push_back(key);
      if (key != "escape") continue;
      if (value != "\\" && value != "`")
        return base::Fail(DockerfileError(
            df_, static_cast<int>(i) + 1,
            fmt::format("invalid escape character '{}' (expected \\ or `)", value)));
      df_.escape = value[0];
    }
    return {};
  }

  base::Result<void> Instruction(std::string_view text, int line) {
    text = base::Trim(text);
    size_t end = text.find_first_of(" \t");
    DockerInstruction ins;
    ins.line = line;
    ins.keyword = Upper(text.substr(0, end));
    std::string_view rest = end == std::string_view::npos ? "" : base::Trim(text.substr(end));
    if (!Contains(kKeywords, ins.keyword)) {
      std::vector<std::string> names(std::begin(kKeywords), std::end(kKeywords));
      std::string close = base::ClosestMatch(ins.keyword, names);
      return base::Fail(DockerfileError(
          df_, line,
          fmt::format("unknown instruction '{}'{}", text.substr(0, end),
                      close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close))));
    }
    if (ins.keyword == "ONBUILD" || ins.keyword == "HEALTHCHECK")
      return base::Fail(DockerfileError(
          df_, line,
          fmt::format("{} is not supported{}", ins.keyword,
                      ins.keyword == "ONBUILD" ? " (it acts only in images built FROM this one)"
                                               : " (OCI image configs have no health check)")));
    DISTILL_TRY(Flags(rest, ins));
    if ((ins.keyword == "RUN" || ins.keyword == "COPY" || ins.keyword == "ADD") && HasHeredoc(rest))
      return base::Fail(
          DockerfileError(df_, line, fmt::format("heredocs in {} are not supported", ins.keyword)));
    ins.rest = std::string(rest);
    if (Contains(kJsonKeywords, ins.keyword) && !rest.empty() && rest[0] == '[') Json(ins);
    if (ins.keyword == "SHELL" && !ins.json)
      return base::Fail(DockerfileError(
          df_, line, "SHELL needs the JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]"));
    if (ins.rest.empty() && !ins.json)
      return base::Fail(
          DockerfileError(df_, line, fmt::format("{} needs at least one argument", ins.keyword)));
    df_.instructions.push_back(std::move(ins));
    return {};
  }

  // Leading words of the form --name[=value]; quotes around a value are
  // removed (`--chown="app:app"`).
  base::Result<void> Flags(std::string_view& rest, DockerInstruction& ins) {
    while (base::StartsWith(rest, "--")) {
      size_t end = rest.find_first_of(" \t");
      std::string_view word = rest.substr(0, end);
      rest = end == std::string_view::npos ? "" : base::Trim(rest.substr(end));
      if (word == "--") return base::Fail(DockerfileError(df_, ins.line, "empty flag '--'"));
      size_t eq = word.find('=');
      std::string name(word.substr(2, eq == std::string_view::npos ? word.size() : eq - 2));
      std::string value(eq == std::string_view::npos ? "" : word.substr(eq + 1));
      if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0])
        value = value.substr(1, value.size() - 2);
      ins.flags.emplace_back(Lower(name), value);
    }
    return {};
  }

  // The exec form: a JSON array of strings. Text that is not one stays the
  // shell form, as in BuildKit.
  static void Json(DockerInstruction& ins) {
    nlohmann::json j = nlohmann::json::parse(ins.rest, nullptr, /*allow_exceptions=*/false);
    if (!j.is_array()) return;
    std::vector<std::string> argv;
    for (const nlohmann::json& e : j) {
      if (!e.is_string()) return;
      argv.push_back(e.get<std::string>());
    }
    ins.json = true;
    ins.argv = std::move(argv);
  }

  Dockerfile& df_;
  const base::Limits& limits_;
  std::vector<std::string> lines_;
};

}  // namespace

base::Error DockerfileError(const Dockerfile& df, int line, const std::string& what) {
  std::vector<std::string> lines = base::Split(df.text, '\n');
  std::string source;
  if (line >= 1 && line <= static_cast<int>(lines.size())) source = lines[line - 1];
  if (!source.empty() && source.back() == '\r') source.pop_back();
  return base::Error("{}:{}: {}", df.path, line, what).WithDetail(source).AtPosition(df.path);
}

base::Result<Dockerfile> ParseDockerfile(const std::string& text, const std::string& path,
                                         const base::Limits& limits) {
  Dockerfile df;
  df.path = path;
  df.text = text;
  DISTILL_TRY(Parser(df, limits).Run());
  if (df.instructions.empty())
    return base::Fail("{}: no instructions (a Dockerfile needs at least a FROM)", path);
  return df;
}

bool IsDockerfile(const std::string& path, const std::string& text) {
  std::string name = Lower(path.substr(path.rfind('/') + 1));
  if (base::EndsWith(name, ".yaml") || base::EndsWith(name, ".yml")) return false;
  for (const char* stem : {"dockerfile", "containerfile"}) {
    std::string s = stem;
    if (name == s || base::StartsWith(name, s + ".") || base::EndsWith(name, "." + s)) return true;
  }
  for (const std::string& raw : base::Split(text, '\n')) {
    std::string_view line = base::Trim(raw);
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::string body = Lower(base::Trim(line.substr(1)));
      if (base::StartsWith(body, "syntax=") || base::StartsWith(body, "syntax =")) return true;
      continue;
    }
    std::string word = Upper(line.substr(0, line.find_first_of(" \t")));
    return (word == "FROM" || word == "ARG") && line.size() > word.size();
  }
  return false;
}

}  // namespace build
