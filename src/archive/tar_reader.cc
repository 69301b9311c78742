// A streaming tar reader on libarchive, hardened for untrusted input.
//
// libarchive does the parsing (ustar, GNU tar with its 'L'/'K' long names,
// and PAX 'x' records, formats.md A7 and F1) and undoes any compression it
// recognizes by magic bytes; we report which one it found so callers can
// refuse what a .deb may not use. On top of that, every entry is checked
// before anyone sees it, as the style guide asks of archive paths: names are
// normalized by dropping "." and empty components, and an absolute name, a
// ".." component, a hardlink pointing outside the root, or a type a layer
// cannot hold (sockets) is an error. libarchive reads tar typeflags it does
// not know as regular files, so such entries arrive here as kFile.
//
// Limits (base/limits.h) are checked from the headers, before any data is
// read: an entry's size is its apparent size (what extracting it would
// write; a GNU or PAX sparse entry counts its full size, not its stored
// data), so neither a 1 TiB sparse file nor a header claiming 1 TiB gets
// past Next(). The uncompressed stream is bounded too (a decompression bomb
// of zero blocks, huge PAX records), checked as data is read, so a bomb
// stops at the cap rather than after it has been expanded.
//
// A file is read through our own callbacks so that a byte range of it (a .deb
// member, F1) can be read in place, without copying it out first.
#include "archive/tar_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "archive/libarchive.h"
#include "base/file_util.h"

namespace archive {

using base::Fail;
using base::Result;

namespace {

constexpr size_t kBufferSize = 64 * 1024;

// `raw` with "." and empty components dropped, or nullopt if it has "..".
std::optional<std::string> Normalize(std::string_view raw) {
  std::string out;
  while (!raw.empty()) {
    size_t slash = raw.find('/');
    std::string_view part = raw.substr(0, slash);
    raw = slash == std::string_view::npos ? "" : raw.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") return std::nullopt;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::optional<EntryType> TypeOf(archive_entry* e) {
  if (archive_entry_hardlink(e) != nullptr) return EntryType::kHardlink;
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return EntryType::kFile;
    case AE_IFDIR:
      return EntryType::kDir;
    case AE_IFLNK:
      return EntryType::kSymlink;
    case AE_IFCHR:
      return EntryType::kCharDev;
    case AE_IFBLK:
      return EntryType::kBlockDev;
    case AE_IFIFO:
      return EntryType::kFifo;
  }
  return std::nullopt;
}

Filter FilterOf(int code) {
  switch (code) {
    case ARCHIVE_FILTER_NONE:
      return Filter::kNone;
    case ARCHIVE_FILTER_GZIP:
      return Filter::kGzip;
    case ARCHIVE_FILTER_XZ:
      return Filter::kXz;
    case ARCHIVE_FILTER_ZSTD:
      return Filter::kZstd;
    case ARCHIVE_FILTER_BZIP2:
      return Filter::kBzip2;
  }
  return Filter::kOther;
}

const char* NameOf(archive_entry* e) {
  const char* p = archive_entry_pathname(e);
  return p != nullptr ? p : archive_entry_pathname_utf8(e);
}

}  // namespace

std::string_view FilterName(Filter f) {
  switch (f) {
    case Filter::kNone:
      return "none";
    case Filter::kGzip:
      return "gzip";
    case Filter::kXz:
      return "xz";
    case Filter::kZstd:
      return "zstd";
    case Filter::kBzip2:
      return "bzip2";
    case Filter::kOther:
      break;
  }
  return "other";
}

// Bytes [pos, end) of an open file, served to libarchive in kBufferSize reads.
struct TarReader::FileSource {
  int fd = -1;
  uint64_t pos = 0;
  uint64_t end = 0;
  std::vector<uint8_t> buffer = std::vector<uint8_t>(kBufferSize);

  ~FileSource() {
    if (fd >= 0) close(fd);
  }

