// Parallel verified downloads into the cache, the "fetch" pass of a build
// (docs/design.md, Architecture). A Debian .deb is not signed itself: the
// SHA256 and Size fields of the signed Packages index are its only link to
// the Release signature (Debian Policy §5.4; formats.md D1), so a mismatch
// is always an error and the bytes never become visible in the cache.
//
// A fixed pool of worker threads pulls items off a shared counter; each
// streams its body into a cache::BlobWriter, which hashes as it writes and
// renames into place only on a match. Retries go through RetryingClient's
// restartable form: each attempt gets a fresh writer, and the abandoned one
// deletes its temp file, so a half body never mixes into a retry.
#include "http/downloader.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <system_error>
#include <thread>

namespace http {
namespace {

using base::Fail;
using base::Result;

// Forwards to the blob writer and reports each chunk to the progress sink.
class ProgressSink : public base::Sink {
 public:
  ProgressSink(base::Sink& next, Progress& progress) : next_(next), progress_(progress) {}
  Result<void> Write(std::span<const uint8_t> bytes) override {
    DISTILL_TRY(next_.Write(bytes));
    progress_.Advance(bytes.size());
    return {};
  }

 private:
  base::Sink& next_;
  Progress& progress_;
};

Result<void> FetchOne(RetryingClient& client, const cache::Store& store, const DownloadItem& item,
                      Progress& progress) {
  std::optional<cache::BlobWriter> writer;
  std::optional<ProgressSink> sink;
  auto new_attempt = [&]() -> Result<base::Sink*> {
    sink.reset();
    writer.reset();  // drops the previous attempt's temp file
    Result<cache::BlobWriter> w = store.Insert(item.sha256, item.size);
    if (!w) return Fail(w.error());
    writer.emplace(std::move(*w));
    sink.emplace(*writer, progress);
    return &*sink;
  };
  Request req;
  req.url = item.url;
  req.body_on_success_only = true;  // a 404 page is not a truncated .deb
  Result<Response> r = client.DoRestartable(req, new_attempt);
  if (!r) return Fail(r.error().Context("'{}'", item.name));
  if (r->status != 200) return Fail("'{}': '{}': http status {}", item.name, item.url, r->status);
  Result<void> c = writer->Commit();
  if (!c) return Fail(c.error().Context("'{}'", item.name));
  return {};
}

// The items not yet cached, each blob once (two names for the same bytes,
// as with identical arch:all .debs, need one transfer).
std::vector<const DownloadItem*> Missing(const cache::Store& store,
                                         const std::vector<DownloadItem>& items) {
  std::vector<const DownloadItem*> out;
  std::set<std::string> seen;
  for (const DownloadItem& item : items)
    if (!store.Has(item.sha256) && seen.insert(item.sha256).second) out.push_back(&item);
  return out;
}

Result<void> Combine(const std::vector<std::optional<base::Error>>& errors) {
  const base::Error* first = nullptr;
  size_t failed = 0;
  for (const std::optional<base::Error>& e : errors) {
    if (!e) continue;
    if (failed++ == 0) first = &*e;
  }
  if (failed == 0) return {};
  if (failed == 1) return Fail(*first);
  return Fail("{} (and {} more failed downloads)", first->message(), failed - 1);
}

}  // namespace

Result<void> Download(HttpClient& client, const cache::Store& store,
                      const std::vector<DownloadItem>& items, const DownloadOptions& options) {
  Progress silent;
  Progress& progress = options.progress ? *options.progress : silent;
  std::vector<const DownloadItem*> todo = Missing(store, items);
  uint64_t total_bytes = 0;
  for (const DownloadItem* item : todo) total_bytes += item->size.value_or(0);
  progress.Start(todo.size(), total_bytes);

  RetryingClient retrying(client, options.retry);
  std::vector<std::optional<base::Error>> errors(todo.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < todo.size();) {
      Result<void> r = FetchOne(retrying, store, *todo[i], progress);
      if (r)
        progress.ItemDone(todo[i]->name);
      else
        errors[i] = std::move(r).error();
    }
  };
  size_t n = std::min<size_t>(std::max(options.parallel, 1), todo.size());
  {
    std::vector<std::jthread> workers;
    try {
      for (size_t i = 0; i < n; ++i) workers.emplace_back(work);
    } catch (const std::system_error&) {
      // Out of threads: those started (or this one) still drain the queue.
      if (workers.empty()) work();
    }
  }  // joined here
  progress.Finish();
  return Combine(errors);
}

}  // namespace http
