// Opening a .deb (deb(5); formats.md F1): locate its ar members, check their
// order and names the way dpkg-deb does, and read control.tar and data.tar in
// place through the tar reader, without copying members out of the file.
//
// dpkg accepts control.tar with no, gzip, xz or zstd compression and
// data.tar also with bzip2 (dpkg 1.10.24 onward; zstd since 1.21.18). The
// suffix is what dpkg goes by, so an unknown one (data.tar.lz4) is an error
// here even if libarchive could decode it.
#include "archive/deb_file.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "base/strings.h"

namespace archive {

using base::Fail;
using base::Result;

namespace {

constexpr uint64_t kMaxDebianBinarySize = 64;
constexpr uint64_t kMaxControlSize = 1 << 20;   // a control stanza is a few KiB
constexpr uint64_t kMaxMd5sumsSize = 64 << 20;  // one line per file in the package

constexpr std::array<std::string_view, 4> kControlSuffixes = {"", ".gz", ".xz", ".zst"};
constexpr std::array<std::string_view, 5> kDataSuffixes = {"", ".gz", ".xz", ".zst", ".bz2"};
constexpr std::array<std::string_view, 6> kScripts = {"preinst", "postinst", "prerm",
                                                      "postrm",  "config",   "triggers"};

template <size_t N>
bool HasSuffixIn(std::string_view name, std::string_view stem,
                 const std::array<std::string_view, N>& suffixes) {
  if (!base::StartsWith(name, stem)) return false;
  return std::find(suffixes.begin(), suffixes.end(), name.substr(stem.size())) != suffixes.end();
}

// "2.0\n" → ok; the major version must be 2, later lines are ignored.
Result<void> CheckFormatVersion(std::string_view content, const std::string& deb) {
  std::string_view line = content.substr(0, content.find('\n'));
  if (line.substr(0, 2) != "2.")
    return Fail("'{}': unsupported .deb format version '{}'", deb, line);
  return {};
}

}  // namespace

Result<DebFile> DebFile::Open(const std::string& path, std::string name) {
  DebFile deb;
  deb.name_ = name.empty() ? path : std::move(name);
  deb.path_ = path;
  Result<std::unique_ptr<ByteSource>> src = OpenFileSource(path);
  if (!src) return Fail(src.error());
  deb.source_ = std::move(*src);
  DISTILL_TRY(deb.LocateMembers());
  return deb;
}

Result<DebFile> DebFile::FromBytes(std::string bytes, std::string name) {
  DebFile deb;
  deb.name_ = std::move(name);
  deb.bytes_ = std::make_shared<std::string>(std::move(bytes));
  deb.source_ = NewMemorySource(*deb.bytes_);
  DISTILL_TRY(deb.LocateMembers());
  return deb;
}

Result<void> DebFile::LocateMembers() {
  Result<ArReader> ar = ArReader::Open(source_.get(), name_);
  if (!ar) return Fail(ar.error());
  Result<std::optional<ArMember>> m = ar->Next();
  if (!m) return Fail(m.error());
  if (!*m || (*m)->name != "debian-binary")
    return Fail("'{}': first ar member is not 'debian-binary'", name_);
  Result<std::string> version = ar->ReadMember(**m, kMaxDebianBinarySize);
  if (!version) return Fail(version.error());
  DISTILL_TRY(CheckFormatVersion(*version, name_));

  // control.tar, then data.tar, each possibly preceded by "_*" members.
  for (int want = 0; want < 2;) {
    m = ar->Next();
    if (!m) return Fail(m.error());
    std::string_view stem = want == 0 ? "control.tar" : "data.tar";
    if (!*m) return Fail("'{}': missing '{}' member", name_, stem);
    const std::string& n = (*m)->name;
    if (n.front() == '_') continue;
    bool ok =
        want == 0 ? HasSuffixIn(n, stem, kControlSuffixes) : HasSuffixIn(n, stem, kDataSuffixes);
    if (!ok && want == 1 && base::StartsWith(n, "data.tar."))
      return Fail("'{}': member '{}' has an unsupported compression", name_, n);
    if (!ok) return Fail("'{}': unexpected ar member '{}' where '{}' should be", name_, n, stem);
    (want == 0 ? control_ : data_) = **m;
    ++want;
  }
  return {};
}

Result<std::unique_ptr<TarReader>> DebFile::OpenMember(const ArMember& m) const {
  if (bytes_)
    return TarReader::OpenMemory(std::string_view(*bytes_).substr(m.offset, m.size), m.name);
  return TarReader::OpenFile(path_, m.name, m.offset, m.size);
}

Result<std::unique_ptr<TarReader>> DebFile::OpenData() const { return OpenMember(data_); }

Result<DebControl> DebFile::ReadControl() const {
  Result<std::unique_ptr<TarReader>> tar = OpenMember(control_);
  if (!tar) return Fail(tar.error().Context("'{}'", name_));
  DebControl out;
  bool have_control = false;
  for (;;) {
    Result<std::optional<TarEntry>> e = (*tar)->Next();
    if (!e) return Fail(e.error().Context("'{}'", name_));
    if (!*e) break;
    const TarEntry& entry = **e;
    if (entry.type != EntryType::kFile) continue;
    Result<std::string> text;
    if (entry.path == "control") {
      text = (*tar)->ReadDataString(kMaxControlSize);
      have_control = text.has_value();
      if (text) out.control = std::move(*text);
    } else if (entry.path == "md5sums") {
      text = (*tar)->ReadDataString(kMaxMd5sumsSize);
      if (text) out.md5sums = std::move(*text);
    } else if (std::find(kScripts.begin(), kScripts.end(), entry.path) != kScripts.end()) {
      out.scripts.push_back(entry.path);
    }
    if (!text) return Fail(text.error().Context("'{}'", name_));
  }
  if (!have_control) return Fail("'{}': '{}' has no 'control' file", name_, control_.name);
  return out;
}

}  // namespace archive
