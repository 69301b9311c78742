// Progress: how a long transfer reports what it has done, so that cli/ can
// draw it (progress_bar.h on a terminal) and everything else stays silent.
#pragma once

#include <cstdint>
#include <string>

namespace http {

// The base class does nothing; override what you draw. Implementations must
// be thread-safe: parallel downloads call Advance and ItemDone concurrently.
class Progress {
 public:
  virtual ~Progress() = default;
  // Once, before any other call: what is about to be transferred.
  virtual void Start(uint64_t total_items, uint64_t total_bytes) {
    (void)total_items;
    (void)total_bytes;
  }
  // `bytes` more arrived. A retried item counts again, so the sum may pass
  // total_bytes: clamp when drawing.
  virtual void Advance(uint64_t bytes) { (void)bytes; }
  // One item is complete and verified.
  virtual void ItemDone(const std::string& name) { (void)name; }
  // Once, last, whether or not everything succeeded.
  virtual void Finish() {}
};

}  // namespace http
