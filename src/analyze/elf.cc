// ELF reader for the run-check and closure analysis (formats.md G1; the
// System V gABI, "Object Files" and "Program Loading"). It reads e_ident and
// the file header, then the program header table, then two segments:
// PT_INTERP (a NUL-terminated path) and PT_DYNAMIC (an array of tag/value
// pairs ending at DT_NULL). String-valued tags (DT_NEEDED, DT_RPATH, ...) are
// offsets into the dynamic string table, whose DT_STRTAB value is a virtual
// address; it becomes a file offset through the PT_LOAD segment that maps it.
// Section headers are never used: stripped files may lack them and the loader
// ignores them too.
//
// The input is untrusted (application artifacts, packages from any mirror):
// each structure is read as one range whose bounds are checked with
// overflow-safe arithmetic before any allocation, every length is capped, and
// fields are then decoded from that range by a bounds-checked accessor.
#include "analyze/elf.h"

#include <cassert>
#include <utility>

namespace analyze {
namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtDynamic = 2;
constexpr uint32_t kPtInterp = 3;
constexpr uint64_t kDtNull = 0;
constexpr uint64_t kDtNeeded = 1;
constexpr uint64_t kDtStrtab = 5;
constexpr uint64_t kDtStrsz = 10;
constexpr uint64_t kDtSoname = 14;
constexpr uint64_t kDtRpath = 15;
constexpr uint64_t kDtRunpath = 29;
constexpr uint64_t kDtFlags1 = 0x6ffffffb;
// e_phnum of 0xffff means "the count is in section header 0" (PN_XNUM).
constexpr uint64_t kPnXnum = 0xffff;

// Field offsets and record sizes that differ between ELFCLASS32 and 64.
struct Layout {
  uint64_t ehsize, phoff, phentsize_at, phnum_at, word;
  uint64_t phentsize;  // sizeof(ElfN_Phdr)
  uint64_t p_offset, p_vaddr, p_filesz;
  uint64_t dynsize;  // sizeof(ElfN_Dyn)
};
constexpr Layout kLayout64{64, 32, 54, 56, 8, 56, 8, 16, 32, 16};
constexpr Layout kLayout32{52, 28, 42, 44, 4, 32, 4, 8, 16, 8};

struct Phdr {
  uint32_t type = 0;
  uint64_t offset = 0, vaddr = 0, filesz = 0;
};

// Decodes an unsigned field of `width` bytes at `at` in `rec` in the file's
// byte order. Callers read `rec` with its full record size first, so an
// out-of-range field is a bug in this file, not bad input.
uint64_t Field(std::string_view rec, uint64_t at, uint64_t width, ElfData data) {
  assert(at <= rec.size() && width <= rec.size() - at);
  if (at > rec.size() || width > rec.size() - at) return 0;
  uint64_t v = 0;
  for (uint64_t i = 0; i < width; ++i) {
    uint64_t byte =
        static_cast<unsigned char>(rec[at + (data == ElfData::kLittle ? width - 1 - i : i)]);
    v = (v << 8) | byte;
  }
  return v;
}

// True when [offset, offset + n) lies inside a file of `size` bytes.
bool InFile(uint64_t offset, uint64_t n, uint64_t size) {
  uint64_t end = 0;
  return !__builtin_add_overflow(offset, n, &end) && end <= size;
}

class Parser {
 public:
  explicit Parser(const ByteSource& source) : src_(source) {}

  base::Result<ElfInfo> Run() {
    DISTILL_TRY(ReadHeader());
    DISTILL_TRY(ReadProgramHeaders());
    for (const Phdr& p : phdrs_) {
      if (p.type == kPtInterp && !info_.interpreter) DISTILL_TRY(ReadInterp(p));
      if (p.type == kPtDynamic && !info_.has_dynamic) DISTILL_TRY(ReadDynamic(p));
    }
    return std::move(info_);
  }

 private:
  uint64_t Get(std::string_view rec, uint64_t at, uint64_t width) const {
    return Field(rec, at, width, info_.data);
  }

