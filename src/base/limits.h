// Every bound distill puts on what comes from outside (registries, mirrors,
// archives, Dockerfiles, specs, build contexts): one table, one default
// each, documented in docs/security.md. A build takes them from
// BuildOptions::limits; `--limit NAME=VALUE` (repeatable) and the spec's
// `limits:` block change them. Each is enforced while streaming, never
// after buffering: a value over its limit is an error that names the thing
// at fault and the limit (`... exceeds the limit layer-bytes (32 GiB); raise
// it with --limit layer-bytes=SIZE`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace base {

struct Limits {
  // Archives (layers, .debs, ADD archives, stage results).
  uint64_t entry_bytes = uint64_t{8} << 30;   // one entry's apparent size
  uint64_t layer_bytes = uint64_t{32} << 30;  // one layer (or archive), unpacked
  uint64_t image_bytes = uint64_t{64} << 30;  // all of a registry base's layers, unpacked
  uint64_t layer_entries = 1'000'000;         // entries in one layer or archive
  // Downloads. A blob or .deb is bounded by its declared size; these bound
  // what has no declared size.
  uint64_t manifest_bytes = uint64_t{4} << 20;  // a manifest, index or config
  uint64_t token_bytes = uint64_t{1} << 20;     // a registry token response
  uint64_t error_body_bytes = uint64_t{64}
                              << 10;           // an error response's body (kept for the message)
  uint64_t index_bytes = uint64_t{512} << 20;  // a Release, Packages or Contents file, compressed
  uint64_t value_bytes = uint64_t{256} << 20;  // any single value held in memory
  // Time, in seconds.
  uint64_t connect_seconds = 15;      // to connect and get the first byte of a response
  uint64_t request_seconds = 1800;    // one request, start to end
  uint64_t operation_seconds = 3600;  // one operation with all its retries
  // Dockerfiles and specs.
  uint64_t expansion_bytes = uint64_t{1} << 20;  // one word after variable expansion
  uint64_t expansion_depth = 64;                 // nested ${...}
  uint64_t dockerfile_lines = 100'000;           // physical lines of a Dockerfile
  uint64_t line_bytes = uint64_t{1} << 20;       // one (joined) line of a Dockerfile
};

// One row of the table: the name `--limit` and `limits:` use, what it
// bounds, its unit ("bytes", "count", "seconds") and where it lives.
struct LimitInfo {
  std::string_view name;
  std::string_view what;
  std::string_view unit;
  uint64_t Limits::*field;
};

// Every limit, in the order of docs/security.md.
const std::vector<LimitInfo>& LimitTable();

// Sets `name` to `value` ("512MiB", "2GB", "1000", "90s", "15m"): errors for
// an unknown name (listing the known ones) or a value that is not a
// positive number of the limit's unit.
Result<void> SetLimit(Limits& limits, std::string_view name, std::string_view value);

// "32 GiB", "1000000", "1800 s": a limit's value as messages show it.
std::string FormatLimit(const LimitInfo& info, uint64_t value);

// The error for `what` exceeding limit `name` of `limits`:
//   "<what> exceeds the limit <name> (<value>); raise it with --limit <name>=..."
Error LimitError(const Limits& limits, std::string_view name, std::string_view what);

}  // namespace base
