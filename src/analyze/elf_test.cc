#include "analyze/elf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "analyze/test_elf.h"
#include "base/file_util.h"

namespace analyze {
namespace {

using testing::BuildElf;
using testing::PutInt;
using testing::TestElf;

TestElf Server() {
  TestElf e;
  e.interpreter = "/lib64/ld-linux-x86-64.so.2";
  e.needed = {"libpq.so.5", "libc.so.6"};
  e.runpath = "$ORIGIN/../lib";
  e.flags_1 = kDf1NoDefLib | 0x08000000;
  return e;
}

TEST(ElfTest, Parses64BitLittleEndianExecutable) {
  ElfInfo want;
  want.elf_class = ElfClass::k64;
  want.data = ElfData::kLittle;
  want.type = kEtDyn;
  want.machine = kEmX8664;
  want.interpreter = "/lib64/ld-linux-x86-64.so.2";
  want.has_dynamic = true;
  want.needed = {"libpq.so.5", "libc.so.6"};
  want.runpath = "$ORIGIN/../lib";
  want.flags_1 = kDf1NoDefLib | 0x08000000;
  base::Result<ElfInfo> got = ParseElf(BuildElf(Server()));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, want);
  EXPECT_TRUE(got->NoDefaultLib());
  EXPECT_FALSE(got->IsStatic());
}

TEST(ElfTest, Parses32BitLibraryInBothByteOrders) {
  for (ElfData data : {ElfData::kLittle, ElfData::kBig}) {
    TestElf e;
    e.elf_class = ElfClass::k32;
    e.data = data;
    e.machine = data == ElfData::kLittle ? kEm386 : kEmArm;
    e.needed = {"libc.so.6"};
    e.rpath = "/opt/lib:$ORIGIN";
    e.soname = "libfoo.so.1";
    ElfInfo want;
    want.elf_class = ElfClass::k32;
    want.data = data;
    want.type = kEtDyn;
    want.machine = e.machine;
    want.has_dynamic = true;
    want.needed = {"libc.so.6"};
    want.rpath = "/opt/lib:$ORIGIN";
    want.soname = "libfoo.so.1";
    base::Result<ElfInfo> got = ParseElf(BuildElf(e));
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(*got, want);
  }
}

TEST(ElfTest, StaticBinaryHasNoInterpreterOrNeeded) {
  TestElf e;
  e.type = kEtExec;
  e.dynamic = false;
  base::Result<ElfInfo> got = ParseElf(BuildElf(e));
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_dynamic);
  EXPECT_TRUE(got->IsStatic());
  EXPECT_EQ(got->type, kEtExec);
}

// Each malformation is reached by patching one field of a valid image.
std::string Patched(std::string bytes, uint64_t at, uint64_t value, int width) {
  std::string field;
  PutInt(field, value, width, ElfData::kLittle);
  bytes.replace(at, width, field);
  return bytes;
}

std::string ParseError(std::string_view bytes) {
  base::Result<ElfInfo> got = ParseElf(bytes);
  return got ? "ok" : got.error().message();
}

TEST(ElfTest, RejectsMalformedInput) {
  const std::string good = BuildElf(Server());
  // Program headers start at 64; the first is PT_LOAD, then PT_INTERP, then
  // PT_DYNAMIC, each 56 bytes (p_offset at +8, p_filesz at +32).
  const uint64_t interp = 64 + 56, dynamic = 64 + 2 * 56;
  EXPECT_EQ(ParseError(""), "not an elf file");
  EXPECT_EQ(ParseError("#!/bin/sh\necho hello world\n"), "not an elf file");
  EXPECT_EQ(ParseError(good.substr(0, 40)), "truncated elf header");
  EXPECT_EQ(ParseError(Patched(good, 4, 3, 1)), "unknown elf class 3");
  EXPECT_EQ(ParseError(Patched(good, 5, 0, 1)), "unknown elf byte order 0");
  EXPECT_EQ(ParseError(Patched(good, 54, 40, 2)), "program header size 40 is not 56");
  EXPECT_EQ(ParseError(Patched(good, 56, 0xffff, 2)),
            "extended program header count is not supported");
  EXPECT_EQ(ParseError(Patched(good, 56, 0xfffe, 2)), "program headers lie outside the file");
  EXPECT_EQ(ParseError(Patched(good, 32, ~0ull - 8, 8)), "program headers lie outside the file");
  EXPECT_EQ(ParseError(good.substr(0, 64 + 3 * 56 + 10)), "interpreter lies outside the file");
  EXPECT_EQ(ParseError(Patched(good, interp + 32, 1 << 20, 8)),
            "interpreter path is longer than 4096 bytes");
  EXPECT_EQ(ParseError(Patched(good, interp + 8, 9, 8)), "empty interpreter path");
  EXPECT_EQ(ParseError(Patched(good, dynamic + 32, 1ull << 40, 8)),
            "dynamic section is larger than 1048576 bytes");
  EXPECT_EQ(ParseError(Patched(good, dynamic + 8, ~0ull, 8)),
            "dynamic section lies outside the file");
  EXPECT_EQ(ParseError(good.substr(0, good.size() - 1)), "dynamic section lies outside the file");
}

