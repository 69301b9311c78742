// The stderr Reporter: status lines on a terminal (or always with
// --progress=plain), warnings always. stdout never sees any of it.
#pragma once

#include <cstdio>
#include <string>

#include "base/reporter.h"

namespace cli {

enum class ProgressMode { kAuto, kPlain, kNone };

// The --progress value ("auto", "plain", "none"; CLI11 checks the set).
ProgressMode ParseProgressMode(const std::string& text);

class StderrReporter : public base::Reporter {
 public:
  explicit StderrReporter(ProgressMode mode);
  void Status(std::string_view line) override;
  void Warning(std::string_view line) override;
  int warnings() const { return warnings_; }

 private:
  bool show_status_;
  int warnings_ = 0;
};

// Prints "distill: error: <message>" and any detail lines to stderr.
void PrintError(const std::string& message, const std::string& detail = "");

}  // namespace cli
