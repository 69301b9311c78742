// Sinks that need more than a line.
#include "base/sink.h"

#include <unistd.h>

#include <cerrno>

#include "base/file_util.h"

namespace base {

Result<void> FileSink::Write(std::span<const uint8_t> bytes) {
  if (fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size())
    return Fail("writing '{}': {}", name_, ErrnoText());
  return {};
}

Result<void> FdSink::Write(std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail("writing '{}': {}", name_, ErrnoText());
    done += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace base
