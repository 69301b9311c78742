// The entry record: a tree's entries written down, so that a later build can
// rebuild the tree without reading the archive they came from again (a
// registry base's layer, a .deb's data.tar). Both caches use this one codec,
// so whatever one of them can hold — any bytes in a path, a link target or
// an xattr — is read back exactly as it was written.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "fs/tree.h"

namespace fs {

// The version written into every record. Bump it whenever the encoding
// changes, so that a record written by another version is refused on decode
// (and the archive read again), never misread.
inline constexpr int kEntryRecordFormat = 3;

// One entry of a record.
struct RecordEntry {
  enum class Kind { kNode, kWhiteout, kOpaque };
  Kind kind = Kind::kNode;
  // Normalized (fs/tree.h); for kWhiteout the path the layer removes, for
  // kOpaque the directory it empties of what the layers below put there.
  std::string path;
  // kNode: type, mode, uid, gid, mtime, size (regular files), link, device
  // numbers and xattrs. The content is not recorded: see `blob`.
  Node node;
  // A kNode regular file's content: the SHA-256 of its bytes as 64 lowercase
  // hex digits, a blob the caller keeps (cache/store.h).
  std::string blob;
};

struct EntryRecord {
  // What the record describes ("base-layer", "deb"); decoding checks it.
  std::string kind;
  // The caller's own values (digests, sizes, control files): any bytes.
  std::map<std::string, std::string> fields;
  std::vector<RecordEntry> entries;
};

// The record as bytes (JSON). Never fails and never throws: a string that is
// not valid UTF-8 is written hex-encoded, and xattr values always are.
std::string EncodeEntryRecord(const EntryRecord& record);

// Reads back what EncodeEntryRecord wrote. Errors name the record (`name`,
// a file path) and, where it applies, the entry (1-based): "entry record
// '/c/x.json': unsupported format '2'", "...: is a 'deb' record, not a
// 'base-layer' record", "...: entry 3: invalid blob 'zz'". Never throws.
base::Result<EntryRecord> DecodeEntryRecord(std::string_view bytes, std::string_view kind,
                                            std::string_view name);

}  // namespace fs
