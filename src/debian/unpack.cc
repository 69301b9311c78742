// UnpackDeb: a .deb's data.tar streamed into an fs::Tree (issue 4, items 1-3).
//
// Two halves. The first reads the .deb (deb(5), formats.md F1) exactly once:
// control.tar for the metadata, then data.tar entry by entry, checking each
// (the tar reader already refuses absolute paths, '..' and hardlinks out of
// the root; here: device nodes only under dev/, hardlinks only to an earlier
// regular file) and hashing each regular file as it streams into the cache,
// one blob per distinct content, so layers read the blob and nothing is ever
// decompressed twice. Its result, the entry list with blob digests, is saved
// as an entry record (fs/entry_record.h, the codec registry bases use too)
// at <cache>/unpacked/<deb sha256>.json, written atomically, and a warm
// build starts from that file. The second half runs every time, because its
// outcome depends on the options and on the packages below: the merged-/usr
// rewrite (formats.md F2: bin/ sbin/ lib*/ → usr/…, hardlink targets too,
// the top-level alias directories dropped so they never replace base-files'
// symlinks in a layer, image-spec layer.md), directories dropped where a
// package below has a symlink (dpkg keeps the symlink), the rule that nothing
// is written through a symlink (of this package or of one below), the tree,
// slimming, and the status.d files scanners read (distroless.md 1.4).
#include "debian/unpack.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <unordered_map>

#include "archive/deb_file.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "debian/deb822.h"
#include "debian/slim.h"
#include "fs/entry_record.h"
#include "fs/merged_usr.h"
#include "fs/tar_node.h"

namespace debian {

using archive::EntryType;
using archive::TarEntry;
using base::Fail;
using base::Result;

namespace {

constexpr size_t kSpillSize = 1 << 20;        // bigger files go to a temp file
constexpr uint64_t kMaxScriptSize = 4 << 20;  // conffiles and scripts

// What the first half produces and the cache keeps: the entries as
// fs/entry_record.h records them, a regular file's content by its blob.
struct RawDeb {
  archive::DebControl control;
  std::string conffiles;
  std::map<std::string, std::string> script_text;
  std::vector<fs::RecordEntry> entries;
};

// The file name of a path, which is what errors call a .deb.
std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The tar reader names its archive ("'data.tar.xz': entry 'x' ..."); for an
// entry the package is the useful name, so it replaces the member's. Its
// other errors are libarchive's words for a stream that ends early or does
// not decode ("Lzma library error:  No progress is possible"), which a user
// reads better as what they mean for the member.
base::Error InDeb(const base::Error& e, const std::string& deb, const std::string& member) {
  std::string prefix = "'" + member + "': ";
  if (!base::StartsWith(e.message(), prefix)) return e.Context("'{}'", deb);
  std::string rest = e.message().substr(prefix.size());
  if (base::StartsWith(rest, "entry '")) return base::Error("'{}': {}", deb, rest);
  std::string words;  // libarchive's text, runs of spaces squeezed
  for (char c : rest)
    if (c != ' ' || (!words.empty() && words.back() != ' ')) words += c;
  return base::Error("'{}': '{}' is truncated or corrupt ({})", deb, member, words);
}

// A Sink that hashes a file's content while keeping it, in memory while it is
// small, else in a temp file under the store's tmp/, and then files it under
// its digest. The store's Insert() wants the digest up front, which a stream
// does not know; for a spilled file the rename into store.Path() is the same
// atomic step BlobWriter::Commit() takes, after our own hash.
class BlobSink : public base::Sink {
 public:
  explicit BlobSink(const cache::Store& store) : store_(store) {}
  ~BlobSink() override {
    if (file_) fclose(file_);
    if (!tmp_.empty()) unlink(tmp_.c_str());
  }
  using base::Sink::Write;
  Result<void> Write(std::span<const uint8_t> bytes) override {
    hash_.Update(bytes);
    size_ += bytes.size();
    if (file_ == nullptr && buffer_.size() + bytes.size() > kSpillSize) DISTILL_TRY(Spill());
    if (file_ == nullptr) {
      buffer_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    } else if (fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      return Fail("writing '{}': {}", tmp_, base::ErrnoText());
    }
    return {};
  }
  // Stores the blob unless the store has it; returns its hex digest.
  Result<std::string> Finish() {
    std::string hex = hash_.FinishHex();
    if (store_.Has(hex)) return hex;
    if (file_ == nullptr) {
      Result<cache::BlobWriter> w = store_.Insert(hex, size_);
      if (!w) return Fail(w.error());
      DISTILL_TRY(w->Write(buffer_));
      DISTILL_TRY(w->Commit());
      return hex;
    }
    bool ok = fflush(file_) == 0 && fsync(fileno(file_)) == 0;
    ok = fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok || rename(tmp_.c_str(), store_.Path(hex).c_str()) != 0)
      return Fail("storing '{}': {}", tmp_, base::ErrnoText());
    tmp_.clear();
    return hex;
  }