TEST(ElfTest, RejectsBadStringTable) {
  const std::string good = BuildElf(Server());
  const uint64_t dynamic = 64 + 2 * 56;
  // Locate the dynamic array and its entries: (NEEDED, NEEDED, RUNPATH,
  // FLAGS_1, STRTAB, STRSZ, NULL), 16 bytes each.
  uint64_t dyn_off = 0;
  for (int i = 0; i < 8; ++i) dyn_off |= uint64_t(uint8_t(good[dynamic + 8 + i])) << (8 * i);
  const uint64_t needed0 = dyn_off, strtab_entry = dyn_off + 4 * 16, strsz_entry = dyn_off + 5 * 16;
  EXPECT_EQ(ParseError(Patched(good, strtab_entry + 8, 0x10, 8)),
            "string table address 0x10 is in no loadable segment");
  EXPECT_EQ(ParseError(Patched(good, strsz_entry + 8, 1 << 30, 8)),
            "string table extends past its segment");
  EXPECT_EQ(ParseError(Patched(good, needed0 + 8, 5000, 8)),
            "string offset 5000 is outside the string table");
  EXPECT_EQ(ParseError(Patched(good, strtab_entry, 7, 8)),
            "dynamic section has strings but no string table");
  // A string table cut short inside the first string.
  EXPECT_EQ(ParseError(Patched(good, strsz_entry + 8, 5, 8)), "unterminated string at offset 1");
}

TEST(ElfTest, ParsesDebianBinLs) {
  base::Result<ElfInfo> ls = ParseElfFile("/bin/ls");
  ASSERT_TRUE(ls) << ls.error().message();
  EXPECT_EQ(ls->elf_class, ElfClass::k64);
  if (ls->machine != kEmX8664) {
    EXPECT_NE(std::find(ls->needed.begin(), ls->needed.end(), "libc.so.6"), ls->needed.end());
    return;
  }
  // Debian 12's coreutils 9.1 on amd64, as `readelf -d /bin/ls` shows.
  EXPECT_EQ(ls->interpreter, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(ls->needed, (std::vector<std::string>{"libselinux.so.1", "libc.so.6"}));
  EXPECT_EQ(ls->runpath, std::nullopt);
  EXPECT_FALSE(ls->IsStatic());
}

TEST(ElfTest, DynamicLoaderItselfIsStatic) {
  // ld.so is static-pie: a dynamic section with a SONAME but no interpreter
  // and no NEEDED.
  base::Result<ElfInfo> ld = ParseElfFile("/lib64/ld-linux-x86-64.so.2");
  if (!ld) GTEST_SKIP() << "not an amd64 host";
  EXPECT_TRUE(ld->IsStatic());
  EXPECT_TRUE(ld->has_dynamic);
  EXPECT_EQ(ld->soname, "ld-linux-x86-64.so.2");
}

TEST(ElfTest, FileErrorsNameTheFile) {
  char dir[] = "/tmp/elf_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/script";
  ASSERT_TRUE(base::WriteFileAtomic(path, "#!/bin/sh\n"));
  EXPECT_EQ(ParseElfFile(path).error().message(), "'" + path + "': not an elf file");
  EXPECT_EQ(ParseElfFile(path + "x").error().message(),
            "'" + path + "x': no such file or directory");
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace analyze
