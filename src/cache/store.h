// cache::Store: the content-addressed blob cache shared by every build on the
// machine (downloaded .debs and indexes, later OCI blobs), safe against
// concurrent builds and killed processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/file_util.h"
#include "base/sha256.h"
#include "base/sink.h"

namespace cache {

// "$XDG_CACHE_HOME/distill", else "$HOME/.cache/distill" (an unset or empty
// variable counts as absent); an error when neither is set.
base::Result<std::string> DefaultRoot();
// The same, from given values of the two variables (null for unset).
base::Result<std::string> DefaultRoot(const char* xdg_cache_home, const char* home);

// True when `s` is 64 lowercase hex digits, as the store's keys are.
bool IsSha256Hex(std::string_view s);

// A blob on its way into the store: a temp file under <root>/tmp/ that is
// hashed as it is written. Destroying it uncommitted removes the temp file.
class BlobWriter : public base::Sink {
 public:
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  ~BlobWriter() override;

  using base::Sink::Write;
  // Fails once more bytes arrive than the expected size, so an endless or
  // hostile body cannot fill the disk.
  base::Result<void> Write(std::span<const uint8_t> bytes) override;
  // Verifies size and digest, then renames the file to its blob path. On a
  // mismatch the temp file is removed and the error reads
  // "size mismatch (expected N bytes, got M)" or
  // "sha256 mismatch (expected <hex>, got <hex>)". Call once.
  base::Result<void> Commit();

 private:
  friend class Store;
  BlobWriter(std::string tmp_path, std::string blob_path, std::string expected_hex,
             std::optional<uint64_t> expected_size, base::UniqueFile file);

  std::string tmp_path_;  // empty once committed or moved from
  std::string blob_path_;
  std::string expected_hex_;
  std::optional<uint64_t> expected_size_;
  base::UniqueFile file_;
  std::unique_ptr<base::Sha256> hash_;
  uint64_t size_ = 0;
};

// Blobs live at <root>/blobs/sha256/<hex>, the OCI image-layout spelling, and
// appear there only complete and verified (rename(2) from <root>/tmp/, which
// is on the same file system). Thread-safe; several processes may share it.
class Store {
 public:
  // Creates the directories if needed and removes temp files older than a
  // day, which only a killed process leaves behind.
  static base::Result<Store> Open(const std::string& root);

  const std::string& root() const { return root_; }
  // True when the blob is present; false too for a malformed `hex`.
  bool Has(std::string_view hex) const;
  // Where the blob is (or would be). `hex` must satisfy IsSha256Hex.
  std::string Path(std::string_view hex) const;
  // Starts writing a blob expected to hash to `hex` (and to be `size` bytes
  // long when given). Errors: "invalid sha256 '<hex>'", or the temp file's
  // creation failing.
  base::Result<BlobWriter> Insert(std::string_view hex,
                                  std::optional<uint64_t> size = std::nullopt) const;
  // Copies the file at `path` in as blob `hex`, verified as Insert does.
  base::Result<void> PutFile(std::string_view hex, const std::string& path) const;
  // Removes files in <root>/tmp/ last modified more than `max_age` ago and
  // returns how many. Writers in progress touch theirs as they write.
  base::Result<int> CleanTemp(std::chrono::seconds max_age) const;

  // Keyed entries: small records of facts derived from verified inputs (a
  // Release signature checked with a keyring, a resolution of an index set),
  // at <root>/entries/<kind>/<key>, where `kind` is a lowercase name such as
  // "resolutions" and `key` satisfies IsSha256Hex (the hash of the inputs).
  // Each file starts with the SHA-256 of its payload, so a damaged entry
  // reads as absent, never as a wrong answer.
  //
  // Writes `payload` through <root>/tmp/ (fsync, then rename), so the entry
  // appears whole or not at all; a killed writer leaves only a temp file.
  // Errors: "invalid cache entry '<kind>/<key>'", or the file's creation.
  base::Result<void> PutEntry(std::string_view kind, std::string_view key,
                              std::string_view payload) const;
  // The payload of an entry; nullopt when it is absent, unreadable, or its
  // checksum does not match (a miss: the caller recomputes and puts again).
  std::optional<std::string> GetEntry(std::string_view kind, std::string_view key) const;
  // Where the entry is (or would be); for tests and diagnostics.
  std::string EntryPath(std::string_view kind, std::string_view key) const;

 private:
  explicit Store(std::string root) : root_(std::move(root)) {}
  // A new 0644 file in tmp/ for an atomic rename into place; its path goes
  // to `tmp`.
  base::Result<base::UniqueFile> CreateTemp(std::string_view name, std::string& tmp) const;
  std::string root_;
};

}  // namespace cache
