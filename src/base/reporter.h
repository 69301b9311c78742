// Reporter: how passes tell the user what is happening without printing
// (ninja's Status). cli/ implements it on stderr; tests use a recorder.
#pragma once

#include <string_view>

namespace base {

class Reporter {
 public:
  virtual ~Reporter() = default;
  // A step starts ("resolving 42 packages"); shown on a terminal only.
  virtual void Status(std::string_view line) = 0;
  // Something the user should know but that does not fail the build.
  virtual void Warning(std::string_view line) = 0;
};

class NullReporter : public Reporter {
 public:
  void Status(std::string_view) override {}
  void Warning(std::string_view) override {}
};

}  // namespace base
