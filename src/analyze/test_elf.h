// Test helper: writes small but well-formed ELF images in memory (file
// header, PT_LOAD + PT_INTERP + PT_DYNAMIC program headers, interpreter
// string, dynamic string table and dynamic array), so tests describe an
// executable or library by its loader-visible fields instead of committing
// binaries. Used only by *_test.cc files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analyze/elf.h"

namespace analyze::testing {

struct TestElf {
  ElfClass elf_class = ElfClass::k64;
  ElfData data = ElfData::kLittle;
  uint16_t type = kEtDyn;
  uint16_t machine = kEmX8664;
  std::optional<std::string> interpreter;
  bool dynamic = true;  // emit PT_DYNAMIC
  std::vector<std::string> needed;
  std::optional<std::string> rpath, runpath, soname;
  uint64_t flags_1 = 0;
};

// Appends `v` as a `width`-byte integer in the given byte order.
inline void PutInt(std::string& out, uint64_t v, int width, ElfData data) {
  for (int i = 0; i < width; ++i) {
    int shift = 8 * (data == ElfData::kLittle ? i : width - 1 - i);
    out += static_cast<char>((v >> shift) & 0xff);
  }
}

// The bytes of an ELF file described by `e`. The PT_LOAD segment maps the
// whole file at 0x400000 so DT_STRTAB is a real address, not a file offset.
inline std::string BuildElf(const TestElf& e) {
  const bool is64 = e.elf_class == ElfClass::k64;
  const int w = is64 ? 8 : 4;
  const uint64_t ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32, dynsize = is64 ? 16 : 8;
  const uint64_t base = 0x400000;
  // String table: index 0 is the empty string.
  std::string strtab(1, '\0');
  std::vector<std::pair<uint64_t, uint64_t>> dyn;
  auto add_string = [&](uint64_t tag, const std::string& s) {
    dyn.emplace_back(tag, strtab.size());
    strtab += s;
    strtab += '\0';
  };
  for (const std::string& n : e.needed) add_string(1, n);
  if (e.rpath) add_string(15, *e.rpath);
  if (e.runpath) add_string(29, *e.runpath);
  if (e.soname) add_string(14, *e.soname);
  if (e.flags_1) dyn.emplace_back(0x6ffffffb, e.flags_1);
  const uint64_t phnum = 1 + (e.interpreter ? 1 : 0) + (e.dynamic ? 1 : 0);
  const uint64_t interp_off = ehsize + phnum * phentsize;
  const uint64_t interp_size = e.interpreter ? e.interpreter->size() + 1 : 0;
  const uint64_t strtab_off = interp_off + interp_size;
  dyn.emplace_back(5, base + strtab_off);
  dyn.emplace_back(10, strtab.size());
  dyn.emplace_back(0, 0);
  const uint64_t dyn_off = strtab_off + strtab.size();
  const uint64_t total = dyn_off + dyn.size() * dynsize;

  std::string out =
      "\x7f"
      "ELF";
  out += static_cast<char>(is64 ? 2 : 1);
  out += static_cast<char>(e.data == ElfData::kLittle ? 1 : 2);
  out += '\1';          // EI_VERSION
  out.append(9, '\0');  // OSABI, ABIVERSION, padding
  PutInt(out, e.type, 2, e.data);
  PutInt(out, e.machine, 2, e.data);
  PutInt(out, 1, 4, e.data);       // e_version
  PutInt(out, 0, w, e.data);       // e_entry
  PutInt(out, ehsize, w, e.data);  // e_phoff
  PutInt(out, 0, w, e.data);       // e_shoff
  PutInt(out, 0, 4, e.data);       // e_flags
  PutInt(out, ehsize, 2, e.data);
  PutInt(out, phentsize, 2, e.data);
  PutInt(out, phnum, 2, e.data);
  PutInt(out, 0, 2, e.data);  // e_shentsize
  PutInt(out, 0, 2, e.data);  // e_shnum
  PutInt(out, 0, 2, e.data);  // e_shstrndx
  auto phdr = [&](uint32_t type, uint64_t off, uint64_t size) {
    PutInt(out, type, 4, e.data);
    if (is64) PutInt(out, 4, 4, e.data);  // p_flags
    PutInt(out, off, w, e.data);
    PutInt(out, base + off, w, e.data);  // p_vaddr
    PutInt(out, base + off, w, e.data);  // p_paddr
    PutInt(out, size, w, e.data);        // p_filesz
    PutInt(out, size, w, e.data);        // p_memsz
    if (!is64) PutInt(out, 4, 4, e.data);
    PutInt(out, 8, w, e.data);  // p_align
  };
  phdr(1, 0, total);
  if (e.interpreter) phdr(3, interp_off, interp_size);
  if (e.dynamic) phdr(2, dyn_off, dyn.size() * dynsize);
  if (e.interpreter) out += *e.interpreter + '\0';
  out += strtab;
  for (const auto& [tag, val] : dyn) {
    PutInt(out, tag, w, e.data);
    PutInt(out, val, w, e.data);
  }
  return out;
}

}  // namespace analyze::testing
