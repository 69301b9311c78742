// Error and Result: how every fallible function in distill reports failure.
//
// A Result<T> is std::expected<T, Error>. An Error is one human-readable line,
// built innermost first; callers add context on the way out, so the final line
// reads outermost → innermost, e.g.
//   building 'img.yaml': fetching 'libc6_2.36-9_amd64.deb': sha256 mismatch
// Only cli/ prints errors. Messages are lowercase, without a final period, and
// quote user values in single quotes (docs/design.md, "Errors").
#pragma once

#include <fmt/format.h>

#include <expected>
#include <string>
#include <utility>

namespace base {

class Error {
 public:
  Error() = default;
  explicit Error(std::string message) : message_(std::move(message)) {}
  template <typename... Args>
  explicit Error(fmt::format_string<Args...> f, Args&&... args)
      : message_(fmt::format(f, std::forward<Args>(args)...)) {}

  // Returns this error with "<context>: " put in front of the message.
  template <typename... Args>
  Error Context(fmt::format_string<Args...> f, Args&&... args) const& {
    Error e(fmt::format(f, std::forward<Args>(args)...) + ": " + message_);
    e.detail_ = detail_;
    return e;  // no longer starts at a position
  }
  // Marks this error as one that starts with a position in `file`,
  // "FILE:LINE[:COL]: ", so callers add no context of their own before it.
  Error AtPosition(std::string file) && {
    position_file_ = std::move(file);
    return std::move(*this);
  }

  // Extra lines shown under the message (a spec's source line and a caret).
  Error WithDetail(std::string detail) && {
    detail_ = std::move(detail);
    return std::move(*this);
  }

  const std::string& message() const { return message_; }
  const std::string& detail() const { return detail_; }
  // The file this error's message starts with a position in; "" when none.
  const std::string& position_file() const { return position_file_; }

 private:
  std::string message_;
  std::string detail_;
  std::string position_file_;
};

template <typename T>
using Result = std::expected<T, Error>;

// Spelled-out failure value: `return Fail("'{}': not found", path);`.
template <typename... Args>
std::unexpected<Error> Fail(fmt::format_string<Args...> f, Args&&... args) {
  return std::unexpected<Error>(Error(fmt::format(f, std::forward<Args>(args)...)));
}
inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace base

// Propagates a failed Result from the enclosing function, adding nothing.
#define DISTILL_TRY(expr)                                                                  \
  do {                                                                                     \
    auto&& distill_try_result_ = (expr);                                                   \
    if (!distill_try_result_) return ::base::Fail(std::move(distill_try_result_).error()); \
  } while (0)
