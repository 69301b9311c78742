// Sink: where streamed bytes go. Layers flow tar → hash (diff_id) → compressor
// → hash (digest) → file, each stage a Sink feeding the next, so nothing is
// ever re-read to compute a digest (image-spec: DiffID vs blob digest).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/sha256.h"

namespace base {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Result<void> Write(std::span<const uint8_t> bytes) = 0;
  Result<void> Write(std::string_view s) {
    return Write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  // Flushes whatever the stage buffers into the next one. Call once, last.
  virtual Result<void> Close() { return {}; }
  // The most bytes the sink still accepts (CappedSink); a stage that
  // buffers on its behalf (http::RetryingClient) stops at it.
  virtual uint64_t Capacity() const { return UINT64_MAX; }
};

// Hashes and counts what passes through, then forwards it to `next` (may be
// null: hash only).
class HashingSink : public Sink {
 public:
  explicit HashingSink(Sink* next) : next_(next) {}
  Result<void> Write(std::span<const uint8_t> bytes) override {
    hash_.Update(bytes);
    size_ += bytes.size();
    return next_ ? next_->Write(bytes) : Result<void>();
  }
  Result<void> Close() override { return next_ ? next_->Close() : Result<void>(); }
  // "sha256:<hex>"; call once after Close().
  std::string Digest() { return "sha256:" + hash_.FinishHex(); }
  uint64_t size() const { return size_; }

 private:
  Sink* next_;
  Sha256 hash_;
  uint64_t size_ = 0;
};

// Writes to a file descriptor it does not own, all of every write (EINTR
// retried); errors name the file as `name`.
class FdSink : public Sink {
 public:
  FdSink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  using Sink::Write;
  Result<void> Write(std::span<const uint8_t> bytes) override;

 private:
  int fd_;
  std::string name_;
};

// Appends to a string (tests, small blobs).
class StringSink : public Sink {
 public:
  Result<void> Write(std::span<const uint8_t> bytes) override {
    out_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return {};
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

// Forwards to `next` (null: counts only) until more than `cap` bytes have
// arrived in all; the write that crosses the cap fails with `error` and
// forwards nothing, so the transfer feeding it aborts at once instead of
// buffering a hostile body first (base/limits.h: enforced while streaming).
class CappedSink : public Sink {
 public:
  CappedSink(Sink* next, uint64_t cap, Error error)
      : next_(next), cap_(cap), error_(std::move(error)) {}
  using Sink::Write;
  Result<void> Write(std::span<const uint8_t> bytes) override {
    if (bytes.size() > cap_ - std::min(cap_, size_)) {
      exceeded_ = true;
      return std::unexpected<Error>(error_);
    }
    size_ += bytes.size();
    return next_ ? next_->Write(bytes) : Result<void>();
  }
  Result<void> Close() override { return next_ ? next_->Close() : Result<void>(); }
  uint64_t Capacity() const override { return cap_ - std::min(cap_, size_); }
  bool exceeded() const { return exceeded_; }
  uint64_t size() const { return size_; }

 private:
  Sink* next_;
  uint64_t cap_;
  Error error_;
  uint64_t size_ = 0;
  bool exceeded_ = false;
};

// Writes to a stdio FILE it does not own.
class FileSink : public Sink {
 public:
  FileSink(FILE* f, std::string name) : f_(f), name_(std::move(name)) {}
  Result<void> Write(std::span<const uint8_t> bytes) override;

 private:
  FILE* f_;
  std::string name_;
};

}  // namespace base
