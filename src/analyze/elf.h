// ELF: what the dynamic loader needs to know about an executable or shared
// library — its class, byte order, type and machine, the program interpreter
// (PT_INTERP), and the dynamic section's NEEDED, RPATH, RUNPATH, SONAME and
// FLAGS_1 entries (formats.md G1). Only program headers are read, since
// section headers may be stripped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/byte_source.h"
#include "base/error.h"

namespace analyze {

enum class ElfClass { k32, k64 };
enum class ElfData { kLittle, kBig };

// e_type values (ET_DYN covers both PIE executables and shared libraries).
inline constexpr uint16_t kEtExec = 2;
inline constexpr uint16_t kEtDyn = 3;
// e_machine values of the Debian architectures.
inline constexpr uint16_t kEm386 = 3;
inline constexpr uint16_t kEmMips = 8;
inline constexpr uint16_t kEmPpc64 = 21;
inline constexpr uint16_t kEmS390 = 22;
inline constexpr uint16_t kEmArm = 40;
inline constexpr uint16_t kEmX8664 = 62;
inline constexpr uint16_t kEmAarch64 = 183;
inline constexpr uint16_t kEmRiscv = 243;
// DT_FLAGS_1 bits.
inline constexpr uint64_t kDf1Origin = 0x80;
inline constexpr uint64_t kDf1NoDefLib = 0x800;

// Caps on what one file may make the parser read or hold.
inline constexpr uint64_t kMaxElfInterpBytes = 4096;
inline constexpr uint64_t kMaxElfDynamicBytes = 1 << 20;
inline constexpr uint64_t kMaxElfStringTableBytes = 16 << 20;

struct ElfInfo {
  ElfClass elf_class = ElfClass::k64;
  ElfData data = ElfData::kLittle;
  uint16_t type = 0;     // e_type
  uint16_t machine = 0;  // e_machine
  // The PT_INTERP path without its NUL; absent for static binaries and
  // (usually) shared libraries.
  std::optional<std::string> interpreter;
  bool has_dynamic = false;            // a PT_DYNAMIC segment exists
  std::vector<std::string> needed;     // DT_NEEDED, in order
  std::optional<std::string> rpath;    // DT_RPATH as written (colon-separated)
  std::optional<std::string> runpath;  // DT_RUNPATH as written
  std::optional<std::string> soname;   // DT_SONAME
  uint64_t flags_1 = 0;                // DT_FLAGS_1

  bool NoDefaultLib() const { return (flags_1 & kDf1NoDefLib) != 0; }
  // Static binaries (static-pie included) need no loader and no libraries.
  bool IsStatic() const { return !interpreter && needed.empty(); }
  friend bool operator==(const ElfInfo&, const ElfInfo&) = default;
};

// True when `prefix` (at least the first four bytes of a file) starts with
// the ELF magic "\x7fELF".
bool HasElfMagic(std::string_view prefix);

// Parses the ELF file behind `source`. Every offset, count and size from the
// file is bounds-checked and capped (the kMaxElf* constants), so malformed
// input yields an error such as "truncated elf header" or "string table
// address 0x4000 is in no loadable segment" rather than a crash or a large
// allocation. Fails with "not an elf file" when the magic is absent, and
// passes through I/O errors of the source.
base::Result<ElfInfo> ParseElf(const ByteSource& source);
// The same over bytes in memory.
base::Result<ElfInfo> ParseElf(std::string_view bytes);
// The same over a file on disk; reads only the headers, the interpreter, the
// dynamic section and the string table (each capped as above). Errors name
// the file: "'/bin/x': not an elf file".
base::Result<ElfInfo> ParseElfFile(const std::string& path);

}  // namespace analyze
