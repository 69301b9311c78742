// The entry record codec (entry_record.h): one JSON object,
//
//   {"format":3,"kind":"base-layer","fields":[["digest","sha256:…"],…],
//    "entries":[{"p":"usr/bin/x","t":"f","m":493,"u":0,"g":0,"mt":0,
//                "s":5,"b":"<sha256 hex>","l":"…","dev":[1,3],
//                "x":[["security.capability","0100000200…"]]},
//               {"p":"etc/old","t":"w"},…]}
//
// "t" is one of "fdlhcbp" (fs::NodeType order), "w" (whiteout) or "o"
// (opaque directory); "s" and "b" are a regular file's only, "l", "dev" and
// "x" appear when set. JSON strings must be UTF-8 (RFC 8259 8.1) and
// nlohmann's dump() throws on anything else, while paths, link targets and
// control files are bytes: a string that is not valid UTF-8 is written as
// {"hex":"…"} instead, and xattr values, which are binary by nature
// (security.capability), are always hex. So every record can be written,
// and every byte comes back as it was. Decoding checks every field's type
// and range rather than trusting the file: a damaged record is an error
// naming it, never an exception or a misread.
#include "fs/entry_record.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace fs {
namespace {

using nlohmann::json;

constexpr std::string_view kTypeCodes = "fdlhcbp";  // in NodeType order
constexpr char kWhiteoutCode = 'w';
constexpr char kOpaqueCode = 'o';

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
// U+10FFFF — at least as strict as nlohmann's dump(), so what passes here
// never makes it throw.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t more;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) {
      more = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      more = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      more = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i <= more) return false;
    for (size_t k = 1; k <= more; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += more + 1;
  }
  return true;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (HexDigit(c) < 0) return false;
  return true;
}

// --- Encoding ---

// Any bytes as a JSON value dump() accepts.
json Bytes(std::string_view s) {
  if (IsUtf8(s)) return std::string(s);
  json j = json::object();
  j["hex"] = ToHex(s);
  return j;
}

json Pair(json a, json b) {
  json j = json::array();
  j.push_back(std::move(a));
  j.push_back(std::move(b));
  return j;
}

json EncodeEntry(const RecordEntry& e) {
  json j = json::object();
  j["p"] = Bytes(e.path);
  if (e.kind != RecordEntry::Kind::kNode) {
    j["t"] = std::string(1, e.kind == RecordEntry::Kind::kWhiteout ? kWhiteoutCode : kOpaqueCode);
    return j;
  }
  const Node& n = e.node;
  j["t"] = std::string(1, kTypeCodes[static_cast<size_t>(n.type)]);
  j["m"] = n.mode, j["u"] = n.uid, j["g"] = n.gid, j["mt"] = n.mtime;
  if (n.type == NodeType::kFile) j["s"] = n.size, j["b"] = Bytes(e.blob);
  if (!n.link.empty()) j["l"] = Bytes(n.link);
  if (n.dev_major || n.dev_minor) j["dev"] = Pair(n.dev_major, n.dev_minor);
  if (!n.xattrs.empty()) {
    json x = json::array();
    for (const auto& [name, value] : n.xattrs) x.push_back(Pair(Bytes(name), ToHex(value)));
    j["x"] = std::move(x);
  }
  return j;
}

// --- Decoding: every access checked, nothing that can throw. ---

std::optional<std::string> BytesFrom(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (!j.is_object() || j.size() != 1) return std::nullopt;
  auto hex = j.find("hex");
  if (hex == j.end() || !hex->is_string()) return std::nullopt;
  return FromHex(hex->get<std::string>());
}

