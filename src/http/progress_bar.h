// ProgressBar: a one-line download meter for a terminal.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>

#include "http/progress.h"

namespace http {

// Redraws one line of `out` in place ("\r", then erase to end of line), at
// most every 100 ms, and ends it with a newline on Finish. Only for a TTY:
// the caller checks isatty() and uses the silent base Progress otherwise.
class ProgressBar : public Progress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `out` is not owned; `now` is injectable for tests.
  explicit ProgressBar(FILE* out, Clock now = std::chrono::steady_clock::now);

  void Start(uint64_t total_items, uint64_t total_bytes) override;
  void Advance(uint64_t bytes) override;
  void ItemDone(const std::string& name) override;
  void Finish() override;

 private:
  void Draw(bool force);  // with mu_ held

  std::mutex mu_;
  FILE* out_;
  Clock now_;
  uint64_t total_items_ = 0;
  uint64_t total_bytes_ = 0;
  uint64_t items_done_ = 0;
  uint64_t bytes_done_ = 0;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace http
