// A deterministic tar writer on libarchive's "restricted pax" format.
//
// Each entry gets one 512-byte ustar header (magic "ustar\0", version "00")
// and, only when ustar cannot represent it, a PAX 'x' header before it
// (formats.md A7): a path longer than ustar's name[100]+prefix[155] split, a
// link target over 100 bytes, uid/gid ≥ 2^18 (above 07777777 in libarchive's
// reckoning), a size ≥ 8 GiB, an mtime outside [0, 2^31), xattrs, or
// non-ASCII names. libarchive names the 'x' pseudo-entry
// "<dir>/PaxHeader/<base>", with no PID, so it is reproducible.
//
// What we pin, for reproducible layer digests (formats.md A8): numeric
// uid/gid with empty uname/gname, no atime/ctime/birthtime (we never set them
// on the entry, so even a PAX header carries none), whole-second mtime, mode
// masked to 07777, names converted under the C locale whatever the process
// locale is (so a non-ASCII name always gets the same PAX 'path' record with
// hdrcharset=BINARY: its bytes, unconverted), xattrs only as SCHILY.xattr.* (the key
// containerd and Go read), and no padding of the last record to 10240 bytes:
// the archive ends right after its two zero blocks, as Go's archive/tar does.
#include "archive/tar_writer.h"

#include "archive/libarchive.h"

namespace archive {
namespace {

using base::Fail;
using base::Result;

struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using UniqueEntry = std::unique_ptr<archive_entry, EntryDeleter>;

// Why `p` cannot be an archive path, or "" if it can.
std::string PathProblem(const std::string& p) {
  if (p.empty()) return "empty path";
  if (p.find('\0') != std::string::npos) return "path has a NUL byte";
  if (p.front() == '/') return "path is absolute";
  std::string_view rest = p;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (part == "..") return "path has a '..' component";
    if (part == "." || (part.empty() && slash != std::string_view::npos))
      return "path has an empty or '.' component";
    rest = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  }
  return "";
}

mode_t FileType(EntryType t) {
  switch (t) {
    case EntryType::kDir:
      return AE_IFDIR;
    case EntryType::kSymlink:
      return AE_IFLNK;
    case EntryType::kCharDev:
      return AE_IFCHR;
    case EntryType::kBlockDev:
      return AE_IFBLK;
    case EntryType::kFifo:
      return AE_IFIFO;
    case EntryType::kFile:
    case EntryType::kHardlink:  // libarchive writes typeflag '1' when a hardlink is set
      break;
  }
  return AE_IFREG;
}

// Checks the fields libarchive would accept but a layer must not have.
Result<void> Validate(const TarEntry& e) {
  std::string problem = PathProblem(e.path);
  if (!problem.empty()) return Fail("{}", problem);
  if (e.type == EntryType::kSymlink && e.link.empty()) return Fail("symlink has no target");
  if (e.type == EntryType::kSymlink && e.link.find('\0') != std::string::npos)
    return Fail("symlink target has a NUL byte");
  if (e.type == EntryType::kHardlink) {
    problem = PathProblem(e.link);
    if (!problem.empty()) return Fail("hardlink target '{}': {}", e.link, problem);
  }
  if (e.type != EntryType::kFile && e.size != 0)
    return Fail("size {} on an entry that is not a regular file", e.size);
  for (const auto& [name, value] : e.xattrs) {
    if (name.empty() || name.find('\0') != std::string::npos)
      return Fail("bad xattr name '{}'", name);
  }
  return {};
}

UniqueEntry MakeEntry(const TarEntry& e) {
  UniqueEntry entry(archive_entry_new());
  std::string name = e.path;
  if (e.type == EntryType::kDir && name.back() != '/') name += '/';
  archive_entry_copy_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), FileType(e.type));
  archive_entry_set_perm(entry.get(), e.mode & 07777);
  archive_entry_set_uid(entry.get(), e.uid);
  archive_entry_set_gid(entry.get(), e.gid);
  archive_entry_set_mtime(entry.get(), e.mtime, 0);
  archive_entry_set_size(entry.get(), e.type == EntryType::kFile ? e.size : 0);
  if (e.type == EntryType::kSymlink) archive_entry_copy_symlink(entry.get(), e.link.c_str());
  if (e.type == EntryType::kHardlink) archive_entry_copy_hardlink(entry.get(), e.link.c_str());
  if (e.type == EntryType::kCharDev || e.type == EntryType::kBlockDev) {
    archive_entry_set_rdevmajor(entry.get(), e.dev_major);
    archive_entry_set_rdevminor(entry.get(), e.dev_minor);
  }
  for (const auto& [key, value] : e.xattrs)
    archive_entry_xattr_add_entry(entry.get(), key.c_str(), value.data(), value.size());
  return entry;
}

}  // namespace