  base::Result<void> ReadHeader() {
    if (src_.size < 16) return base::Fail("not an elf file");
    base::Result<std::string> ident = src_.Read(0, 16);
    if (!ident) return base::Fail(ident.error());
    if (!HasElfMagic(*ident)) return base::Fail("not an elf file");
    unsigned cls = static_cast<unsigned char>((*ident)[4]);
    unsigned data = static_cast<unsigned char>((*ident)[5]);
    if (cls != 1 && cls != 2) return base::Fail("unknown elf class {}", cls);
    if (data != 1 && data != 2) return base::Fail("unknown elf byte order {}", data);
    info_.elf_class = cls == 1 ? ElfClass::k32 : ElfClass::k64;
    info_.data = data == 1 ? ElfData::kLittle : ElfData::kBig;
    layout_ = cls == 1 ? kLayout32 : kLayout64;
    if (src_.size < layout_.ehsize) return base::Fail("truncated elf header");
    base::Result<std::string> h = src_.Read(0, layout_.ehsize);
    if (!h) return base::Fail(h.error());
    info_.type = static_cast<uint16_t>(Get(*h, 16, 2));
    info_.machine = static_cast<uint16_t>(Get(*h, 18, 2));
    phoff_ = Get(*h, layout_.phoff, layout_.word);
    phentsize_ = Get(*h, layout_.phentsize_at, 2);
    phnum_ = Get(*h, layout_.phnum_at, 2);
    return {};
  }

  base::Result<void> ReadProgramHeaders() {
    if (phnum_ == 0) return {};
    if (phnum_ == kPnXnum) return base::Fail("extended program header count is not supported");
    if (phentsize_ != layout_.phentsize)
      return base::Fail("program header size {} is not {}", phentsize_, layout_.phentsize);
    // Both factors are 16-bit, so the product cannot overflow.
    uint64_t table = phnum_ * phentsize_;
    if (!InFile(phoff_, table, src_.size))
      return base::Fail("program headers lie outside the file");
    base::Result<std::string> bytes = src_.Read(phoff_, table);
    if (!bytes) return base::Fail(bytes.error());
    for (uint64_t i = 0; i < phnum_; ++i) {
      std::string_view rec = std::string_view(*bytes).substr(i * phentsize_, phentsize_);
      Phdr p;
      p.type = static_cast<uint32_t>(Get(rec, 0, 4));
      p.offset = Get(rec, layout_.p_offset, layout_.word);
      p.vaddr = Get(rec, layout_.p_vaddr, layout_.word);
      p.filesz = Get(rec, layout_.p_filesz, layout_.word);
      phdrs_.push_back(p);
    }
    return {};
  }

  base::Result<void> ReadInterp(const Phdr& p) {
    if (p.filesz > kMaxElfInterpBytes)
      return base::Fail("interpreter path is longer than {} bytes", kMaxElfInterpBytes);
    if (!InFile(p.offset, p.filesz, src_.size))
      return base::Fail("interpreter lies outside the file");
    base::Result<std::string> bytes = src_.Read(p.offset, p.filesz);
    if (!bytes) return base::Fail(bytes.error());
    // p_filesz counts the terminating NUL; tolerate its absence.
    std::string path = bytes->substr(0, bytes->find('\0'));
    if (path.empty()) return base::Fail("empty interpreter path");
    info_.interpreter = std::move(path);
    return {};
  }