 private:
  Result<void> Spill() {
    std::string tmpl = base::JoinPath(store_.root(), "tmp/unpack.XXXXXX");
    int fd = mkstemp(tmpl.data());
    if (fd < 0) return Fail("creating '{}': {}", tmpl, base::ErrnoText());
    tmp_ = tmpl;
    file_ = fdopen(fd, "wb");
    if (file_ == nullptr) {
      close(fd);
      return Fail("opening '{}': {}", tmp_, base::ErrnoText());
    }
    if (fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
      return Fail("writing '{}': {}", tmp_, base::ErrnoText());
    buffer_.clear();
    buffer_.shrink_to_fit();
    return {};
  }

  const cache::Store& store_;
  base::Sha256 hash_;
  uint64_t size_ = 0;
  std::string buffer_;
  std::string tmp_;
  FILE* file_ = nullptr;
};

// ./conffiles and the scripts' text, which DebControl does not carry: a
// second look at the small control.tar, in place in the .deb.
Result<void> ReadControlExtras(const std::string& path, const archive::DebFile& deb, RawDeb& raw) {
  const archive::ArMember& m = deb.control_member();
  Result<std::unique_ptr<archive::TarReader>> tar =
      archive::TarReader::OpenFile(path, m.name, m.offset, m.size);
  if (!tar) return Fail(tar.error().Context("'{}'", deb.name()));
  const std::vector<std::string>& scripts = raw.control.scripts;
  for (;;) {
    Result<std::optional<TarEntry>> e = (*tar)->Next();
    if (!e) return Fail(e.error().Context("'{}'", deb.name()));
    if (!*e) return {};
    const std::string& name = (*e)->path;
    bool script = std::find(scripts.begin(), scripts.end(), name) != scripts.end();
    if ((name != "conffiles" && !script) || (*e)->type != EntryType::kFile) continue;
    Result<std::string> text = (*tar)->ReadDataString(kMaxScriptSize);
    if (!text) return Fail(text.error().Context("'{}'", deb.name()));
    (script ? raw.script_text[name] : raw.conffiles) = std::move(*text);
  }
}

// The checks the tar reader leaves to us, given the entries before `e`.
Result<void> CheckEntry(const TarEntry& e, const std::unordered_map<std::string, EntryType>& seen,
                        const std::string& deb) {
  bool device = e.type == EntryType::kCharDev || e.type == EntryType::kBlockDev;
  if (device && !base::StartsWith(e.path, "dev/"))
    return Fail("'{}': entry '{}' is a device node outside /dev", deb, e.path);
  if (e.type == EntryType::kHardlink) {
    auto it = seen.find(e.link);
    if (it == seen.end() || it->second != EntryType::kFile)
      return Fail("'{}': entry '{}' is a hardlink to '{}', which is not an earlier file", deb,
                  e.path, e.link);
  }
  return {};
}

Result<void> CheckNoSymlinkParents(const std::vector<fs::RecordEntry>& entries,
                                   const fs::Tree* below, const std::string& deb);

// A data.tar entry as the tree will hold it; a regular file's content is
// its blob, which the caller fills in.
fs::RecordEntry ToRecord(TarEntry&& e) {
  fs::RecordEntry r;
  r.path = std::move(e.path);
  r.node = fs::NodeFromTar(e);
  return r;
}

// The first half: reads the .deb and fills the store.
Result<RawDeb> ReadDeb(const cache::Store& store, const std::string& path, const std::string& name,
                       const base::Limits& limits) {
  Result<archive::DebFile> deb = archive::DebFile::Open(path, name);
  if (!deb) return Fail(deb.error());
  RawDeb raw;
  Result<archive::DebControl> control = deb->ReadControl();
  if (!control) return Fail(control.error());
  raw.control = std::move(*control);
  DISTILL_TRY(ReadControlExtras(path, *deb, raw));
  const std::string& member = deb->data_member().name;
  Result<std::unique_ptr<archive::TarReader>> data = deb->OpenData();
  if (!data) return Fail(InDeb(data.error(), name, member));
  (*data)->SetLimits(limits);
  std::unordered_map<std::string, EntryType> seen;
  for (;;) {
    Result<std::optional<TarEntry>> e = (*data)->Next();
    if (!e) return Fail(InDeb(e.error(), name, member));
    if (!*e) break;
    DISTILL_TRY(CheckEntry(**e, seen, name));
    // Resolved hardlinks point at a regular file, so only its type matters.
    seen[(*e)->path] = (*e)->type == EntryType::kHardlink ? EntryType::kFile : (*e)->type;
    fs::RecordEntry r = ToRecord(std::move(**e));
    if (r.node.type == fs::NodeType::kFile) {
      BlobSink sink(store);
      Result<void> read = (*data)->ReadData(&sink);
      if (!read) return Fail(InDeb(read.error(), name, member));
      Result<std::string> hex = sink.Finish();
      if (!hex) return Fail(hex.error().Context("'{}'", name));
      r.blob = std::move(*hex);
    }
    raw.entries.push_back(std::move(r));
  }
  // Writing through its own symlink is a fault of the .deb alone, so it is
  // found before the listing is cached; Assemble checks again after the
  // merged-/usr rewrite and against the packages below.
  DISTILL_TRY(CheckNoSymlinkParents(raw.entries, nullptr, name));
  return raw;
}

// --- The cache file: one entry record (fs/entry_record.h) per .deb. ---

constexpr std::string_view kRecordKind = "deb";
constexpr std::string_view kScriptField = "script:";  // + name: the script's text

// Script names are dpkg's fixed ones ("postinst"), never with a newline.
std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

std::string CachePath(const cache::Store& store, const std::string& sha256) {
  return base::JoinPath(store.root(), "unpacked/" + sha256 + ".json");
}

// Saves `raw`; a failure only costs the next build a re-read, so it is not
// an error.
void SaveRaw(const cache::Store& store, const std::string& sha256, const RawDeb& raw) {
  fs::EntryRecord r;
  r.kind = kRecordKind;
  r.fields = {{"control", raw.control.control},
              {"md5sums", raw.control.md5sums},
              {"scripts", JoinLines(raw.control.scripts)},
              {"conffiles", raw.conffiles}};
  for (const auto& [name, text] : raw.script_text)
    r.fields[std::string(kScriptField) + name] = text;
  r.entries = raw.entries;
  std::string path = CachePath(store, sha256);
  if (base::MakeDirs(base::DirName(path)))
    (void)base::WriteFileAtomic(path, fs::EncodeEntryRecord(r));
}

// The saved result, when there is one, it decodes and its blobs are all
// there; a damaged record, or one another version wrote, is read again.
std::optional<RawDeb> LoadRaw(const cache::Store& store, const std::string& sha256) {
  std::string path = CachePath(store, sha256);
  if (!base::PathExists(path)) return std::nullopt;
  Result<std::string> text = base::ReadFile(path);
  if (!text) return std::nullopt;
  Result<fs::EntryRecord> r = fs::DecodeEntryRecord(*text, kRecordKind, path);
  if (!r) return std::nullopt;
  for (const char* key : {"control", "md5sums", "scripts", "conffiles"})
    if (!r->fields.contains(key)) return std::nullopt;
  RawDeb raw;
  raw.control.control = std::move(r->fields["control"]);
  raw.control.md5sums = std::move(r->fields["md5sums"]);
  const std::string& scripts = r->fields["scripts"];
  if (!scripts.empty()) raw.control.scripts = base::Split(scripts, '\n');
  raw.conffiles = std::move(r->fields["conffiles"]);
  for (auto& [key, value] : r->fields)
    if (base::StartsWith(key, kScriptField))
      raw.script_text[key.substr(kScriptField.size())] = std::move(value);
  for (const fs::RecordEntry& e : r->entries) {
    if (e.kind != fs::RecordEntry::Kind::kNode) return std::nullopt;  // a data.tar has no whiteouts
    if (e.node.type == fs::NodeType::kFile && !store.Has(e.blob)) return std::nullopt;
  }
  raw.entries = std::move(r->entries);
  return raw;
}

// --- The second half: options, checks against the packages below, tree. ---

bool IsAliasDir(std::string_view path) { return fs::IsMergedUsrDir(path); }

// "lib/x/y" → "usr/lib/x/y"; nullopt for a path outside the alias dirs.
std::optional<std::string> UnderUsr(const std::string& path) {
  size_t slash = path.find('/');
  if (slash == std::string::npos || !IsAliasDir(std::string_view(path).substr(0, slash)))
    return std::nullopt;
  return "usr/" + path;
}

// The relative path from directory `from` to `to`, both normalized.
std::string RelativePath(const std::string& from, const std::string& to) {
  std::vector<std::string> a = from.empty() ? std::vector<std::string>{} : base::Split(from, '/');
  std::vector<std::string> b = to.empty() ? std::vector<std::string>{} : base::Split(to, '/');
  size_t common = 0;
  while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
  std::string out;
  for (size_t i = common; i < a.size(); ++i) out += "../";
  for (size_t i = common; i < b.size(); ++i) out += b[i] + (i + 1 < b.size() ? "/" : "");
  if (out.empty()) return ".";
  if (out.back() == '/') out.pop_back();
  return out;
}

// A relative symlink moved from `old_path` to `new_path` still names what it
// named, itself moved if it was under an alias dir ("lib/a -> ../usr/lib/b"
// must not become "usr/lib/a -> ../usr/lib/b"). Absolute targets keep working
// through the alias symlinks and stay as they are.
std::string Relink(const std::string& old_path, const std::string& new_path,
                   const std::string& link) {
  if (link.empty() || link[0] == '/') return link;
  Result<std::string> target = fs::NormalizePath("/" + fs::ParentPath(old_path) + "/" + link);
  if (!target) return link;
  std::string moved = UnderUsr(*target).value_or(*target);
  return RelativePath(fs::ParentPath(new_path), moved);
}

// formats.md F2, as rules_distroless's mergedusr does it, plus two checks: a
// file shipped both at an alias and under usr/ is an error, not a silent
// overwrite.
Result<void> MergeUsr(std::vector<fs::RecordEntry>& entries, const std::string& deb) {
  std::vector<fs::RecordEntry> out;
  std::unordered_map<std::string, std::string> origin;  // new path → shipped path
  for (fs::RecordEntry& r : entries) {
    fs::Node& n = r.node;
    if (IsAliasDir(r.path) && n.type == fs::NodeType::kDir) continue;
    std::string shipped = r.path;
    if (std::optional<std::string> moved = UnderUsr(r.path)) {
      if (n.type == fs::NodeType::kSymlink) n.link = Relink(r.path, *moved, n.link);
      r.path = std::move(*moved);
    }
    if (n.type == fs::NodeType::kHardlink) n.link = UnderUsr(n.link).value_or(n.link);
    auto [it, fresh] = origin.emplace(r.path, shipped);
    if (!fresh && it->second != shipped && n.type != fs::NodeType::kDir)
      return Fail("'{}': entries '{}' and '{}' are the same file with merged /usr", deb, it->second,
                  shipped);
    out.push_back(std::move(r));
  }
  entries = std::move(out);
  return {};
}

// Where a package below left a symlink and this one ships a directory, dpkg
// keeps the symlink (that is how /bin stays a link to usr/bin), so the
// directory entry is dropped here too rather than replacing the symlink in
// this layer; anything under it is then written through the symlink, which
// CheckNoSymlinkParents refuses.
void KeepSymlinksBelow(std::vector<fs::RecordEntry>& entries, const fs::Tree* below) {
  if (below == nullptr) return;
  std::erase_if(entries, [below](const fs::RecordEntry& r) {
    if (r.node.type != fs::NodeType::kDir) return false;
    const fs::Node* lower = below->Find(r.path);
    return lower != nullptr && lower->type == fs::NodeType::kSymlink;
  });
}

// dpkg follows a symlink to a directory, so a data.tar can place a file
// anywhere through one: "foo -> /etc" then "foo/passwd". No entry may have a
// symlink as a parent, whether this package or one below made it.
Result<void> CheckNoSymlinkParents(const std::vector<fs::RecordEntry>& entries,
                                   const fs::Tree* below, const std::string& deb) {
  std::unordered_map<std::string, fs::NodeType> own;
  for (const fs::RecordEntry& r : entries) {
    const std::string& p = r.path;
    for (size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
      std::string parent = p.substr(0, slash);
      auto it = own.find(parent);
      const fs::Node* lower = below && it == own.end() ? below->Find(parent) : nullptr;
      bool symlink = it != own.end() ? it->second == fs::NodeType::kSymlink
                                     : lower && lower->type == fs::NodeType::kSymlink;
      if (symlink)
        return Fail("'{}': entry '{}' is written through the symlink '{}'", deb, p, parent);
    }
    own[p] = r.node.type;
  }
  return {};
}

// The tree's node for `r`: a regular file's content is its blob.
fs::Node ToNode(const fs::RecordEntry& r, const cache::Store& store) {
  fs::Node n = r.node;
  if (n.type == fs::NodeType::kFile) n.content = fs::Content::Disk(store.Path(r.blob));
  return n;
}

// Package names become file names under status.d (Policy 5.6.1).
bool IsPackageName(std::string_view name) {
  if (name.size() < 2 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'))
      return false;
  return true;
}

Result<void> FillControlFields(UnpackedDeb& out, const std::string& deb) {
  Result<std::vector<Stanza>> stanzas = ParseDeb822(out.control, "control");
  if (!stanzas) return Fail(stanzas.error().Context("'{}'", deb));
  if (stanzas->size() != 1) return Fail("'{}': control file is not one stanza", deb);
  const Stanza& s = stanzas->front();
  out.package = s.Get("Package");
  out.version = s.Get("Version");
  out.architecture = s.Get("Architecture");
  if (!IsPackageName(out.package)) return Fail("'{}': invalid package name '{}'", deb, out.package);
  return {};
}

std::vector<std::string> ParseConffiles(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& line : base::Split(text, '\n')) {
    // "path [flag]" since dpkg 1.20.1 (remove-on-upgrade).
    std::string_view t = base::Trim(line);
    if (!t.empty()) out.emplace_back(t.substr(0, t.find(' ')));
  }
  return out;
}

Result<void> AddStatusD(UnpackedDeb& out) {
  std::string dir = "var/lib/dpkg/status.d/";
  fs::Node control = fs::Node::File(fs::Content::Inline(out.control), out.control.size());
  DISTILL_TRY(out.tree.Add(dir + out.package, std::move(control)));
  if (out.md5sums.empty()) return {};
  fs::Node sums = fs::Node::File(fs::Content::Inline(out.md5sums), out.md5sums.size());
  return out.tree.Add(dir + out.package + ".md5sums", std::move(sums));
}

Result<UnpackedDeb> Assemble(const cache::Store& store, RawDeb raw, const std::string& deb,
                             const UnpackOptions& options) {
  UnpackedDeb out;
  out.control = std::move(raw.control.control);
  out.md5sums = std::move(raw.control.md5sums);
  out.scripts = std::move(raw.control.scripts);
  out.script_text = std::move(raw.script_text);
  out.conffiles = ParseConffiles(raw.conffiles);
  DISTILL_TRY(FillControlFields(out, deb));
  if (options.merged_usr) DISTILL_TRY(MergeUsr(raw.entries, deb));
  KeepSymlinksBelow(raw.entries, options.below);
  DISTILL_TRY(CheckNoSymlinkParents(raw.entries, options.below, deb));
  for (const fs::RecordEntry& r : raw.entries) {
    if (r.node.type == fs::NodeType::kFile) out.installed_bytes += r.node.size;
    Result<void> added = out.tree.Add(r.path, ToNode(r, store));
    if (!added) return Fail(added.error().Context("'{}'", deb));
  }
  if (options.slim) out.slimmed_bytes = SlimTree(out.tree).bytes;
  if (options.status_d) {
    Result<void> added = AddStatusD(out);
    if (!added) return Fail(added.error().Context("'{}': adding status.d", deb));
  }
  return out;
}

}  // namespace

Result<UnpackedDeb> UnpackDeb(cache::Store& store, const std::string& deb_path,
                              const std::string& deb_sha256, const UnpackOptions& options) {
  std::string name = options.name.empty() ? BaseName(deb_path) : options.name;
  if (!cache::IsSha256Hex(deb_sha256)) return Fail("'{}': invalid sha256 '{}'", name, deb_sha256);
  std::optional<RawDeb> raw = LoadRaw(store, deb_sha256);
  bool from_cache = raw.has_value();
  if (!raw) {
    Result<RawDeb> read = ReadDeb(store, deb_path, name, options.limits);
    if (!read) return Fail(read.error());
    SaveRaw(store, deb_sha256, *read);
    raw = std::move(*read);
  }
  Result<UnpackedDeb> out = Assemble(store, std::move(*raw), name, options);
  if (out) out->from_cache = from_cache;
  return out;
}

}  // namespace debian