  static la_ssize_t Read(libarchive_handle* a, void* self, const void** out) {
    auto* s = static_cast<FileSource*>(self);
    size_t want = static_cast<size_t>(std::min<uint64_t>(kBufferSize, s->end - s->pos));
    ssize_t n;
    do {
      n = pread(s->fd, s->buffer.data(), want, static_cast<off_t>(s->pos));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      archive_set_error(a, errno, "read failed: %s", base::ErrnoText().c_str());
      return -1;
    }
    s->pos += static_cast<uint64_t>(n);
    *out = s->buffer.data();
    return n;
  }

  static la_int64_t Skip(libarchive_handle*, void* self, la_int64_t request) {
    auto* s = static_cast<FileSource*>(self);
    uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(std::max<la_int64_t>(request, 0)),
                                    s->end - s->pos);
    s->pos += n;
    return static_cast<la_int64_t>(n);
  }
};

namespace {

libarchive_handle* NewReader() {
  libarchive_handle* a = archive_read_new();
  if (a == nullptr) return nullptr;
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);  // ustar, pax and GNU tar
  return a;
}

}  // namespace

Result<std::unique_ptr<TarReader>> TarReader::OpenFile(const std::string& path, std::string name,
                                                       uint64_t offset,
                                                       std::optional<uint64_t> length) {
  if (name.empty()) name = path;
  auto src = std::make_unique<FileSource>();
  src->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (src->fd < 0 || fstat(src->fd, &st) != 0)
    return Fail("opening '{}': {}", path, base::ErrnoText());
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t len = length.value_or(offset <= size ? size - offset : 0);
  if (offset > size || len > size - offset)
    return Fail("'{}': byte range {}+{} is beyond the end of '{}'", name, offset, len, path);
  src->pos = offset;
  src->end = offset + len;
  libarchive_handle* a = NewReader();
  if (a == nullptr) return Fail("'{}': cannot allocate a libarchive reader", name);
  std::unique_ptr<TarReader> r(new TarReader(a, std::move(name)));
  r->file_ = std::move(src);
  if (archive_read_open2(a, r->file_.get(), nullptr, &FileSource::Read, &FileSource::Skip,
                         nullptr) != ARCHIVE_OK)
    return Fail(r->LibarchiveError());
  return r;
}

Result<std::unique_ptr<TarReader>> TarReader::OpenMemory(std::string_view bytes, std::string name) {
  libarchive_handle* a = NewReader();
  if (a == nullptr) return Fail("'{}': cannot allocate a libarchive reader", name);
  std::unique_ptr<TarReader> r(new TarReader(a, std::move(name)));
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK)
    return Fail(r->LibarchiveError());
  return r;
}

TarReader::TarReader(libarchive_handle* a, std::string name) : a_(a), name_(std::move(name)) {}

TarReader::~TarReader() { archive_read_free(a_); }

base::Error TarReader::LibarchiveError() const {
  const char* msg = archive_error_string(a_);
  return base::Error("'{}': {}", name_, msg ? msg : "unknown libarchive error");
}

Result<TarEntry> TarReader::Convert(archive_entry* e) const {
  const char* raw = NameOf(e);
  if (raw == nullptr) return Fail("'{}': entry with an unreadable name", name_);
  if (raw[0] == '/') return Fail("'{}': entry '{}' is absolute", name_, raw);
  std::optional<std::string> path = Normalize(raw);
  if (!path) return Fail("'{}': entry '{}' escapes the root", name_, raw);
  std::optional<EntryType> type = TypeOf(e);
  if (!type) return Fail("'{}': entry '{}' has an unsupported type", name_, raw);
  if (path->empty() && *type != EntryType::kDir)
    return Fail("'{}': entry '{}' has an empty name", name_, raw);
  TarEntry out{.path = std::move(*path), .type = *type};
  out.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
  out.uid = static_cast<uint32_t>(archive_entry_uid(e));
  out.gid = static_cast<uint32_t>(archive_entry_gid(e));
  out.mtime = archive_entry_mtime(e);
  if (*type == EntryType::kFile) out.size = static_cast<uint64_t>(archive_entry_size(e));
  if (*type == EntryType::kSymlink) {
    const char* link = archive_entry_symlink(e);
    if (link == nullptr) link = archive_entry_symlink_utf8(e);
    out.link = link ? link : "";
  }
  if (*type == EntryType::kHardlink) {
    const char* link = archive_entry_hardlink(e);
    std::optional<std::string> target = Normalize(link);
    if (link[0] == '/' || !target || target->empty())
      return Fail("'{}': entry '{}' is a hardlink to '{}' outside the root", name_, raw, link);
    out.link = std::move(*target);
  }
  if (*type == EntryType::kCharDev || *type == EntryType::kBlockDev) {
    out.dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(e));
    out.dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(e));
  }
  archive_entry_xattr_reset(e);
  const char* key;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK)
    out.xattrs.emplace_back(key, std::string(static_cast<const char*>(value), size));
  return out;
}

