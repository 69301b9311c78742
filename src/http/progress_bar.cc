// The terminal download meter, e.g.
//   fetching  12/40 [######--------------]  6.1 MB/20.0 MB
// The bar follows bytes when sizes are known (Debian indexes give every
// .deb's Size) and items otherwise. Redraws are throttled to 10 Hz because
// parallel transfers call Advance for every chunk, and a terminal that
// repaints thousands of times a second slows the download it reports.
#include "http/progress_bar.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"

namespace http {

namespace {
constexpr int kBarWidth = 20;
constexpr std::chrono::milliseconds kRedrawInterval{100};
}  // namespace

ProgressBar::ProgressBar(FILE* out, Clock now) : out_(out), now_(std::move(now)) {}

void ProgressBar::Start(uint64_t total_items, uint64_t total_bytes) {
  std::lock_guard lock(mu_);
  total_items_ = total_items;
  total_bytes_ = total_bytes;
  if (total_items_ > 0) Draw(true);
}

void ProgressBar::Advance(uint64_t bytes) {
  std::lock_guard lock(mu_);
  bytes_done_ += bytes;
  Draw(false);
}

void ProgressBar::ItemDone(const std::string&) {
  std::lock_guard lock(mu_);
  ++items_done_;
  Draw(false);
}

void ProgressBar::Finish() {
  std::lock_guard lock(mu_);
  if (!drawn_) return;
  Draw(true);
  fputc('\n', out_);
  fflush(out_);
}

void ProgressBar::Draw(bool force) {
  auto now = now_();
  if (!force && drawn_ && now - last_draw_ < kRedrawInterval) return;
  drawn_ = true;
  last_draw_ = now;
  uint64_t bytes = std::min(bytes_done_, total_bytes_);
  double fraction = total_bytes_ > 0   ? static_cast<double>(bytes) / total_bytes_
                    : total_items_ > 0 ? static_cast<double>(items_done_) / total_items_
                                       : 1.0;
  int filled = static_cast<int>(fraction * kBarWidth);
  std::string line = fmt::format("\rfetching {:>{}}/{} [{}{}]", items_done_,
                                 fmt::formatted_size("{}", total_items_), total_items_,
                                 std::string(filled, '#'), std::string(kBarWidth - filled, '-'));
  if (total_bytes_ > 0)
    line += fmt::format(" {}/{}", base::HumanBytes(bytes), base::HumanBytes(total_bytes_));
  line += "\x1b[K";  // erase what a longer previous line left
  fputs(line.c_str(), out_);
  fflush(out_);
}

}  // namespace http
