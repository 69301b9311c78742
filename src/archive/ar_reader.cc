// The ar container of .deb files (deb(5), dpkg's lib/dpkg/ar.c; formats.md F1).
//
// An archive is the 8-byte magic "!<arch>\n" followed by members, each a
// 60-byte header and its data, padded with "\n" to an even offset (the pad is
// not counted in the size). Header fields are fixed-width ASCII, space
// padded: name[16], mtime[12] decimal, uid[6], gid[6] decimal, mode[8] octal,
// size[10] decimal, then the terminator "`\n". The bytes are untrusted, so each
// field is checked to hold only its digits followed by spaces, the size is
// checked against what is left of the archive before it is used, and all
// offset arithmetic is done where it cannot overflow.
#include "archive/ar_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "base/file_util.h"

namespace archive {

using base::Fail;
using base::Result;

namespace {

constexpr std::string_view kMagic = "!<arch>\n";
constexpr size_t kHeaderSize = 60;

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  Result<void> ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset)
      return Fail("read of {} bytes at offset {} is past the end", out.size(), offset);
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return {};
  }

 private:
  std::string_view bytes_;
};

class FileSource : public ByteSource {
 public:
  FileSource(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  ~FileSource() override { close(fd_); }
  uint64_t size() const override { return size_; }
  Result<void> ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    while (!out.empty()) {
      ssize_t n = pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail("reading '{}': {}", path_, base::ErrnoText());
      if (n == 0) return Fail("reading '{}': unexpected end of file", path_);
      out = out.subspan(static_cast<size_t>(n));
      offset += static_cast<uint64_t>(n);
    }
    return {};
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

// A fixed-width numeric field: digits in `base`, then only spaces. Returns
// nullopt for anything else, an empty field, or a value over 2^62.
std::optional<uint64_t> ParseField(std::string_view f, int base) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < f.size() && f[i] >= '0' && f[i] < '0' + base; ++i) {
    if (v > (uint64_t{1} << 62) / base) return std::nullopt;
    v = v * base + static_cast<uint64_t>(f[i] - '0');
  }
  if (i == 0) return std::nullopt;
  for (; i < f.size(); ++i)
    if (f[i] != ' ') return std::nullopt;
  return v;
}

}  // namespace

std::unique_ptr<ByteSource> NewMemorySource(std::string_view bytes) {
  return std::make_unique<MemorySource>(bytes);
}

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail("opening '{}': {}", path, base::ErrnoText());
  struct stat st;
  if (fstat(fd, &st) != 0) {
    std::string err = base::ErrnoText();
    close(fd);
    return Fail("opening '{}': {}", path, err);
  }
  return std::make_unique<FileSource>(fd, static_cast<uint64_t>(st.st_size), path);
}

Result<ArReader> ArReader::Open(const ByteSource* src, std::string name) {
  std::array<uint8_t, 8> magic{};
  if (src->size() < magic.size() || !src->ReadAt(0, magic) ||
      std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kMagic)
    return Fail("'{}': not an ar archive (bad magic)", name);
  return ArReader(src, std::move(name));
}

Result<ArMember> ArReader::ParseHeader(std::span<const uint8_t, 60> h) const {
  std::string_view s(reinterpret_cast<const char*>(h.data()), h.size());
  if (s.substr(58, 2) != "`\n") return Fail("'{}': bad ar member header at offset {}", name_, pos_);
  std::string_view name = s.substr(0, 16);
  name = name.substr(0, name.find_last_not_of(' ') + 1);
  if (!name.empty() && name.back() == '/') name.remove_suffix(1);  // GNU ar
  for (char c : name) {
    if (c <= ' ' || c > '~' || c == '/')
      return Fail("'{}': bad ar member name at offset {}", name_, pos_);
  }
  if (name.empty()) return Fail("'{}': bad ar member name at offset {}", name_, pos_);
  std::optional<uint64_t> size = ParseField(s.substr(48, 10), 10);
  if (!size || !ParseField(s.substr(16, 12), 10) || !ParseField(s.substr(28, 6), 10) ||
      !ParseField(s.substr(34, 6), 10) || !ParseField(s.substr(40, 8), 8))
    return Fail("'{}': bad header fields in ar member '{}'", name_, name);
  return ArMember{std::string(name), pos_ + kHeaderSize, *size};
}

Result<std::optional<ArMember>> ArReader::Next() {
  uint64_t total = src_->size();
  if (pos_ >= total) return std::nullopt;
  if (total - pos_ < kHeaderSize)
    return Fail("'{}': truncated ar member header at offset {}", name_, pos_);
  std::array<uint8_t, kHeaderSize> header;
  DISTILL_TRY(src_->ReadAt(pos_, header));
  Result<ArMember> m = ParseHeader(header);
  if (!m) return Fail(m.error());
  if (m->size > total - m->offset) return Fail("'{}': truncated ar member '{}'", name_, m->name);
  // Skip the data and its even-offset pad; a missing pad after the last
  // member just ends the archive.
  pos_ = m->offset + m->size + (m->size & 1);
  return std::optional<ArMember>(std::move(*m));
}

Result<std::string> ArReader::ReadMember(const ArMember& m, uint64_t max_size) const {
  if (m.size > max_size)
    return Fail("'{}': ar member '{}' is larger than {} bytes", name_, m.name, max_size);
  std::string out(m.size, '\0');
  DISTILL_TRY(
      src_->ReadAt(m.offset, std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), m.size)));
  return out;
}

}  // namespace archive
