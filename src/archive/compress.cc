// Streaming gzip and zstd compressors as base::Sink stages.
//
// gzip (RFC 1952) is written as one member whose deflate stream (RFC 1951) is
// built the way pigz builds it: the input is cut into fixed 128 KiB blocks and
// each block is compressed on its own as raw deflate at level 6, primed with
// the 32 KiB of input before it as a preset dictionary. Every block but the
// last ends with a sync flush (an empty stored block), which byte-aligns it and
// leaves the stream open, so the blocks concatenate into one valid stream; the
// last ends with Z_FINISH. The CRC-32 of the whole input is combined from the
// per-block CRCs with crc32_combine. Block boundaries depend only on input
// offsets, never on timing, so the bytes are the same for any thread count.
// Workers take blocks from a bounded queue and the caller's thread writes
// finished blocks out in order, so memory stays O(threads × block size).
//
// zstd (RFC 8878) uses libzstd's own streaming API with every parameter that
// shapes the frame pinned: level 3, no checksum, no content size, and always
// multithreaded mode, whose output is the same for any worker count ≥ 1 (the
// single-threaded mode, nbWorkers=0, produces different bytes). The tests check
// this for 1, 2 and 4 workers. See formats.md A8 on digest stability.
#include "archive/compress.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace archive {
namespace {

using base::Fail;
using base::Result;

constexpr size_t kWindowSize = 32 * 1024;
constexpr int kGzipLevel = 6;
constexpr int kZstdLevel = 3;

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// One block of input and, once compressed, its deflate bytes.
struct GzipJob {
  std::string input;
  std::string dict;  // up to 32 KiB of input just before this block
  bool last = false;
  std::string output;
  uint32_t crc = 0;
  int zlib_error = Z_OK;
  bool done = false;  // guarded by the compressor's mutex
};

// A raw-deflate z_stream at our pinned settings, reused across blocks.
class Deflater {
 public:
  Deflater() {
    ok_ = deflateInit2(&zs_, kGzipLevel, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&zs_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Fills job->output, job->crc, or job->zlib_error.
  void Run(GzipJob* job) {
    job->crc = crc32(0, reinterpret_cast<const Bytef*>(job->input.data()), job->input.size());
    if (!ok_) {
      job->zlib_error = Z_MEM_ERROR;
      return;
    }
    // deflateReset clears all history, so the output depends on this block
    // and its dictionary only, not on what this z_stream compressed before.
    deflateReset(&zs_);
    if (!job->dict.empty())
      deflateSetDictionary(&zs_, reinterpret_cast<const Bytef*>(job->dict.data()),
                           job->dict.size());
    job->output.resize(deflateBound(&zs_, job->input.size()) + 64);
    zs_.next_in = reinterpret_cast<Bytef*>(job->input.data());
    zs_.avail_in = job->input.size();
    size_t produced = 0;
    int flush = job->last ? Z_FINISH : Z_SYNC_FLUSH;
    for (;;) {
      zs_.next_out = reinterpret_cast<Bytef*>(job->output.data() + produced);
      zs_.avail_out = job->output.size() - produced;
      int ret = deflate(&zs_, flush);
      produced = job->output.size() - zs_.avail_out;
      if (ret == Z_STREAM_ERROR) {
        job->zlib_error = ret;
        return;
      }
      bool finished = job->last ? ret == Z_STREAM_END : zs_.avail_out != 0;
      if (finished) break;
      job->output.resize(job->output.size() * 2);
    }
    job->output.resize(produced);
  }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

class GzipSink : public base::Sink {
 public:
  GzipSink(base::Sink* next, int threads) : next_(next) {
    max_inflight_ = threads > 1 ? 2 * static_cast<size_t>(threads) : 0;
    for (int i = 0; threads > 1 && i < threads; ++i) workers_.emplace_back([this] { Work(); });
    current_.reserve(kGzipBlockSize);
  }

  ~GzipSink() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  Result<void> Write(std::span<const uint8_t> bytes) override {
    while (!bytes.empty()) {
      size_t n = std::min(bytes.size(), kGzipBlockSize - current_.size());
      current_.append(reinterpret_cast<const char*>(bytes.data()), n);
      bytes = bytes.subspan(n);
      if (current_.size() == kGzipBlockSize) DISTILL_TRY(Submit(/*last=*/false));
    }
    return {};
  }

  Result<void> Close() override {
    DISTILL_TRY(Submit(/*last=*/true));
    DISTILL_TRY(Drain(0));
    uint8_t trailer[8];
    PutLe32(trailer, crc_);
    PutLe32(trailer + 4, static_cast<uint32_t>(isize_));  // ISIZE is mod 2^32
    DISTILL_TRY(next_->Write(std::span<const uint8_t>(trailer, 8)));
    return next_->Close();
  }

 private:
  static void PutLe32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
  }

  // Hands the current block to a worker (or compresses it inline) and starts
  // the next block, keeping the last 32 KiB of this one as its dictionary.
  Result<void> Submit(bool last) {
    auto job = std::make_unique<GzipJob>();
    job->last = last;
    job->dict = std::move(dict_);
    // Every block but the last is kGzipBlockSize ≥ 32 KiB, so the tail of
    // this block alone is the whole window the next one needs.
    size_t keep = std::min(current_.size(), kWindowSize);
    dict_.assign(current_, current_.size() - keep, keep);
    job->input = std::move(current_);
    current_.clear();
    current_.reserve(kGzipBlockSize);
    if (workers_.empty()) {
      inline_deflater_.Run(job.get());
      return Emit(*job);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      todo_.push_back(job.get());
      inflight_.push_back(std::move(job));
    }
    work_cv_.notify_one();
    return Drain(max_inflight_);
  }

  // Writes finished blocks out in order until at most `keep` are in flight.
  Result<void> Drain(size_t keep) {
    for (;;) {
      std::unique_ptr<GzipJob> head;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (inflight_.size() <= keep) return {};
        done_cv_.wait(lock, [this] { return inflight_.front()->done; });
        head = std::move(inflight_.front());
        inflight_.pop_front();
      }
      DISTILL_TRY(Emit(*head));
    }
  }

  Result<void> Emit(const GzipJob& job) {
    if (job.zlib_error != Z_OK)
      return Fail("gzip: deflate failed with zlib error {}", job.zlib_error);
    if (!header_written_) {
      // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 (level 6) OS=3 (Unix).
      static constexpr uint8_t kHeader[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
      DISTILL_TRY(next_->Write(std::span<const uint8_t>(kHeader, 10)));
      header_written_ = true;
    }
    crc_ = crc32_combine(crc_, job.crc, static_cast<z_off_t>(job.input.size()));
    isize_ += job.input.size();
    return next_->Write(AsBytes(job.output));
  }

  void Work() {
    Deflater deflater;
    for (;;) {
      GzipJob* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [this] { return stop_ || !todo_.empty(); });
        if (todo_.empty()) return;
        job = todo_.front();
        todo_.pop_front();
      }
      deflater.Run(job);
      {
        std::lock_guard<std::mutex> lock(mu_);
        job->done = true;
      }
      done_cv_.notify_all();
    }
  }

