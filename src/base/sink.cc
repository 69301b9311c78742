// Sinks that need more than a line.
#include "base/sink.h"

#include "base/file_util.h"

namespace base {

Result<void> FileSink::Write(std::span<const uint8_t> bytes) {
  if (fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size())
    return Fail("writing '{}': {}", name_, ErrnoText());
  return {};
}

}  // namespace base