const json* Member(const json& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

std::optional<uint64_t> Unsigned(const json* j, uint64_t max) {
  if (j == nullptr || !j->is_number_unsigned()) return std::nullopt;
  uint64_t v = j->get<uint64_t>();
  return v <= max ? std::optional<uint64_t>(v) : std::nullopt;
}

std::optional<int64_t> Signed(const json* j) {
  if (j == nullptr) return std::nullopt;
  if (j->is_number_unsigned()) {
    std::optional<uint64_t> u = Unsigned(j, std::numeric_limits<int64_t>::max());
    return u ? std::optional<int64_t>(static_cast<int64_t>(*u)) : std::nullopt;
  }
  if (!j->is_number_integer()) return std::nullopt;
  return j->get<int64_t>();
}

// mode, uid, gid, mtime and the device numbers.
base::Result<void> DecodeAttributes(const json& j, Node& n) {
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  std::optional<uint64_t> mode = Unsigned(Member(j, "m"), 07777);
  if (!mode) return base::Fail("invalid mode");
  std::optional<uint64_t> uid = Unsigned(Member(j, "u"), kMax32);
  std::optional<uint64_t> gid = Unsigned(Member(j, "g"), kMax32);
  if (!uid || !gid) return base::Fail("invalid owner");
  std::optional<int64_t> mtime = Signed(Member(j, "mt"));
  if (!mtime) return base::Fail("invalid mtime");
  n.mode = static_cast<uint32_t>(*mode);
  n.uid = static_cast<uint32_t>(*uid);
  n.gid = static_cast<uint32_t>(*gid);
  n.mtime = *mtime;
  if (const json* dev = Member(j, "dev")) {
    std::optional<uint64_t> major, minor;
    if (dev->is_array() && dev->size() == 2)
      major = Unsigned(&(*dev)[0], kMax32), minor = Unsigned(&(*dev)[1], kMax32);
    if (!major || !minor) return base::Fail("invalid device numbers");
    n.dev_major = static_cast<uint32_t>(*major);
    n.dev_minor = static_cast<uint32_t>(*minor);
  }
  return {};
}

base::Result<void> DecodeXattrs(const json* x, Node& n) {
  if (x == nullptr) return {};
  if (!x->is_array()) return base::Fail("invalid xattrs");
  for (const json& pair : *x) {
    std::optional<std::string> name, value;
    if (pair.is_array() && pair.size() == 2 && pair[1].is_string())
      name = BytesFrom(pair[0]), value = FromHex(pair[1].get<std::string>());
    if (!name || !value) return base::Fail("invalid xattr");
    n.xattrs.emplace_back(std::move(*name), std::move(*value));
  }
  return {};
}

base::Result<RecordEntry> DecodeEntry(const json& j) {
  if (!j.is_object()) return base::Fail("not an object");
  RecordEntry e;
  const json* p = Member(j, "p");
  std::optional<std::string> path = p ? BytesFrom(*p) : std::nullopt;
  if (!path) return base::Fail("invalid path");
  e.path = std::move(*path);
  const json* t = Member(j, "t");
  std::string code = t && t->is_string() ? t->get<std::string>() : "";
  if (code.size() == 1 && (code[0] == kWhiteoutCode || code[0] == kOpaqueCode)) {
    e.kind = code[0] == kWhiteoutCode ? RecordEntry::Kind::kWhiteout : RecordEntry::Kind::kOpaque;
    return e;
  }
  size_t type = code.size() == 1 ? kTypeCodes.find(code[0]) : std::string_view::npos;
  if (type == std::string_view::npos) return base::Fail("'{}': invalid type", e.path);
  Node& n = e.node;
  n.type = static_cast<NodeType>(type);
  base::Result<void> attributes = DecodeAttributes(j, n);
  if (!attributes) return base::Fail(attributes.error().Context("'{}'", e.path));
  if (const json* l = Member(j, "l")) {
    std::optional<std::string> link = BytesFrom(*l);
    if (!link) return base::Fail("'{}': invalid link", e.path);
    n.link = std::move(*link);
  }
  base::Result<void> xattrs = DecodeXattrs(Member(j, "x"), n);
  if (!xattrs) return base::Fail(xattrs.error().Context("'{}'", e.path));
  if (n.type == NodeType::kFile) {
    std::optional<uint64_t> size = Unsigned(Member(j, "s"), std::numeric_limits<uint64_t>::max());
    if (!size) return base::Fail("'{}': invalid size", e.path);
    n.size = *size;
    const json* b = Member(j, "b");
    e.blob = b && b->is_string() ? b->get<std::string>() : "";
    if (!IsSha256Hex(e.blob)) return base::Fail("'{}': invalid blob '{}'", e.path, e.blob);
  }
  return e;
}

base::Result<void> DecodeFields(const json* fields, EntryRecord& out) {
  if (fields == nullptr || !fields->is_array()) return base::Fail("no fields list");
  for (const json& pair : *fields) {
    std::optional<std::string> key, value;
    if (pair.is_array() && pair.size() == 2) key = BytesFrom(pair[0]), value = BytesFrom(pair[1]);
    if (!key || !value) return base::Fail("invalid field");
    out.fields[std::move(*key)] = std::move(*value);
  }
  return {};
}

base::Result<EntryRecord> Decode(std::string_view bytes, std::string_view kind) {
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return base::Fail("not a JSON object");
  const json* format = Member(j, "format");
  if (format == nullptr) return base::Fail("no format");
  if (!format->is_number_integer() || Signed(format) != kEntryRecordFormat)
    return base::Fail("unsupported format '{}'", format->dump());
  const json* k = Member(j, "kind");
  std::optional<std::string> have = k ? BytesFrom(*k) : std::nullopt;
  if (!have) return base::Fail("no kind");
  if (*have != kind) return base::Fail("is a '{}' record, not a '{}' record", *have, kind);
  EntryRecord out;
  out.kind = std::move(*have);
  DISTILL_TRY(DecodeFields(Member(j, "fields"), out));
  const json* entries = Member(j, "entries");
  if (entries == nullptr || !entries->is_array()) return base::Fail("no entries list");
  out.entries.reserve(entries->size());
  for (size_t i = 0; i < entries->size(); ++i) {
    base::Result<RecordEntry> e = DecodeEntry((*entries)[i]);
    if (!e) return base::Fail(e.error().Context("entry {}", i + 1));
    out.entries.push_back(std::move(*e));
  }
  return out;
}

}  // namespace

std::string EncodeEntryRecord(const EntryRecord& record) {
  json fields = json::array();
  for (const auto& [key, value] : record.fields) fields.push_back(Pair(Bytes(key), Bytes(value)));
  json entries = json::array();
  entries.get_ref<json::array_t&>().reserve(record.entries.size());
  for (const RecordEntry& e : record.entries) entries.push_back(EncodeEntry(e));
  json j = json::object();
  j["format"] = kEntryRecordFormat;
  j["kind"] = Bytes(record.kind);
  j["fields"] = std::move(fields);
  j["entries"] = std::move(entries);
  // Every string above is valid UTF-8, so the strict handler never fires.
  return j.dump();
}

base::Result<EntryRecord> DecodeEntryRecord(std::string_view bytes, std::string_view kind,
                                            std::string_view name) {
  base::Result<EntryRecord> r = Decode(bytes, kind);
  if (!r) return base::Fail(r.error().Context("entry record '{}'", name));
  return r;
}

}  // namespace fs