  base::Sink* next_;
  std::string current_;
  std::string dict_;
  uint32_t crc_ = 0;
  uint64_t isize_ = 0;
  bool header_written_ = false;
  Deflater inline_deflater_;

  size_t max_inflight_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<std::unique_ptr<GzipJob>> inflight_;  // in output order
  std::deque<GzipJob*> todo_;                      // not yet taken by a worker
  bool stop_ = false;
  std::vector<std::thread> workers_;  // last, so they start after the rest exists
};

class ZstdSink : public base::Sink {
 public:
  ZstdSink(base::Sink* next, int threads)
      : next_(next), cctx_(ZSTD_createCCtx()), out_(ZSTD_CStreamOutSize()) {
    // Setting a parameter fails only for out-of-range values or a libzstd
    // built without threads; the first Write reports that.
    setup_error_ = SetParam(ZSTD_c_compressionLevel, kZstdLevel);
    if (!setup_error_) setup_error_ = SetParam(ZSTD_c_checksumFlag, 0);
    if (!setup_error_) setup_error_ = SetParam(ZSTD_c_contentSizeFlag, 0);
    if (!setup_error_) setup_error_ = SetParam(ZSTD_c_nbWorkers, std::max(1, threads));
  }
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }

  Result<void> Write(std::span<const uint8_t> bytes) override {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) {
      size_t left;
      DISTILL_TRY(Step(&in, ZSTD_e_continue, &left));
    }
    return {};
  }

  Result<void> Close() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (size_t left = 1; left != 0;) DISTILL_TRY(Step(&in, ZSTD_e_end, &left));
    return next_->Close();
  }

 private:
  size_t SetParam(ZSTD_cParameter p, int v) {
    size_t r = ZSTD_CCtx_setParameter(cctx_, p, v);
    return ZSTD_isError(r) ? r : 0;
  }

  Result<void> Step(ZSTD_inBuffer* in, ZSTD_EndDirective mode, size_t* left) {
    if (setup_error_) return Fail("zstd: {}", ZSTD_getErrorName(setup_error_));
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    *left = ZSTD_compressStream2(cctx_, &out, in, mode);
    if (ZSTD_isError(*left)) return Fail("zstd: {}", ZSTD_getErrorName(*left));
    if (out.pos == 0) return {};
    return next_->Write(std::span<const uint8_t>(out_.data(), out.pos));
  }

  base::Sink* next_;
  ZSTD_CCtx* cctx_;
  std::vector<uint8_t> out_;
  size_t setup_error_ = 0;
};

class PassSink : public base::Sink {
 public:
  explicit PassSink(base::Sink* next) : next_(next) {}
  Result<void> Write(std::span<const uint8_t> bytes) override { return next_->Write(bytes); }
  Result<void> Close() override { return next_->Close(); }

 private:
  base::Sink* next_;
};

}  // namespace

std::unique_ptr<base::Sink> NewCompressor(Compression c, base::Sink* next, int threads) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipSink>(next, threads);
    case Compression::kZstd:
      return std::make_unique<ZstdSink>(next, threads);
    case Compression::kNone:
      break;
  }
  return std::make_unique<PassSink>(next);
}

}  // namespace archive
