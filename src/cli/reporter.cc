// Diagnostics on stderr, in the one format every message uses:
//   distill: error: building 'x.yaml': ...
#include "cli/reporter.h"

#include <unistd.h>

#include <fmt/format.h>

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
  if (show_status_) fmt::print(stderr, "distill: {}\n", line);
}

void StderrReporter::Warning(std::string_view line) {
  ++warnings_;
  fmt::print(stderr, "distill: warning: {}\n", line);
}

void PrintError(const std::string& message, const std::string& detail) {
  fmt::print(stderr, "distill: error: {}\n", message);
  if (!detail.empty()) fmt::print(stderr, "{}\n", detail);
}

}  // namespace cli