Result<std::optional<TarEntry>> TarReader::Next() {
  archive_entry* e = nullptr;
  ScopedCLocale c_locale;
  int r = archive_read_next_header(a_, &e);
  if (first_) {
    filter_ = FilterOf(archive_filter_code(a_, 0));
    is_tar_ = (archive_format(a_) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR;
    first_ = false;
  }
  if (r == ARCHIVE_EOF) return std::nullopt;
  // ARCHIVE_WARN flags names that do not convert to the locale's charset;
  // the entry is complete and we read the name as bytes.
  if (r < ARCHIVE_WARN) return Fail(LibarchiveError());
  DISTILL_TRY(CheckStream());
  Result<TarEntry> entry = Convert(e);
  if (!entry) return Fail(entry.error());
  DISTILL_TRY(CheckLimits(*entry));
  current_ = *entry;
  return std::optional<TarEntry>(std::move(*entry));
}

Result<void> TarReader::ReadData(base::Sink* out) {
  std::vector<uint8_t> buf(kBufferSize);
  uint64_t total = 0;
  for (;;) {
    la_ssize_t n = archive_read_data(a_, buf.data(), buf.size());
    if (n < 0) {
      const char* msg = archive_error_string(a_);
      return Fail("'{}': entry '{}': {}", name_, current_.path, msg ? msg : "read error");
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > current_.size) break;  // reported below
    DISTILL_TRY(CheckStream());
    DISTILL_TRY(out->Write(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n))));
  }
  if (total != current_.size)
    return Fail("'{}': entry '{}' has {} bytes of data, not {}", name_, current_.path, total,
                current_.size);
  return {};
}

Result<void> TarReader::CheckLimits(const TarEntry& e) {
  auto over = [&](std::string_view limit, std::string_view what) {
    return Fail(base::LimitError(limits_, limit, what).Context("'{}'", name_));
  };
  if (++entries_ > limits_.layer_entries) return over("layer-entries", "the number of entries");
  if (e.type != EntryType::kFile) return {};
  if (e.size > limits_.entry_bytes)
    return over("entry-bytes", fmt::format("entry '{}' ({} bytes)", e.path, e.size));
  bytes_ += e.size;
  if (bytes_ > limits_.layer_bytes)
    return over("layer-bytes", fmt::format("the unpacked size (at entry '{}')", e.path));
  if (image_used_ != nullptr) {
    uint64_t image = image_used_->fetch_add(e.size) + e.size;
    if (image > limits_.image_bytes)
      return over("image-bytes", fmt::format("the image's unpacked size (at entry '{}')", e.path));
  }
  return {};
}

Result<void> TarReader::CheckStream() const {
  // Headers and padding come on top of the entries' data: a stream longer
  // than the limit plus that overhead is not a layer of that size.
  la_int64_t read = archive_filter_bytes(a_, 0);
  uint64_t overhead = (entries_ + 2) * 1024 + (uint64_t{1} << 20);
  if (read > 0 && static_cast<uint64_t>(read) > limits_.layer_bytes + overhead)
    return Fail(
        base::LimitError(limits_, "layer-bytes", "the uncompressed stream").Context("'{}'", name_));
  return {};
}

Result<std::string> TarReader::ReadDataString(uint64_t max_size) {
  max_size = std::min(max_size, limits_.value_bytes);
  if (current_.size > max_size)
    return Fail("'{}': entry '{}' is larger than {} bytes", name_, current_.path, max_size);
  base::StringSink sink;
  DISTILL_TRY(ReadData(&sink));
  return std::move(sink.str());
}

}  // namespace archive
