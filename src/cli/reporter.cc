// Diagnostics on stderr, in the one format every message uses:
//   distill: error: building 'x.yaml': ...
// Every line is passed through base::EscapeControl: messages carry text from
// outside (registry error bodies, paths, Dockerfile lines), and an escape
// sequence or newline in it must neither drive the terminal nor break the
// one-line rule.
#include "cli/reporter.h"

#include <fmt/format.h>
#include <unistd.h>

#include "base/strings.h"

namespace cli {

ProgressMode ParseProgressMode(const std::string& text) {
  if (text == "plain") return ProgressMode::kPlain;
  if (text == "none") return ProgressMode::kNone;
  return ProgressMode::kAuto;
}

StderrReporter::StderrReporter(ProgressMode mode)
    : show_status_(mode == ProgressMode::kPlain ||
                   (mode == ProgressMode::kAuto && isatty(STDERR_FILENO))) {}

void StderrReporter::Status(std::string_view line) {
  if (show_status_) fmt::print(stderr, "distill: {}\n", base::EscapeControl(line));
}

void StderrReporter::Warning(std::string_view line) {
  ++warnings_;
  fmt::print(stderr, "distill: warning: {}\n", base::EscapeControl(line));
}

void PrintError(const std::string& message, const std::string& detail) {
  fmt::print(stderr, "distill: error: {}\n", base::EscapeControl(message));
  // The detail lines (a spec error's source line and caret) are ours: their
  // content is escaped, the newlines between them kept.
  if (detail.empty()) return;
  std::string out;
  for (const std::string& line : base::Split(detail, '\n')) out += base::EscapeControl(line) + "\n";
  fmt::print(stderr, "{}", out);
}

}  // namespace cli
