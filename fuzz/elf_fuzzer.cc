// libFuzzer entry point for the ELF reader (analyze/elf.h): any bytes must
// give an ElfInfo or an error, never a crash, an out-of-bounds read or a
// large allocation. The reader pulls ranges through a ByteSource, so the
// in-memory source here exercises the same bounds checks as files on disk.
//
// Build (needs a clang whose C++ library has std::expected):
//   clang++ -std=c++2b -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     fuzz/elf_fuzzer.cc src/analyze/elf.cc src/analyze/byte_source.cc \
//     src/base/file_util.cc -lfmt -o elf_fuzzer
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analyze/elf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  base::Result<analyze::ElfInfo> info = analyze::ParseElf(bytes);
  if (!info) return 0;
  // Read every string back so ASan sees any bad copy.
  volatile size_t total = info->interpreter ? info->interpreter->size() : 0;
  for (const std::string& n : info->needed) total = total + n.size();
  return 0;
}
