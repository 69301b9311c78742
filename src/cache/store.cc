// The content-addressed cache. Layout under the root (by default
// ~/.cache/distill, XDG Base Directory spec):
//   blobs/sha256/<hex>   complete, verified blobs, named by their SHA-256
//   tmp/<hex>.XXXXXX     blobs being written (mkstemp names, so two writers
//                        of the same blob never share a file)
// A blob is written to tmp/, hashed as it streams, fsync'ed, checked against
// the digest it was asked for (the SHA256 field of a signed Debian index, or
// an OCI descriptor's digest) and only then renamed into blobs/. rename(2) is
// atomic within a file system, so a reader sees no blob or a whole one; two
// builds inserting the same blob both succeed, the second rename replacing an
// identical file. A killed process leaves only a file in tmp/, removed by the
// next Open once it is a day old (a live writer's file is younger).
//
//   entries/<kind>/<key>  keyed records ("sha256:<hex of payload>\n" then the
//                         payload), written through tmp/ the same way; the
//                         leading checksum turns a damaged file into a miss
#include "cache/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <vector>

namespace cache {

using base::Fail;
using base::Result;

Result<std::string> DefaultRoot(const char* xdg_cache_home, const char* home) {
  if (xdg_cache_home && *xdg_cache_home) return base::JoinPath(xdg_cache_home, "distill");
  if (home && *home) return base::JoinPath(home, ".cache/distill");
  return Fail("no cache directory: neither XDG_CACHE_HOME nor HOME is set");
}

Result<std::string> DefaultRoot() { return DefaultRoot(getenv("XDG_CACHE_HOME"), getenv("HOME")); }

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

BlobWriter::BlobWriter(std::string tmp_path, std::string blob_path, std::string expected_hex,
                       std::optional<uint64_t> expected_size, base::UniqueFile file)
    : tmp_path_(std::move(tmp_path)),
      blob_path_(std::move(blob_path)),
      expected_hex_(std::move(expected_hex)),
      expected_size_(expected_size),
      file_(std::move(file)),
      hash_(std::make_unique<base::Sha256>()) {}

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : tmp_path_(std::move(other.tmp_path_)),
      blob_path_(std::move(other.blob_path_)),
      expected_hex_(std::move(other.expected_hex_)),
      expected_size_(other.expected_size_),
      file_(std::move(other.file_)),
      hash_(std::move(other.hash_)),
      size_(other.size_) {
  other.tmp_path_.clear();
}

BlobWriter::~BlobWriter() {
  if (tmp_path_.empty()) return;
  file_.reset();
  unlink(tmp_path_.c_str());
}

Result<void> BlobWriter::Write(std::span<const uint8_t> bytes) {
  if (tmp_path_.empty()) return Fail("writing a committed blob");
  if (expected_size_ && bytes.size() > *expected_size_ - size_)
    return Fail("size mismatch (expected {} bytes, got more)", *expected_size_);
  if (fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size())
    return Fail("writing '{}': {}", tmp_path_, base::ErrnoText());
  hash_->Update(bytes);
  size_ += bytes.size();
  return {};
}

Result<void> BlobWriter::Commit() {
  if (tmp_path_.empty()) return Fail("committing a committed blob");
  // Durable before visible: after a crash the name must not point at a file
  // whose data never reached the disk.
  if (fflush(file_.get()) != 0 || fsync(fileno(file_.get())) != 0 || fclose(file_.release()) != 0)
    return Fail("writing '{}': {}", tmp_path_, base::ErrnoText());
  std::string got = hash_->FinishHex();
  std::string tmp = std::move(tmp_path_);
  tmp_path_.clear();
  if (expected_size_ && size_ != *expected_size_) {
    unlink(tmp.c_str());
    return Fail("size mismatch (expected {} bytes, got {})", *expected_size_, size_);
  }
  if (got != expected_hex_) {
    unlink(tmp.c_str());
    return Fail("sha256 mismatch (expected {}, got {})", expected_hex_, got);
  }
  if (rename(tmp.c_str(), blob_path_.c_str()) != 0) {
    std::string err = base::ErrnoText();
    unlink(tmp.c_str());
    return Fail("renaming into '{}': {}", blob_path_, err);
  }
  return {};
}

Result<Store> Store::Open(const std::string& root) {
  Store store(root);
  DISTILL_TRY(base::MakeDirs(base::JoinPath(root, "blobs/sha256")));
  DISTILL_TRY(base::MakeDirs(base::JoinPath(root, "tmp")));
  // Best effort: a leftover we cannot remove only costs disk space.
  (void)store.CleanTemp(std::chrono::hours(24));
  return store;
}

bool Store::Has(std::string_view hex) const {
  if (!IsSha256Hex(hex)) return false;
  struct stat st;
  return stat(Path(hex).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string Store::Path(std::string_view hex) const {
  return base::JoinPath(root_, "blobs/sha256/" + std::string(hex));
}

// A new file in tmp/ named after `name`, for an atomic rename into place;
// its path goes to `tmp`. mkstemp makes the file 0600; cache files are
// shared, so it becomes 0644.
Result<base::UniqueFile> Store::CreateTemp(std::string_view name, std::string& tmp) const {
  tmp = base::JoinPath(root_, "tmp/" + std::string(name) + ".XXXXXX");
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Fail("creating '{}': {}", tmp, base::ErrnoText());
  FILE* f = fchmod(fd, 0644) == 0 ? fdopen(fd, "wb") : nullptr;
  if (f == nullptr) {
    std::string err = base::ErrnoText();
    close(fd);
    unlink(tmp.c_str());
    return Fail("creating '{}': {}", tmp, err);
  }
  return base::UniqueFile(f);
}

Result<BlobWriter> Store::Insert(std::string_view hex, std::optional<uint64_t> size) const {
  if (!IsSha256Hex(hex)) return Fail("invalid sha256 '{}'", hex);
  std::string tmp;
  Result<base::UniqueFile> f = CreateTemp(hex, tmp);
  if (!f) return Fail(f.error());
  return BlobWriter(std::move(tmp), Path(hex), std::string(hex), size, std::move(*f));
}

Result<void> Store::PutFile(std::string_view hex, const std::string& path) const {
  Result<base::UniqueFile> in = base::OpenRead(path);
  if (!in) return Fail(in.error());
  Result<BlobWriter> out = Insert(hex);
  if (!out) return Fail(out.error());
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    size_t n = fread(buf.data(), 1, buf.size(), in->get());
    if (n > 0) DISTILL_TRY(out->Write(std::span<const uint8_t>(buf.data(), n)));
    if (n < buf.size()) break;
  }
  if (ferror(in->get())) return Fail("reading '{}': {}", path, base::ErrnoText());
  Result<void> r = out->Commit();
  if (!r) return Fail(r.error().Context("'{}'", path));
  return {};
}

Result<int> Store::CleanTemp(std::chrono::seconds max_age) const {
  std::string dir = base::JoinPath(root_, "tmp");
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Fail("reading '{}': {}", dir, base::ErrnoText());
  time_t cutoff = time(nullptr) - static_cast<time_t>(max_age.count());
  int removed = 0;
  while (dirent* e = readdir(d)) {
    std::string path = base::JoinPath(dir, e->d_name);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_mtime >= cutoff) continue;
    if (unlink(path.c_str()) == 0) ++removed;
  }
  closedir(d);
  return removed;
}

namespace {

bool IsEntryKind(std::string_view kind) {
  if (kind.empty()) return false;
  for (char c : kind)
    if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
  return true;
}

constexpr std::string_view kEntryPrefix = "sha256:";

}  // namespace

std::string Store::EntryPath(std::string_view kind, std::string_view key) const {
  return base::JoinPath(root_, fmt::format("entries/{}/{}", kind, key));
}

Result<void> Store::PutEntry(std::string_view kind, std::string_view key,
                             std::string_view payload) const {
  if (!IsEntryKind(kind) || !IsSha256Hex(key))
    return Fail("invalid cache entry '{}/{}'", kind, key);
  std::string path = EntryPath(kind, key);
  DISTILL_TRY(base::MakeDirs(base::DirName(path)));
  std::string tmp;
  Result<base::UniqueFile> created = CreateTemp(key, tmp);
  if (!created) return Fail(created.error());
  base::UniqueFile file = std::move(*created);
  FILE* f = file.get();
  std::string header = fmt::format("{}{}\n", kEntryPrefix, base::Sha256Hex(payload));
  // Durable before visible, as for blobs.
  bool ok = fwrite(header.data(), 1, header.size(), f) == header.size() &&
            fwrite(payload.data(), 1, payload.size(), f) == payload.size() && fflush(f) == 0 &&
            fsync(fileno(f)) == 0;
  if (ok) ok = fclose(file.release()) == 0;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = base::ErrnoText();
    unlink(tmp.c_str());
    return Fail("writing '{}': {}", path, err);
  }
  return {};
}

std::optional<std::string> Store::GetEntry(std::string_view kind, std::string_view key) const {
  if (!IsEntryKind(kind) || !IsSha256Hex(key)) return std::nullopt;
  Result<std::string> text = base::ReadFile(EntryPath(kind, key));
  if (!text) return std::nullopt;
  size_t eol = text->find('\n');
  if (eol == std::string::npos || !text->starts_with(kEntryPrefix)) return std::nullopt;
  std::string_view want =
      std::string_view(*text).substr(kEntryPrefix.size(), eol - kEntryPrefix.size());
  std::string_view payload = std::string_view(*text).substr(eol + 1);
  if (want != base::Sha256Hex(payload)) return std::nullopt;
  return std::string(payload);
}

}  // namespace cache