Result<std::unique_ptr<TarWriter>> TarWriter::Create(base::Sink* out) {
  ScopedCLocale c_locale;
  libarchive_handle* a = archive_write_new();
  if (a == nullptr) return Fail("tar: cannot allocate a libarchive writer");
  std::unique_ptr<TarWriter> w(new TarWriter(a, out));
  bool ok =
      archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
      archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY") == ARCHIVE_OK &&
      archive_write_add_filter_none(a) == ARCHIVE_OK &&
      archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK &&
      archive_write_open(a, w.get(), nullptr, &TarWriter::WriteCallback, nullptr) == ARCHIVE_OK;
  if (!ok) return Fail(w->LastError().Context("tar"));
  return w;
}

TarWriter::~TarWriter() {
  // Freeing an unfinished writer would end the archive into a Sink that may
  // be gone already; finished_ makes the callback drop those bytes.
  finished_ = true;
  archive_write_free(a_);
}

long TarWriter::WriteCallback(libarchive_handle*, void* self, const void* buf, size_t n) {
  auto* w = static_cast<TarWriter*>(self);
  if (w->sink_error_) return -1;
  if (w->finished_) return static_cast<long>(n);
  Result<void> r = w->out_->Write(std::span<const uint8_t>(static_cast<const uint8_t*>(buf), n));
  if (!r) {
    w->sink_error_ = std::make_unique<base::Error>(std::move(r).error());
    return -1;
  }
  return static_cast<long>(n);
}

base::Error TarWriter::LastError() {
  if (sink_error_) return *sink_error_;
  const char* msg = archive_error_string(a_);
  return base::Error("libarchive: {}", msg ? msg : "unknown error");
}

Result<void> TarWriter::CheckPreviousEntryComplete() {
  if (sink_error_) return Fail(*sink_error_);
  if (finished_) return Fail("tar: archive already finished");
  if (remaining_ != 0) return Fail("'{}': {} bytes of data missing", current_path_, remaining_);
  return {};
}

Result<void> TarWriter::Add(const TarEntry& e) {
  DISTILL_TRY(CheckPreviousEntryComplete());
  if (Result<void> v = Validate(e); !v) return Fail(v.error().Context("'{}'", e.path));
  UniqueEntry entry = MakeEntry(e);
  ScopedCLocale c_locale;
  // ARCHIVE_WARN means a name was not valid in the (C) locale's charset; the
  // header is still written, with hdrcharset=BINARY and the bytes unchanged.
  if (archive_write_header(a_, entry.get()) < ARCHIVE_WARN) {
    if (sink_error_) return Fail(*sink_error_);
    return Fail(LastError().Context("'{}'", e.path));
  }
  current_path_ = e.path;
  remaining_ = e.type == EntryType::kFile ? e.size : 0;
  return {};
}

Result<void> TarWriter::WriteData(std::span<const uint8_t> bytes) {
  if (sink_error_) return Fail(*sink_error_);
  if (bytes.size() > remaining_)
    return Fail("'{}': {} bytes of data beyond its size", current_path_, bytes.size() - remaining_);
  la_ssize_t n = archive_write_data(a_, bytes.data(), bytes.size());
  if (n < 0 || static_cast<size_t>(n) != bytes.size()) {
    if (sink_error_) return Fail(*sink_error_);
    return Fail(LastError().Context("'{}'", current_path_));
  }
  remaining_ -= bytes.size();
  return {};
}

Result<void> TarWriter::Finish() {
  DISTILL_TRY(CheckPreviousEntryComplete());
  int r = archive_write_close(a_);
  finished_ = true;
  if (sink_error_) return Fail(*sink_error_);
  if (r != ARCHIVE_OK) return Fail(LastError().Context("tar"));
  return {};
}

}  // namespace archive
