// ByteSource implementations: in-memory bytes and byte ranges of files read
// with pread(2), so sources sharing one descriptor never race on a file
// position. Range checks use overflow-safe arithmetic because offsets and
// lengths come straight from untrusted headers.
#include "analyze/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "base/file_util.h"

namespace analyze {
namespace {

// Owns a file descriptor shared by copies of a FileSource.
using Fd = base::UniqueFd;

base::Result<std::string> PreadAll(const Fd& fd, const std::string& path, uint64_t offset,
                                   uint64_t n) {
  std::string out(n, '\0');
  uint64_t done = 0;
  while (done < n) {
    ssize_t got = pread(fd.fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) return base::Fail("reading '{}': {}", path, base::ErrnoText());
    if (got == 0) return base::Fail("reading '{}': unexpected end of file", path);
    done += static_cast<uint64_t>(got);
  }
  return out;
}

}  // namespace

base::Result<std::string> ByteSource::Read(uint64_t offset, uint64_t n) const {
  uint64_t end = 0;
  if (__builtin_add_overflow(offset, n, &end) || end > size)
    return base::Fail("range {}+{} is outside the file ({} bytes)", offset, n, size);
  if (n == 0) return std::string();
  return read_at(offset, n);
}

ByteSource BytesSource(std::string_view bytes) {
  return ByteSource{bytes.size(),
                    [bytes](uint64_t offset, uint64_t n) -> base::Result<std::string> {
                      return std::string(bytes.substr(offset, n));
                    }};
}

base::Result<ByteSource> FileSource(const std::string& path, uint64_t start, uint64_t length) {
  auto fd = std::make_shared<Fd>(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd->fd < 0) return base::Fail("'{}': {}", path, base::ErrnoText());
  struct stat st;
  if (fstat(fd->fd, &st) != 0) return base::Fail("'{}': {}", path, base::ErrnoText());
  uint64_t end = 0;
  if (__builtin_add_overflow(start, length, &end) || end > static_cast<uint64_t>(st.st_size))
    return base::Fail("'{}' is shorter than {} bytes", path, end);
  return ByteSource{length, [fd, path, start](uint64_t offset, uint64_t n) {
                      return PreadAll(*fd, path, start + offset, n);
                    }};
}

base::Result<ByteSource> WholeFileSource(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return base::Fail("'{}': {}", path, base::ErrnoText());
  return FileSource(path, 0, static_cast<uint64_t>(st.st_size));
}

}  // namespace analyze