  base::Result<void> ReadDynamic(const Phdr& p) {
    info_.has_dynamic = true;
    if (p.filesz > kMaxElfDynamicBytes)
      return base::Fail("dynamic section is larger than {} bytes", kMaxElfDynamicBytes);
    if (!InFile(p.offset, p.filesz, src_.size))
      return base::Fail("dynamic section lies outside the file");
    base::Result<std::string> bytes = src_.Read(p.offset, p.filesz);
    if (!bytes) return base::Fail(bytes.error());
    std::vector<std::pair<uint64_t, uint64_t>> strings;  // (tag, string offset)
    std::optional<uint64_t> strtab, strsz;
    for (uint64_t at = 0; bytes->size() - at >= layout_.dynsize; at += layout_.dynsize) {
      std::string_view rec = std::string_view(*bytes).substr(at, layout_.dynsize);
      uint64_t tag = Get(rec, 0, layout_.word);
      uint64_t val = Get(rec, layout_.word, layout_.word);
      if (tag == kDtNull) break;
      if (tag == kDtStrtab) strtab = val;
      if (tag == kDtStrsz) strsz = val;
      if (tag == kDtFlags1) info_.flags_1 = val;
      if (tag == kDtNeeded || tag == kDtRpath || tag == kDtRunpath || tag == kDtSoname)
        strings.emplace_back(tag, val);
    }
    if (strings.empty()) return {};
    if (!strtab) return base::Fail("dynamic section has strings but no string table");
    base::Result<std::string> table = ReadStringTable(*strtab, strsz);
    if (!table) return base::Fail(table.error());
    for (const auto& [tag, offset] : strings) DISTILL_TRY(StoreString(*table, tag, offset));
    return {};
  }

  // Maps the DT_STRTAB address to a file offset through the PT_LOAD segment
  // containing it and reads DT_STRSZ bytes (or the rest of the segment).
  base::Result<std::string> ReadStringTable(uint64_t vaddr, std::optional<uint64_t> strsz) {
    for (const Phdr& p : phdrs_) {
      if (p.type != kPtLoad || vaddr < p.vaddr || vaddr - p.vaddr >= p.filesz) continue;
      uint64_t rest = p.filesz - (vaddr - p.vaddr);
      uint64_t size = strsz.value_or(rest);
      if (size > rest) return base::Fail("string table extends past its segment");
      if (size > kMaxElfStringTableBytes)
        return base::Fail("string table is larger than {} bytes", kMaxElfStringTableBytes);
      uint64_t offset = 0;
      if (__builtin_add_overflow(p.offset, vaddr - p.vaddr, &offset) ||
          !InFile(offset, size, src_.size))
        return base::Fail("string table lies outside the file");
      return src_.Read(offset, size);
    }
    return base::Fail("string table address {:#x} is in no loadable segment", vaddr);
  }

  base::Result<void> StoreString(const std::string& table, uint64_t tag, uint64_t offset) {
    if (offset >= table.size())
      return base::Fail("string offset {} is outside the string table", offset);
    size_t end = table.find('\0', offset);
    if (end == std::string::npos) return base::Fail("unterminated string at offset {}", offset);
    std::string s = table.substr(offset, end - offset);
    if (tag == kDtNeeded) info_.needed.push_back(std::move(s));
    if (tag == kDtRpath && !info_.rpath) info_.rpath = std::move(s);
    if (tag == kDtRunpath && !info_.runpath) info_.runpath = std::move(s);
    if (tag == kDtSoname && !info_.soname) info_.soname = std::move(s);
    return {};
  }

  const ByteSource& src_;
  ElfInfo info_;
  Layout layout_ = kLayout64;
  uint64_t phoff_ = 0, phentsize_ = 0, phnum_ = 0;
  std::vector<Phdr> phdrs_;
};

}  // namespace

bool HasElfMagic(std::string_view prefix) {
  return prefix.substr(0, 4) ==
         "\x7f"
         "ELF";
}

base::Result<ElfInfo> ParseElf(const ByteSource& source) { return Parser(source).Run(); }

base::Result<ElfInfo> ParseElf(std::string_view bytes) { return ParseElf(BytesSource(bytes)); }

base::Result<ElfInfo> ParseElfFile(const std::string& path) {
  base::Result<ByteSource> source = WholeFileSource(path);
  if (!source) return base::Fail(source.error());
  base::Result<ElfInfo> info = ParseElf(*source);
  if (!info) return base::Fail(info.error().Context("'{}'", path));
  return info;
}

}  // namespace analyze
